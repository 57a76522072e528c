//! The hub: fan-out of committed events to the open streams of each user.
//!
//! The store's writer publishes here (the hub is its `store::Publisher`), in commit order,
//! right after each commit. Each event is rendered once into an SSE frame (`sse::events`)
//! and shared by every stream of its user. A stream's buffer is bounded in events and in
//! bytes: a stream that cannot keep up is dropped from the hub and its connection is closed
//! at once from the server's side (its client resumes with `Last-Event-ID`; the database
//! has everything), so its place is free again without waiting for the client to read.
//! The [`keeper`] sends the pings, re-checks each stream's token and closes streams whose
//! client stopped reading, none of which waits for a client.

pub mod keeper;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use bytes::Bytes;
use tokio::sync::mpsc;

use crate::connections::ConnectionHandle;
use crate::metrics::Metrics;
use crate::model::InboxEvent;
use crate::sse::events;
use crate::store::Publisher;

/// A frame ready for the wire, with the sequence number of the notification it carries
/// (streams use it to skip what their replay already sent).
#[derive(Debug)]
pub struct Frame {
    pub seq: Option<i64>,
    pub bytes: Bytes,
}

/// What the hub and a stream's body both see of one stream.
#[derive(Default)]
struct Shared {
    /// Bytes handed to the stream and not yet taken by its body.
    queued: AtomicUsize,
    /// Frames the body has handed to the connection so far.
    sent: AtomicU64,
    /// The body handed a frame to the connection, which has not asked for the next one
    /// since: the connection cannot write, because the client is not reading.
    waiting_on_client: AtomicBool,
}

struct Subscriber {
    id: u64,
    tx: mpsc::Sender<Arc<Frame>>,
    shared: Arc<Shared>,
    /// `shared.sent` when the keeper last looked.
    sent_at_last_visit: u64,
    /// When the keeper last saw the stream not waiting on its client.
    moving_at: Instant,
    /// The hash of the token the stream was opened with, re-checked by the keeper.
    token_hash: [u8; 32],
    connection: ConnectionHandle,
}

/// Per-user lists of open streams. A std mutex: it is held only to clone out or push/retain
/// senders, never across an `.await`.
pub struct Hub {
    users: Mutex<HashMap<String, Vec<Subscriber>>>,
    next_id: AtomicU64,
    limits: BufferLimits,
    caps: StreamCaps,
    metrics: Arc<Metrics>,
}

/// How much one stream may have queued before it counts as too slow.
#[derive(Debug, Clone, Copy)]
pub struct BufferLimits {
    pub events: usize,
    pub bytes: usize,
}

/// How many streams may be open: in all, and per user.
#[derive(Debug, Clone, Copy)]
pub struct StreamCaps {
    pub total: usize,
    pub per_user: usize,
}

/// Why a stream was not opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StreamRefused {
    #[error("this user already has {0} open streams, the most allowed")]
    UserFull(usize),
    #[error("the server already holds {0} open streams, the most allowed")]
    ServerFull(usize),
}

/// An open stream's end of the hub. Dropping it (with the connection that carries it)
/// unregisters the stream and frees its place.
pub struct Subscription {
    rx: mpsc::Receiver<Arc<Frame>>,
    shared: Arc<Shared>,
    user: String,
    id: u64,
    hub: Arc<Hub>,
}

impl Subscriber {
    /// Queues `frame` unless the stream is full (in events or bytes).
    fn offer(&self, frame: &Arc<Frame>, limits: BufferLimits) -> bool {
        let len = frame.bytes.len();
        let queued = self.shared.queued.fetch_add(len, Ordering::Relaxed);
        if queued + len > limits.bytes || self.tx.try_send(Arc::clone(frame)).is_err() {
            self.shared.queued.fetch_sub(len, Ordering::Relaxed);
            return false;
        }
        true
    }
}

impl Hub {
    /// A hub whose streams buffer at most `limits` each, within `caps`.
    pub fn new(limits: BufferLimits, caps: StreamCaps, metrics: Arc<Metrics>) -> Arc<Hub> {
        Arc::new(Hub {
            users: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
            limits,
            caps,
            metrics,
        })
    }

