//! The keeper: one task that, for every open stream once per ping interval, closes it if
//! its client read nothing since the last visit (and for at least [`STALL_MIN`]), re-checks
//! its token (a revoked token or a
//! removed user ends the stream), and queues a `ping`.
//!
//! None of it waits for a stream's client to read, so a stalled stream is still pinged,
//! checked and closed. Streams are visited in [`SLOTS`] slices of the interval, each stream
//! in the slice its id falls in: the token checks (one database read per distinct token)
//! and the pings are spread over the interval instead of all landing at the same instant.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use tokio::time::MissedTickBehavior;
use tokio_util::sync::CancellationToken;

use super::{Frame, Hub};
use crate::sse::events;
use crate::store::Store;
use crate::timestamp::now_ms;

/// Slices of the ping interval the streams are spread over.
pub const SLOTS: u64 = 16;
/// The least time a stream waits on its client before it counts as stalled, however short
/// the ping interval: a reader paused by a busy machine is not a stalled one.
pub const STALL_MIN: Duration = Duration::from_secs(5);

/// A stream whose token is to be checked and which then gets a ping.
pub(super) struct Due {
    user: String,
    id: u64,
    token_hash: [u8; 32],
}

/// Visits one slice of the streams every `ping_interval / SLOTS` until `cancel`.
pub async fn run(
    hub: Arc<Hub>,
    store: Arc<dyn Store>,
    ping_interval: Duration,
    cancel: CancellationToken,
) {
    let mut ticker = tokio::time::interval(ping_interval / SLOTS as u32);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    ticker.tick().await;
    let mut slot = 0;
    loop {
        tokio::select! {
            () = cancel.cancelled() => return,
            _ = ticker.tick() => {}
        }
        slot = (slot + 1) % SLOTS;
        let due = hub.visit(slot);
        tokio::select! {
            () = cancel.cancelled() => return,
            () = check_and_ping(&hub, store.as_ref(), due) => {}
        }
    }
}

/// Re-checks each due stream's token (once per distinct token), then pings the streams
/// whose token still holds and closes the others.
async fn check_and_ping(hub: &Hub, store: &dyn Store, due: Vec<Due>) {
    if due.is_empty() {
        return;
    }
    let ping = Arc::new(Frame {
        seq: None,
        bytes: events::ping(now_ms()),
    });
    let mut valid: HashMap<[u8; 32], bool> = HashMap::new();
    for stream in due {
        let holds = match valid.get(&stream.token_hash) {
            Some(holds) => *holds,
            None => {
                let holds = match store.authenticate(stream.token_hash).await {
                    Ok(principal) => principal.is_some(),
                    // The check itself failed: keep the stream, check next time.
                    Err(err) => {
                        tracing::warn!(%err, "could not re-check a stream's token");
                        true
                    }
                };
                valid.insert(stream.token_hash, holds);
                holds
            }
        };
        if holds {
            hub.ping(&stream.user, stream.id, &ping);
        } else {
            hub.close(&stream.user, stream.id);
        }
    }
}

impl Hub {
    /// The streams of `slot`, after closing those whose connection has not asked for more
    /// since the last visit, and for [`STALL_MIN`] at least, while it had bytes to write:
    /// their client stopped reading.
    pub(super) fn visit(&self, slot: u64) -> Vec<Due> {
        let now = Instant::now();
        let mut users = self.users();
        let mut due = Vec::new();
        let mut stalled = 0;
        users.retain(|user, subscribers| {
            subscribers.retain_mut(|s| {
                if s.id % SLOTS != slot {
                    return true;
                }
                let sent = s.shared.sent.load(Ordering::Relaxed);
                let still_waiting = sent == s.sent_at_last_visit
                    && s.shared.waiting_on_client.load(Ordering::Relaxed);
                s.sent_at_last_visit = sent;
                if !still_waiting {
                    s.moving_at = now;
                } else if now.duration_since(s.moving_at) >= STALL_MIN {
                    s.connection.close();
                    stalled += 1;
                    return false;
                }
                due.push(Due {
                    user: user.clone(),
                    id: s.id,
                    token_hash: s.token_hash,
                });
                true
            });
            !subscribers.is_empty()
        });
        if stalled > 0 {
            self.metrics
                .streams_stalled
                .fetch_add(stalled, Ordering::Relaxed);
            tracing::debug!(stalled, "closed streams whose clients stopped reading");
        }
        due
    }

    /// Queues the ping `frame` on one stream unless it has frames waiting already (a ping
    /// only shows an idle link is alive; a stream replaying a long history takes nothing
    /// from its queue meanwhile, and pings must not fill it); closes it if its buffer is full.
    pub(super) fn ping(&self, user: &str, id: u64, frame: &Arc<Frame>) {
        let mut users = self.users();
        let Some(subscribers) = users.get_mut(user) else {
            return;
        };
        let Some(at) = subscribers.iter().position(|s| s.id == id) else {
            return;
        };
        if subscribers[at].shared.queued.load(Ordering::Relaxed) > 0 {
            return;
        }
        if !subscribers[at].offer(frame, self.limits) {
            subscribers.swap_remove(at).connection.close();
            self.metrics.streams_lagged.fetch_add(1, Ordering::Relaxed);
        }
        if subscribers.is_empty() {
            users.remove(user);
        }
    }

    /// Ends one stream now: it is dropped from the hub and its connection closed.
    fn close(&self, user: &str, id: u64) {
        let mut users = self.users();
        let Some(subscribers) = users.get_mut(user) else {
            return;
        };
        if let Some(at) = subscribers.iter().position(|s| s.id == id) {
            subscribers.swap_remove(at).connection.close();
        }
        if subscribers.is_empty() {
            users.remove(user);
        }
    }
}
