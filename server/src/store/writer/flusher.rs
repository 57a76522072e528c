//! With `--sync full` on a file, the flusher: a thread that syncs the log after the
//! writer's commits (`log_flush`) and then answers their writes, so that a slow sync holds
//! up the answers but not the streams.
//!
//! Before it begins a batch, the writer waits until what it handed on is synced, as it
//! waited for its own sync before: while the disk is quick, the next batch gathers
//! everything that came meanwhile, and large batches are what make a commit cheap per
//! notification. Once the writer has waited [`PATIENCE`] since it handed the last batch
//! on, it waits no longer: it commits what came, hands its events to the streams, and the
//! flusher's next sync covers it. A sync that stalls for tens of milliseconds (this
//! machine's disk does, a few times a minute) then delays the deliveries that follow by
//! about [`PATIENCE`], not by the stall.
//!
//! What was committed and not synced may be lost by a power loss after the streams showed
//! it. The writer begins a batch only while a whole batch more keeps the writes waiting
//! for a sync within [`MAX_UNFLUSHED`], so that no more sequence numbers than that are
//! ever shown and then lost (`log_flush::SKIPPED_AT_START` skips as many at each start).
//! So under a load of thousands of writes a second a stalled sync does hold the streams
//! up, once more than `MAX_UNFLUSHED - MAX_BATCH` writes wait for it.
//!
//! A failed sync stops the writes: the failure is recorded before any write it covers is
//! answered, so a write sent after that answer is refused.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};

use super::MAX_BATCH;
use super::answering::{Answerer, Committed};
use super::log_flush::LogFlush;

/// How long the writer waits for a sync before it commits the next batch all the same.
/// This machine's syncs took 0.3–0.4 ms at the median and 0.9–2.7 ms at the 99th
/// percentile during `notif-bench fanout`: most are waited for, so batches stay as large
/// as when the writer synced the log itself.
pub const PATIENCE: Duration = Duration::from_millis(1);
/// The most writes committed and not yet synced.
pub const MAX_UNFLUSHED: usize = 4 * MAX_BATCH;

/// The flusher's thread and what the writer shares with it; dropping it syncs and answers
/// what was handed on, then ends the thread.
pub struct Flusher {
    batches: Option<Sender<Committed>>,
    shared: Arc<Shared>,
    /// When the writer last handed a batch on.
    handed: Instant,
    thread: Option<JoinHandle<()>>,
}

struct Shared {
    /// Writes handed to the flusher and not yet synced.
    unflushed: Mutex<usize>,
    /// Notified when `unflushed` goes down.
    released: Condvar,
    /// The failure that stopped the writes.
    failed: OnceLock<String>,
}

/// What the writer does before its next batch.
#[derive(Debug, PartialEq, Eq)]
enum Next {
    Begin,
    /// Wait for a sync, at most this long.
    WaitAtMost(Duration),
    /// Wait for a sync however long it takes: there is no room for another batch.
    WaitForRoom,
}

/// The writer's next step, with `unflushed` writes waiting for a sync, `since` the last
/// batch was handed on.
fn next(unflushed: usize, since: Duration) -> Next {
    if unflushed == 0 {
        Next::Begin
    } else if unflushed + MAX_BATCH > MAX_UNFLUSHED {
        Next::WaitForRoom
    } else if since >= PATIENCE {
        Next::Begin
    } else {
        Next::WaitAtMost(PATIENCE - since)
    }
}

impl Shared {
    fn unflushed(&self) -> MutexGuard<'_, usize> {
        // A count: nothing a panic elsewhere could leave half-changed.
        self.unflushed
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// Counts `writes` as synced (or failed), and wakes the writer if it waits.
    fn release(&self, writes: usize) {
        let mut unflushed = self.unflushed();
        *unflushed = unflushed.saturating_sub(writes);
        self.released.notify_all();
    }

    /// Records `failure`, before any write it covers is answered.
    fn record_failure(&self, failure: &str) {
        if self.failed.set(failure.to_owned()).is_ok() {
            tracing::error!(message = failure, "no more writes until a restart");
        }
    }
}

