//! What happens to a batch once it is committed: its commit's time is counted, its writes
//! are answered, then the email worker is woken if it queued an email and the checkpoint
//! thread told of the commit. With `--sync full` on a file that waits for the flusher's sync
//! of the log ([`flusher`](super::flusher)), and follows each successful sync once for all
//! the batches it covered; otherwise it happens at once, on the writer's thread.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use super::flusher::Flusher;
use super::job::Job;
use crate::metrics::Metrics;
use crate::store::checkpointer::Checkpointer;

/// A committed batch, waiting to be answered.
pub struct Committed {
    pub jobs: Vec<Box<dyn Job>>,
    /// From the start of its transaction until its commit returned.
    pub committed_in: Duration,
    /// When it was handed on to be answered, after its events went to the streams.
    pub handed: Instant,
    /// How many writes it held (what counts toward `flusher::MAX_UNFLUSHED`).
    pub writes: usize,
}

/// Answers committed batches, and tells who else needs to know.
pub struct Answerer {
    pub metrics: Arc<Metrics>,
    /// Woken when an answered batch queued an email; `None` when the email channel is off.
    pub outbox: Option<Arc<Notify>>,
    /// Told of answered commits; none for a database in memory.
    pub checkpointer: Option<Checkpointer>,
}

impl Answerer {
    /// Answers `batches`, on the disk at `done`, or with `failure` when they could not get
    /// there. Each batch's time in the database is its commit's and then its wait for the
    /// disk, without the time its events took to reach the streams.
    pub fn answer(
        &self,
        batches: impl IntoIterator<Item = Committed>,
        done: Instant,
        failure: Option<&str>,
    ) {
        let mut email = false;
        for batch in batches {
            let waited = done.saturating_duration_since(batch.handed);
            self.metrics.record_commit(batch.committed_in + waited);
            for job in batch.jobs {
                email |= job.queued_email();
                job.settle(failure);
            }
        }
        if failure.is_some() {
            return;
        }
        if let (true, Some(outbox)) = (email, &self.outbox) {
            outbox.notify_one();
        }
        // After the answers: when it is idle, nudging the checkpointer wakes its thread.
        if let Some(checkpointer) = &self.checkpointer {
            checkpointer.committed();
        }
    }
}

/// How the writer's committed batches are answered.
pub enum Answering {
    /// At once: the commit put them where `--sync` asks.
    AtCommit(Answerer),
    /// Once the flusher has synced the log after them.
    AfterSync(Flusher),
}

impl Answering {
    /// Waits until the writer may begin its next batch (see `flusher`).
    pub fn wait_to_begin(&mut self) {
        if let Answering::AfterSync(flusher) = self {
            flusher.wait_to_begin();
        }
    }

    /// Answers `batch`, now or after the flusher's sync.
    pub fn answer(&mut self, batch: Committed) {
        match self {
            Answering::AtCommit(answerer) => {
                let done = batch.handed;
                answerer.answer([batch], done, None);
            }
            Answering::AfterSync(flusher) => flusher.hand(batch),
        }
    }

    /// Why the writer writes no more (a failed sync), if it does not.
    pub fn failed(&self) -> Option<&str> {
        match self {
            Answering::AtCommit(_) => None,
            Answering::AfterSync(flusher) => flusher.failed(),
        }
    }
}
