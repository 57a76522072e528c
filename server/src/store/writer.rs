//! The single writer: one thread owns the write connection and commits in batches (group
//! commit). Requests queue their writes; the writer takes everything queued at that moment,
//! applies each inside one transaction, commits once, then hands the committed events to
//! the publisher (in commit order) and answers each request. With `--sync full` the
//! flusher's thread syncs the log to the disk before the answers (`flusher`, `log_flush`):
//! streams see a commit at once, a request is answered once it is on the disk. When nothing
//! is queued, the writer tidies (`housekeeping`).
//!
//! A write that fails must undo only itself. Most fail before they change anything (a
//! notification not found, a conflicting idempotency key), and then there is nothing to
//! undo; so the writes of a batch share the transaction without a savepoint each, which
//! would cost every write a sub-journal and a flush of the full-text index. Only when a
//! write fails after it changed rows is the transaction rolled back and the batch redone,
//! each write in a savepoint of its own.
//!
//! The notifications of a batch read each recipient's preferences once and add to its
//! totals once (`writes::Recipients`), before the next write of another kind and before the
//! commit.
//!
//! The search index is brought up to date in the batch after [`search::INDEX_EVERY`]
//! notifications gathered, not in every batch: what indexing costs hardly depends on how
//! many rows it takes, and a search finds the rows still waiting all the same.

mod answering;
mod flusher;
mod job;
mod log_flush;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread::{self, JoinHandle};
use std::time::Instant;

use crossbeam_channel::{Receiver, Sender};
use rusqlite::{Connection, TransactionBehavior};
use tokio::sync::Notify;

use super::checkpointer::Checkpointer;
use super::housekeeping::{Housekeeper, Housekeeping};
use super::{Publisher, StoreError, search, writes};
use crate::metrics::Metrics;
use crate::model::InboxEvent;
use crate::timestamp::now_ms;

use answering::{Answerer, Answering, Committed};
use flusher::Flusher;
pub use job::{BatchState, Job, Reply, job, notify};
use log_flush::LogFlush;

/// At most this many writes share one transaction.
const MAX_BATCH: usize = 1024;

/// A write waiting for the writer.
pub enum WriteOp {
    /// A write with an answer.
    Write(Box<dyn Job>),
    /// A token was used (best effort, no answer).
    TouchToken { token_id: i64, at_ms: i64 },
    /// Commit what came before, then stop.
    Stop,
}

/// How the writes of a batch are kept apart inside its transaction.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Isolation {
    /// Not at all: a write that fails after changing rows has the batch redone.
    Shared,
    /// Each write in a savepoint, rolled back to if it fails.
    Savepoints,
}

/// A write failed after it changed rows: its batch must be redone with savepoints.
struct Redo;

/// Who the writer tells about what it committed.
pub struct Listeners {
    /// Committed inbox events go to open streams (through the hub).
    pub publisher: Arc<dyn Publisher>,
    pub metrics: Arc<Metrics>,
    /// Woken when an email was queued; `None` when the email channel is off.
    pub outbox: Option<Arc<Notify>>,
}

/// Starts the writer thread on `conn`, with room for `queue` waiting writes (senders use
/// `try_send`, and a full queue means `503` with `Retry-After`); `checkpointer` (none for a
/// database in memory) is told of commits once they are answered; `durability` says where
/// commits reach the disk.
pub fn start(
    conn: Connection,
    listeners: Listeners,
    housekeeping: Housekeeping,
    queue: usize,
    checkpointer: Option<Checkpointer>,
    durability: Durability,
) -> Result<(Sender<WriteOp>, JoinHandle<()>), StoreError> {
    let (tx, rx) = crossbeam_channel::bounded(queue.max(1));
    let answerer = Answerer {
        metrics: Arc::clone(&listeners.metrics),
        outbox: listeners.outbox.clone(),
        checkpointer,
    };
    let answering = match durability {
        Durability::Commit => Answering::AtCommit(answerer),
        Durability::FlushLog(log) => Answering::AfterSync(Flusher::start(log, answerer)?),
    };
    let handle = thread::Builder::new()
        .name("notif-writer".into())
        .spawn(move || {
            let state = BatchState {
                email: listeners.outbox.is_some(),
                ..BatchState::default()
            };
            Writer {
                answering,
                conn,
                listeners,
                housekeeper: Housekeeper::new(housekeeping),
                // Rows an earlier run left waiting for the index go in with the first batch.
                unindexed: search::INDEX_EVERY,
                state,
            }
            .run(&rx)
        })?;
    Ok((tx, handle))
}