impl Flusher {
    /// Starts the thread that syncs `log` and then answers through `answerer`.
    pub fn start(log: LogFlush, answerer: Answerer) -> std::io::Result<Flusher> {
        let (batches, received) = crossbeam_channel::unbounded();
        let shared = Arc::new(Shared {
            unflushed: Mutex::new(0),
            released: Condvar::new(),
            failed: OnceLock::new(),
        });
        let thread = {
            let shared = Arc::clone(&shared);
            thread::Builder::new()
                .name("notif-flusher".into())
                .spawn(move || run(log, &answerer, &received, &shared))?
        };
        Ok(Flusher {
            batches: Some(batches),
            shared,
            handed: Instant::now(),
            thread: Some(thread),
        })
    }

    /// Waits until the sync of what was handed on is done, or [`PATIENCE`] has passed since
    /// the last hand-off and another batch fits within [`MAX_UNFLUSHED`].
    pub fn wait_to_begin(&self) {
        let mut unflushed = self.shared.unflushed();
        loop {
            unflushed = match next(*unflushed, self.handed.elapsed()) {
                Next::Begin => return,
                Next::WaitAtMost(time) => {
                    let waited = self.shared.released.wait_timeout(unflushed, time);
                    waited.unwrap_or_else(|poison| poison.into_inner()).0
                }
                Next::WaitForRoom => {
                    let waited = self.shared.released.wait(unflushed);
                    waited.unwrap_or_else(|poison| poison.into_inner())
                }
            };
        }
    }

    /// Hands `batch` to the flusher, to be answered after its next sync.
    pub fn hand(&mut self, batch: Committed) {
        *self.shared.unflushed() += batch.writes;
        self.handed = batch.handed;
        let unsent = match &self.batches {
            Some(batches) => batches.send(batch).err().map(|unsent| unsent.into_inner()),
            None => Some(batch),
        };
        if let Some(batch) = unsent {
            // The thread is gone (it panicked): nothing will sync this batch.
            self.shared.release(batch.writes);
            for job in batch.jobs {
                job.settle(Some(FLUSHER_FAILED));
            }
        }
    }

    /// The failure that stopped the writes, if one did.
    pub fn failed(&self) -> Option<&str> {
        self.shared.failed.get().map(String::as_str)
    }
}

impl Drop for Flusher {
    fn drop(&mut self) {
        self.batches.take();
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("the log's flusher panicked");
        }
    }
}

/// The answer of writes the flusher's thread could not sync: it ended.
const FLUSHER_FAILED: &str = "the database's log could not be flushed: its thread ended";

/// Syncs once for every batch handed on meanwhile, then answers them, until the writer
/// drops its end.
fn run(mut log: LogFlush, answerer: &Answerer, received: &Receiver<Committed>, shared: &Shared) {
    /// Should this thread panic, the writes stop and the writer waits for it no longer.
    struct OnPanic<'a>(&'a Shared);
    impl Drop for OnPanic<'_> {
        fn drop(&mut self) {
            if thread::panicking() {
                self.0.record_failure(FLUSHER_FAILED);
                self.0.release(usize::MAX);
            }
        }
    }
    while let Ok(first) = received.recv() {
        let mut batches = vec![first];
        batches.extend(received.try_iter());
        // After `batches`, so dropped before them: should the sync panic, the failure is
        // recorded before their writers hear that their answers are lost.
        let _on_panic = OnPanic(shared);
        let synced = log.flush();
        let done = Instant::now();
        if let Err(failure) = &synced {
            shared.record_failure(failure);
        }
        let writes = batches.iter().map(|batch| batch.writes).sum();
        shared.release(writes);
        answerer.answer(batches, done, synced.as_ref().err().map(String::as_str));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Duration = Duration::ZERO;

    #[test]
    fn with_nothing_waiting_for_a_sync_the_writer_begins() {
        assert_eq!(next(0, NOW), Next::Begin);
        assert_eq!(next(0, PATIENCE * 10), Next::Begin);
    }

    #[test]
    fn the_writer_waits_for_a_quick_sync() {
        assert_eq!(next(1, NOW), Next::WaitAtMost(PATIENCE));
        let part = PATIENCE / 4;
        assert_eq!(next(5, part), Next::WaitAtMost(PATIENCE - part));
    }

    #[test]
    fn past_its_patience_the_writer_begins_while_a_batch_fits() {
        assert_eq!(next(1, PATIENCE), Next::Begin);
        assert_eq!(next(MAX_UNFLUSHED - MAX_BATCH, PATIENCE), Next::Begin);
        assert_eq!(
            next(MAX_UNFLUSHED - MAX_BATCH + 1, PATIENCE * 100),
            Next::WaitForRoom
        );
    }
}
