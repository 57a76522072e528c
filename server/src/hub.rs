//! The hub: fan-out of committed events to the open streams of each user.
//!
//! The store's writer publishes here (the hub is its `store::Publisher`), in commit order,
//! right after each commit. Each event is rendered once into an SSE frame (`sse::events`)
//! and shared by every stream of its user. A stream's buffer is bounded: a stream that
//! cannot keep up is dropped from the hub, its body ends after what it has buffered, and its
//! client resumes with `Last-Event-ID` (the database has everything).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use tokio::sync::mpsc;

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

struct Subscriber {
    id: u64,
    tx: mpsc::Sender<Arc<Frame>>,
}

/// Per-user lists of open streams. A std mutex: it is held only to clone out or push/retain
/// senders, never across an `.await`.
pub struct Hub {
    users: Mutex<HashMap<String, Vec<Subscriber>>>,
    next_id: AtomicU64,
    buffer: usize,
    caps: StreamCaps,
    metrics: Arc<Metrics>,
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

/// An open stream's end of the hub. Dropping it unregisters the stream.
pub struct Subscription {
    pub rx: mpsc::Receiver<Arc<Frame>>,
    user: String,
    id: u64,
    hub: Arc<Hub>,
}

impl Hub {
    /// A hub whose streams buffer at most `buffer` frames each, within `caps`.
    pub fn new(buffer: usize, caps: StreamCaps, metrics: Arc<Metrics>) -> Arc<Hub> {
        Arc::new(Hub {
            users: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
            buffer,
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

    /// Registers a new stream for `user`; events published from now on reach it.
    pub fn subscribe(self: &Arc<Self>, user: &str) -> Result<Subscription, StreamRefused> {
        let mut users = self.users();
        let open = self.metrics.streams_open.load(Ordering::Relaxed).max(0) as usize;
        if open >= self.caps.total {
            return Err(StreamRefused::ServerFull(self.caps.total));
        }
        let streams = users.entry(user.to_owned()).or_default();
        if streams.len() >= self.caps.per_user {
            return Err(StreamRefused::UserFull(self.caps.per_user));
        }
        let (tx, rx) = mpsc::channel(self.buffer);
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        streams.push(Subscriber { id, tx });
        self.metrics.streams_open.fetch_add(1, Ordering::Relaxed);
        Ok(Subscription {
            rx,
            user: user.to_owned(),
            id,
            hub: Arc::clone(self),
        })
    }

    /// Hands `event` to every open stream of its user; renders it only if there is one.
    /// Streams whose buffer is full are dropped (their clients will resume).
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
                users.remove(user);
                return;
            }
        };
        let frame = Arc::new(Frame {
            seq: event.seq(),
            bytes,
        });
        let before = subscribers.len();
        subscribers.retain(|s| s.tx.try_send(Arc::clone(&frame)).is_ok());
        let dropped = before - subscribers.len();
        if dropped > 0 {
            self.metrics
                .streams_lagged
                .fetch_add(dropped as u64, Ordering::Relaxed);
            tracing::debug!(user, dropped, "closed streams that could not keep up");
        }
        if subscribers.is_empty() {
            users.remove(user);
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

impl Drop for Subscription {
    fn drop(&mut self) {
        self.hub.unsubscribe(&self.user, self.id);
        self.hub
            .metrics
            .streams_open
            .fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No caps: the tests that are not about them.
    const UNCAPPED: StreamCaps = StreamCaps {
        total: usize::MAX,
        per_user: usize::MAX,
    };

    fn deleted(user: &str, id: &str) -> InboxEvent {
        InboxEvent::Deleted {
            user_id: user.into(),
            id: id.into(),
            unread_count: 0,
        }
    }

    #[tokio::test]
    async fn events_reach_only_their_users_streams() {
        let hub = Hub::new(8, UNCAPPED, Arc::default());
        let mut alice = hub.subscribe("alice").unwrap();
        let mut bob = hub.subscribe("bob").unwrap();
        hub.publish(&[deleted("alice", "n1")]);
        let frame = alice.rx.recv().await.unwrap();
        assert!(
            std::str::from_utf8(&frame.bytes)
                .unwrap()
                .contains("\"n1\"")
        );
        assert!(bob.rx.try_recv().is_err());
    }

    #[tokio::test]
    async fn a_full_stream_is_closed_after_its_buffer() {
        let hub = Hub::new(2, UNCAPPED, Arc::default());
        let mut slow = hub.subscribe("alice").unwrap();
        let mut fast = hub.subscribe("alice").unwrap();
        for i in 0..3 {
            hub.publish(&[deleted("alice", &i.to_string())]);
            fast.rx.recv().await.unwrap();
        }
        assert!(slow.rx.recv().await.is_some());
        assert!(slow.rx.recv().await.is_some());
        assert!(
            slow.rx.recv().await.is_none(),
            "closed after the buffer drained"
        );
        hub.publish(&[deleted("alice", "later")]);
        assert!(fast.rx.recv().await.is_some(), "the other stream goes on");
    }

    #[tokio::test]
    async fn a_batch_arrives_in_order_with_the_sequence_numbers() {
        let hub = Hub::new(8, UNCAPPED, Arc::default());
        let mut alice = hub.subscribe("alice").unwrap();
        let created = InboxEvent::Created(crate::model::Notification::sample(9, "n9", "alice"));
        hub.publish(&[created.clone(), deleted("bob", "b"), deleted("alice", "n9")]);
        let first = alice.rx.recv().await.unwrap();
        assert_eq!(first.seq, Some(9));
        assert_eq!(first.bytes, events::render(&created).unwrap());
        let second = alice.rx.recv().await.unwrap();
        assert_eq!(second.seq, None);
        assert!(second.bytes.starts_with(b"event: deleted\n"));
        assert!(alice.rx.try_recv().is_err());
    }

    #[test]
    fn streams_are_capped_per_user_and_in_all() {
        let caps = StreamCaps {
            total: 3,
            per_user: 2,
        };
        let hub = Hub::new(2, caps, Arc::default());
        let _a1 = hub.subscribe("alice").unwrap();
        let a2 = hub.subscribe("alice").unwrap();
        assert_eq!(
            hub.subscribe("alice").err(),
            Some(StreamRefused::UserFull(2))
        );
        let _b1 = hub.subscribe("bob").unwrap();
        assert_eq!(
            hub.subscribe("carol").err(),
            Some(StreamRefused::ServerFull(3))
        );
        drop(a2);
        assert!(
            hub.subscribe("carol").is_ok(),
            "a closed stream frees its place"
        );
    }

    #[test]
    fn dropping_a_subscription_unregisters_it() {
        let metrics = Arc::new(Metrics::default());
        let hub = Hub::new(2, UNCAPPED, Arc::clone(&metrics));
        let sub = hub.subscribe("alice").unwrap();
        assert_eq!(metrics.streams_open.load(Ordering::Relaxed), 1);
        drop(sub);
        assert_eq!(metrics.streams_open.load(Ordering::Relaxed), 0);
        assert!(hub.users().is_empty());
    }
}