/// Where the writer's commits reach the disk.
pub enum Durability {
    /// As SQLite's `synchronous` says: `FULL` (a database in memory) in the commit itself,
    /// `NORMAL` (`--sync normal`) at the checkpoints.
    Commit,
    /// After the commit, by the flusher's sync of this log (`flusher`); the connection
    /// commits with `synchronous = NORMAL`.
    FlushLog(LogFlush),
}

struct Writer {
    /// First, so that it is dropped first: what was handed on to be answered is answered
    /// before the connection closes.
    answering: Answering,
    conn: Connection,
    listeners: Listeners,
    housekeeper: Housekeeper,
    /// Notifications committed since the search index was last brought up to date (those
    /// another process added are not counted: they wait for the writer's next indexing).
    unindexed: u64,
    /// What the writes of the batch being applied share.
    state: BatchState,
}

impl Writer {
    fn run(mut self, rx: &Receiver<WriteOp>) {
        let mut batch = Vec::with_capacity(MAX_BATCH);
        while let Ok(first) = rx.recv() {
            self.answering.wait_to_begin();
            batch.push(first);
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(op) => batch.push(op),
                    Err(_) => break,
                }
            }
            let stop = self.commit_batch(&mut batch);
            if stop {
                break;
            }
            if self.stopped().is_none() && rx.is_empty() {
                self.housekeeper.tidy(&self.conn, now_ms());
            }
        }
        tracing::debug!("writer stopped");
    }

    /// Why the writer writes no more (a failed flush), if it does not.
    fn stopped(&self) -> Option<&str> {
        self.answering.failed()
    }

    /// Applies and commits one batch, publishes its events and has it answered (with
    /// `--sync full`, after the log's sync); returns whether a `Stop` was in it.
    fn commit_batch(&mut self, batch: &mut Vec<WriteOp>) -> bool {
        let size = batch.len();
        let stop = batch.iter().any(|op| matches!(op, WriteOp::Stop));
        let started = Instant::now();
        let index = self.unindexed >= search::INDEX_EVERY;
        let commit_error = match self.stopped().map(str::to_owned) {
            Some(message) => Some(message),
            None => match self.run_batch(batch, Isolation::Shared, index) {
                Ok(commit_error) => commit_error,
                Err(Redo) => {
                    self.listeners
                        .metrics
                        .batches_redone
                        .fetch_add(1, Ordering::Relaxed);
                    self.run_batch(batch, Isolation::Savepoints, index)
                        .unwrap_or_else(|Redo| Some("the batch could not be redone".to_owned()))
                }
            },
        };
        let mut jobs: Vec<Box<dyn Job>> = batch
            .drain(..)
            .filter_map(|op| match op {
                WriteOp::Write(job) => Some(job),
                WriteOp::TouchToken { .. } | WriteOp::Stop => None,
            })
            .collect();
        if let Some(message) = commit_error {
            tracing::error!(%message, "commit failed");
            for job in jobs {
                job.settle(Some(&message));
            }
            return stop;
        }
        let committed_in = started.elapsed();
        self.announce(&mut jobs, size, index);
        let committed = Committed {
            jobs,
            committed_in,
            handed: Instant::now(),
            writes: size,
        };
        self.answering.answer(committed);
        stop
    }

    /// Applies each write of `batch` in one transaction (and, with `index`, indexes the rows
    /// waiting for the search index) and commits it; the commit's error if nothing of the batch
    /// was committed, or [`Redo`] (all rolled back) when a write failed after changing rows
    /// under `Isolation::Shared`.
    fn run_batch(
        &mut self,
        batch: &mut [WriteOp],
        isolation: Isolation,
        index: bool,
    ) -> Result<Option<String>, Redo> {
        // Read again in every transaction: what an earlier one read may have changed since.
        self.state.recipients.forget();
        let tx = match self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
        {
            Ok(tx) => tx,
            Err(err) => return Ok(Some(format!("could not begin a transaction: {err}"))),
        };
        for op in batch.iter_mut() {
            match op {
                WriteOp::Write(job) => {
                    // Another write may read or change what the notifications before it
                    // kept back: their counts first.
                    if !job.is_notify()
                        && let Err(err) = self.state.recipients.write_counts(&tx)
                    {
                        return Ok(Some(format!("could not count notifications: {err}")));
                    }
                    let now = now_ms();
                    match isolation {
                        Isolation::Shared => {
                            let before = tx.total_changes();
                            if !job.apply(&tx, &mut self.state, now) && tx.total_changes() != before
                            {
                                return Err(Redo);
                            }
                        }
                        Isolation::Savepoints => {
                            if let Err(err) =
                                apply_in_savepoint(&tx, job.as_mut(), &mut self.state, now)
                            {
                                return Ok(Some(format!("could not isolate a write: {err}")));
                            }
                        }
                    }
                }
                WriteOp::TouchToken { token_id, at_ms } => {
                    if let Err(err) = writes::touch_token(&tx, *token_id, *at_ms) {
                        tracing::warn!(%err, "could not record token use");
                    }
                }
                WriteOp::Stop => {}
            }
            // Some errors (I/O, out of memory, some disk-full cases) make SQLite roll back
            // the whole transaction: nothing of this batch will commit.
            if tx.is_autocommit() {
                return Ok(Some(
                    "the transaction was rolled back by the database".to_owned(),
                ));
            }
        }
        if let Err(err) = self.state.recipients.write_counts(&tx) {
            return Ok(Some(format!("could not count notifications: {err}")));
        }
        if index && let Err(err) = search::index_pending(&tx) {
            return Ok(Some(format!("could not index for search: {err}")));
        }
        Ok(tx.commit().err().map(|e| e.to_string()))
    }

    /// After a commit: hands its events on, in commit order, and counts them.
    fn announce(&mut self, jobs: &mut [Box<dyn Job>], size: usize, index: bool) {
        let events: Vec<InboxEvent> = jobs.iter_mut().flat_map(|job| job.take_events()).collect();
        let mut created = 0;
        for event in &events {
            if let InboxEvent::Created(n) = event {
                created += 1;
                self.housekeeper.grew(&n.user_id);
            }
        }
        // The batch's own notifications were indexed with it.
        self.unindexed = if index { 0 } else { self.unindexed + created };
        let metrics = &self.listeners.metrics;
        metrics
            .notifications_created
            .fetch_add(created, Ordering::Relaxed);
        metrics.record_batch(size);
        if !events.is_empty() {
            self.listeners.publisher.publish(&events);
        }
    }
}

/// Applies one write in a savepoint, rolled back to if the write fails.
fn apply_in_savepoint(
    conn: &Connection,
    job: &mut dyn Job,
    state: &mut BatchState,
    now: i64,
) -> rusqlite::Result<()> {
    conn.execute_batch("SAVEPOINT op")?;
    let end = if job.apply(conn, state, now) {
        "RELEASE op"
    } else {
        "ROLLBACK TO op; RELEASE op"
    };
    conn.execute_batch(end)
}

#[cfg(test)]
mod tests;