    fn users(&self) -> MutexGuard<'_, HashMap<String, Vec<Subscriber>>> {
        // A panic while holding this lock leaves plain data behind; carry on with it.
        self.users
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// Registers a new stream for `user`, opened with the token of hash `token_hash` on
    /// `connection`; events published from now on reach it.
    pub fn subscribe(
        self: &Arc<Self>,
        user: &str,
        token_hash: [u8; 32],
        connection: ConnectionHandle,
    ) -> Result<Subscription, StreamRefused> {
        let mut users = self.users();
        let open = self.metrics.streams_open.load(Ordering::Relaxed).max(0) as usize;
        if open >= self.caps.total {
            return Err(StreamRefused::ServerFull(self.caps.total));
        }
        let streams = users.entry(user.to_owned()).or_default();
        if streams.len() >= self.caps.per_user {
            return Err(StreamRefused::UserFull(self.caps.per_user));
        }
        let (tx, rx) = mpsc::channel(self.limits.events);
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let shared = Arc::new(Shared::default());
        streams.push(Subscriber {
            id,
            tx,
            shared: Arc::clone(&shared),
            sent_at_last_visit: 0,
            moving_at: Instant::now(),
            token_hash,
            connection,
        });
        self.metrics.streams_open.fetch_add(1, Ordering::Relaxed);
        Ok(Subscription {
            rx,
            shared,
            user: user.to_owned(),
            id,
            hub: Arc::clone(self),
        })
    }

    /// Hands `event` to every open stream of its user; renders it only if there is one.
    /// Streams whose buffer is full are dropped and their connections closed (their
    /// clients will resume).
    fn deliver(&self, users: &mut HashMap<String, Vec<Subscriber>>, event: &InboxEvent) {
        let user = event.user_id();
        let Some(subscribers) = users.get_mut(user) else {
            return;
        };
        let bytes = match events::render(event) {
            Ok(bytes) => bytes,
            Err(err) => {
                // Not reached with our own types; should it be, the user's streams close
                // and their clients resume from the database rather than miss the event.
                tracing::error!(%err, user, "could not render an event; closing its streams");
                if let Some(subscribers) = users.remove(user) {
                    subscribers.iter().for_each(|s| s.connection.close());
                }
                return;
            }
        };
        let frame = Arc::new(Frame {
            seq: event.seq(),
            bytes,
        });
        self.offer_or_close(user, subscribers, &frame);
        if subscribers.is_empty() {
            users.remove(user);
        }
    }

    /// Queues `frame` on each of `subscribers`; those that are full are removed and their
    /// connections closed.
    fn offer_or_close(&self, user: &str, subscribers: &mut Vec<Subscriber>, frame: &Arc<Frame>) {
        let before = subscribers.len();
        subscribers.retain(|s| {
            let queued = s.offer(frame, self.limits);
            if !queued {
                s.connection.close();
            }
            queued
        });
        let dropped = before - subscribers.len();
        if dropped > 0 {
            self.metrics
                .streams_lagged
                .fetch_add(dropped as u64, Ordering::Relaxed);
            tracing::debug!(user, dropped, "closed streams that could not keep up");
        }
    }

    /// Closes the connection of every open stream: at shutdown, for the streams whose
    /// clients did not take their end in time.
    pub fn close_all(&self) {
        let users = std::mem::take(&mut *self.users());
        for subscriber in users.values().flatten() {
            subscriber.connection.close();
        }
    }

    fn unsubscribe(&self, user: &str, id: u64) {
        let mut users = self.users();
        if let Some(subscribers) = users.get_mut(user) {
            subscribers.retain(|s| s.id != id);
            if subscribers.is_empty() {
                users.remove(user);
            }
        }
    }
}

impl Publisher for Hub {
    /// One lock for the whole batch; events reach each stream in the order given.
    fn publish(&self, events: &[InboxEvent]) {
        let mut users = self.users();
        for event in events {
            self.deliver(&mut users, event);
        }
    }
}

impl Subscription {
    /// The next frame for this stream; `None` once the hub has dropped it.
    pub async fn recv(&mut self) -> Option<Arc<Frame>> {
        let frame = self.rx.recv().await?;
        self.shared
            .queued
            .fetch_sub(frame.bytes.len(), Ordering::Relaxed);
        Some(frame)
    }

    /// The stream's connection asks for more: it is not waiting on its client.
    pub fn asked(&self) {
        self.shared
            .waiting_on_client
            .store(false, Ordering::Relaxed);
    }

    /// The stream handed bytes to its connection, which will ask again once it has
    /// written them.
    pub fn handed_over(&self) {
        self.shared.sent.fetch_add(1, Ordering::Relaxed);
        self.shared.waiting_on_client.store(true, Ordering::Relaxed);
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.hub.unsubscribe(&self.user, self.id);
        self.hub
            .metrics
            .streams_open
            .fetch_sub(1, Ordering::Relaxed);
    }
}
