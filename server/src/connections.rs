//! The open connections: how many there may be, which of them have not sent a request yet,
//! and a handle to close any one of them from the server's side.
//!
//! Every accepted connection is admitted here first. Past `--max-connections` the oldest
//! connection that has still not sent a whole request head is closed to make room (a silent
//! socket holds a file descriptor and nothing else, so a flood of them cannot keep real
//! clients out); when every open connection is busy the new one is closed at once instead.
//! A connection closes itself when it sends no request head within `--header-timeout` of
//! being accepted, whatever it sends meanwhile.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::metrics::Metrics;

/// Open files kept free for what is not a connection: the database and its WAL, the
/// readers' and the writer's handles, the listening socket, the log, the email relay.
const FD_RESERVE: u64 = 256;

/// The admitted connections, capped at `max`.
pub struct Connections {
    max: usize,
    /// Connections that have not sent a whole request head yet, oldest (lowest id) first:
    /// the first to go when the cap is reached.
    waiting: Mutex<BTreeMap<u64, CancellationToken>>,
    next_id: AtomicU64,
    metrics: Arc<Metrics>,
}

/// What one admitted connection carries for its life; dropping it frees its place.
pub struct Admitted {
    pub handle: ConnectionHandle,
    id: u64,
    connections: Arc<Connections>,
}

/// A connection as its requests see it (in the request's extensions): a stream uses it to
/// close its own connection when its client stops reading.
#[derive(Clone)]
pub struct ConnectionHandle {
    close: CancellationToken,
    started: Arc<Started>,
}

#[derive(Default)]
struct Started {
    yes: AtomicBool,
    notify: Notify,
}

impl Connections {
    /// Room for `max` connections.
    pub fn new(max: usize, metrics: Arc<Metrics>) -> Arc<Connections> {
        Arc::new(Connections {
            max,
            waiting: Mutex::new(BTreeMap::new()),
            next_id: AtomicU64::new(1),
            metrics,
        })
    }

    fn waiting(&self) -> MutexGuard<'_, BTreeMap<u64, CancellationToken>> {
        self.waiting
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// Admits a just-accepted connection, making room by closing the oldest one still
    /// silent if the cap is reached; `None` when there is no room (close it at once).
    pub fn admit(self: &Arc<Self>) -> Option<Admitted> {
        let mut waiting = self.waiting();
        let open = self.metrics.connections_open.load(Ordering::Relaxed).max(0) as usize;
        if open >= self.max {
            match waiting.pop_first() {
                Some((_, oldest)) => {
                    oldest.cancel();
                    self.metrics
                        .connections_evicted
                        .fetch_add(1, Ordering::Relaxed);
                }
                None => {
                    self.metrics
                        .connections_refused
                        .fetch_add(1, Ordering::Relaxed);
                    return None;
                }
            }
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let handle = ConnectionHandle {
            close: CancellationToken::new(),
            started: Arc::default(),
        };
        waiting.insert(id, handle.close.clone());
        self.metrics
            .connections_open
            .fetch_add(1, Ordering::Relaxed);
        Some(Admitted {
            handle,
            id,
            connections: Arc::clone(self),
        })
    }
}

impl Admitted {
    /// Notes that a whole request head arrived (the service was called): from now on the
    /// connection is busy, not silent, and its per-request header timeout applies.
    pub fn request_started(&self) {
        if !self.handle.started.yes.swap(true, Ordering::Relaxed) {
            self.connections.waiting().remove(&self.id);
            self.handle.started.notify.notify_one();
        }
    }

    /// Resolves when the connection must be closed now: the server closed it (eviction, a
    /// stream that stopped reading, shutdown), or it sent no request head within
    /// `header_timeout` of being accepted. Never resolves otherwise.
    pub async fn must_close(&self, header_timeout: Duration) {
        let started = async {
            if !self.handle.started.yes.load(Ordering::Relaxed) {
                self.handle.started.notify.notified().await;
            }
        };
        tokio::select! {
            () = self.handle.close.cancelled() => {}
            started = tokio::time::timeout(header_timeout, started) => {
                if started.is_err() {
                    self.connections
                        .metrics
                        .connections_silent
                        .fetch_add(1, Ordering::Relaxed);
                    return;
                }
                self.handle.close.cancelled().await;
            }
        }
    }

    /// Resolves when the server closes the connection: [`Admitted::must_close`] once a
    /// request was served, without its header timer (a stream written outside hyper).
    pub async fn closed(&self) {
        self.handle.close.cancelled().await;
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        self.connections.waiting().remove(&self.id);
        self.connections
            .metrics
            .connections_open
            .fetch_sub(1, Ordering::Relaxed);
    }
}

impl ConnectionHandle {
    /// A handle to no connection: closing it does nothing (requests built in unit tests).
    pub fn detached() -> ConnectionHandle {
        ConnectionHandle {
            close: CancellationToken::new(),
            started: Arc::default(),
        }
    }

    /// Closes the connection now, whatever it is doing: its socket is dropped, and with it
    /// any response it was sending.
    pub fn close(&self) {
        self.close.cancel();
    }

    /// Whether the connection was closed by the server.
    pub fn is_closed(&self) -> bool {
        self.close.is_cancelled()
    }
}

/// Raises this process's open-files limit from its soft to its hard value, and returns the
/// connection cap that fits under it: `wanted`, or less, leaving room for the database and
/// the rest (a cap at the limit would let `accept` fail for everyone).
pub fn fit_under_open_files_limit(wanted: u64) -> u64 {
    let limit = match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => limit,
        Err(err) => {
            tracing::warn!(%err, "could not raise the open-files limit");
            match rlimit::getrlimit(rlimit::Resource::NOFILE) {
                Ok((soft, _)) => soft,
                Err(_) => return wanted,
            }
        }
    };
    let room = limit.saturating_sub(FD_RESERVE.max(limit / 10)).max(1);
    let cap = wanted.min(room);
    tracing::info!(
        max_connections = cap,
        asked = wanted,
        open_files_limit = limit,
        "connections capped"
    );
    cap
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(metrics: &Metrics) -> i64 {
        metrics.connections_open.load(Ordering::Relaxed)
    }

    #[test]
    fn past_the_cap_the_oldest_silent_connection_makes_room() {
        let metrics = Arc::new(Metrics::default());
        let connections = Connections::new(2, Arc::clone(&metrics));
        let first = connections.admit().unwrap();
        let second = connections.admit().unwrap();
        second.request_started();
        let third = connections.admit().unwrap();
        assert!(first.handle.close.is_cancelled(), "the silent one goes");
        assert!(!second.handle.close.is_cancelled(), "the busy one stays");
        drop(first);
        third.request_started();
        assert!(
            connections.admit().is_none(),
            "all busy: the new one is refused"
        );
        assert_eq!(metrics.connections_evicted.load(Ordering::Relaxed), 1);
        assert_eq!(metrics.connections_refused.load(Ordering::Relaxed), 1);
        assert_eq!(open(&metrics), 2);
        drop((second, third));
        assert_eq!(open(&metrics), 0);
        assert!(connections.waiting().is_empty());
    }

    #[tokio::test]
    async fn a_connection_silent_past_the_header_timeout_must_close() {
        let header_timeout = Duration::from_millis(50);
        let metrics = Arc::new(Metrics::default());
        let connections = Connections::new(8, Arc::clone(&metrics));
        let silent = connections.admit().unwrap();
        tokio::time::timeout(Duration::from_secs(10), silent.must_close(header_timeout))
            .await
            .expect("closed after the header timeout");
        assert_eq!(metrics.connections_silent.load(Ordering::Relaxed), 1);

        let busy = connections.admit().unwrap();
        busy.request_started();
        let waited =
            tokio::time::timeout(header_timeout * 6, busy.must_close(header_timeout)).await;
        assert!(waited.is_err(), "a connection that sent a request stays");
        busy.handle.close();
        busy.must_close(header_timeout).await;
    }
}
