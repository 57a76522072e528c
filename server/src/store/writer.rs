//! The single writer: one thread owns the write connection and commits in batches (group
//! commit). Requests queue their writes; the writer takes everything queued at that moment,
//! applies each (`writes`) in its own savepoint inside one transaction, commits once, then
//! hands the committed events to the publisher (in commit order) and answers each request.
//! When nothing is queued, it tidies (`housekeeping`).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread::{self, JoinHandle};

use crossbeam_channel::{Receiver, Sender};
use rusqlite::{Connection, Transaction, TransactionBehavior};
use tokio::sync::{Notify, oneshot};

use super::housekeeping::{Housekeeper, Housekeeping};
use super::outbox::{self, EmailResult};
use super::writes::{self, Written};
use super::{NotifyCommand, NotifyOutcome, Publisher, ReadAllOutcome, StoreError};
use crate::metrics::Metrics;
use crate::model::{InboxEvent, Notification, Preferences, PreferencesPatch};
use crate::timestamp::now_ms;

/// At most this many writes share one transaction.
const MAX_BATCH: usize = 1024;

type Reply<T> = oneshot::Sender<Result<T, StoreError>>;

/// A write waiting for the writer.
pub enum WriteOp {
    Notify {
        command: NotifyCommand,
        reply: Reply<NotifyOutcome>,
    },
    SetRead {
        user_id: String,
        id: String,
        read: bool,
        reply: Reply<Notification>,
    },
    ReadAll {
        user_id: String,
        reply: Reply<ReadAllOutcome>,
    },
    Delete {
        user_id: String,
        id: String,
        reply: Reply<()>,
    },
    UpdatePreferences {
        user_id: String,
        patch: PreferencesPatch,
        reply: Reply<Preferences>,
    },
    TouchToken {
        token_id: i64,
        at_ms: i64,
    },
    RecordEmail {
        id: i64,
        result: EmailResult,
        reply: Reply<()>,
    },
    /// Commit what came before, then stop.
    Stop,
}

/// Sends a write's answer, or the commit's error (`Some(message)`) in its place.
type Settle = Box<dyn FnOnce(Option<&str>) + Send>;

/// What applying one write left to do once the batch is committed (or failed).
struct Applied {
    events: Vec<InboxEvent>,
    /// An email was queued: wake the delivery worker once committed.
    queued_email: bool,
    settle: Settle,
}

impl Applied {
    fn nothing() -> Applied {
        Applied {
            events: Vec::new(),
            queued_email: false,
            settle: Box::new(|_| ()),
        }
    }

    fn answer<T: Send + 'static>(reply: Reply<T>, result: Result<T, StoreError>) -> Applied {
        Applied {
            events: Vec::new(),
            queued_email: false,
            settle: Box::new(move |commit_error| {
                let result = match commit_error {
                    Some(message) => Err(StoreError::Commit(message.to_owned())),
                    None => result,
                };
                let _ = reply.send(result);
            }),
        }
    }
}

/// Who the writer tells about what it committed.
pub struct Listeners {
    /// Committed inbox events go to open streams (through the hub).
    pub publisher: Arc<dyn Publisher>,
    pub metrics: Arc<Metrics>,
    /// Woken when an email was queued; `None` when the email channel is off.
    pub outbox: Option<Arc<Notify>>,
}

/// Starts the writer thread on `conn`.
pub fn start(
    conn: Connection,
    listeners: Listeners,
    housekeeping: Housekeeping,
) -> Result<(Sender<WriteOp>, JoinHandle<()>), StoreError> {
    let (tx, rx) = crossbeam_channel::unbounded();
    let handle = thread::Builder::new()
        .name("notif-writer".into())
        .spawn(move || {
            Writer {
                conn,
                listeners,
                housekeeper: Housekeeper::new(housekeeping),
            }
            .run(&rx)
        })?;
    Ok((tx, handle))
}

struct Writer {
    conn: Connection,
    listeners: Listeners,
    housekeeper: Housekeeper,
}

impl Writer {
    fn run(mut self, rx: &Receiver<WriteOp>) {
        let mut batch = Vec::with_capacity(MAX_BATCH);
        while let Ok(first) = rx.recv() {
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
            if rx.is_empty() {
                self.housekeeper.tidy(&self.conn, now_ms());
            }
        }
        tracing::debug!("writer stopped");
    }

    /// Applies and commits one batch, then publishes and answers; returns whether a `Stop`
    /// was in it.
    fn commit_batch(&mut self, batch: &mut Vec<WriteOp>) -> bool {
        let size = batch.len();
        let stop = batch.iter().any(|op| matches!(op, WriteOp::Stop));
        let tx = match self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
        {
            Ok(tx) => tx,
            Err(err) => {
                let message = err.to_string();
                tracing::error!(%message, "could not begin a transaction");
                for op in batch.drain(..) {
                    (refuse(op, || StoreError::Commit(message.clone())).settle)(None);
                }
                return stop;
            }
        };
        let email = self.listeners.outbox.is_some();
        let (mut applied, commit_error) = apply_and_commit(tx, batch.drain(..), email);
        if let Some(message) = &commit_error {
            tracing::error!(%message, "commit failed");
        } else {
            self.listeners.metrics.record_batch(size);
            self.publish(&mut applied);
        }
        for a in applied {
            (a.settle)(commit_error.as_deref());
        }
        stop
    }

    /// Hands a committed batch's events on, in commit order, and wakes the email worker.
    fn publish(&mut self, applied: &mut [Applied]) {
        let events: Vec<InboxEvent> = applied
            .iter_mut()
            .flat_map(|a| std::mem::take(&mut a.events))
            .collect();
        let mut created = 0;
        for event in &events {
            if let InboxEvent::Created(n) = event {
                created += 1;
                self.housekeeper.grew(&n.user_id);
            }
        }
        self.listeners
            .metrics
            .notifications_created
            .fetch_add(created, Ordering::Relaxed);
        if !events.is_empty() {
            self.listeners.publisher.publish(&events);
        }
        if let (true, Some(outbox)) = (
            applied.iter().any(|a| a.queued_email),
            &self.listeners.outbox,
        ) {
            outbox.notify_one();
        }
    }
}

/// Applies each write of `ops` in `tx`, then commits; returns what is left to do for each
/// write, and the commit's error if nothing of the batch was committed.
fn apply_and_commit(
    tx: Transaction<'_>,
    ops: impl Iterator<Item = WriteOp>,
    email: bool,
) -> (Vec<Applied>, Option<String>) {
    let mut applied = Vec::new();
    let mut aborted: Option<String> = None;
    for op in ops {
        if matches!(op, WriteOp::Stop) {
            continue;
        }
        if let Some(message) = &aborted {
            applied.push(refuse(op, || StoreError::Commit(message.clone())));
            continue;
        }
        applied.push(apply_in_savepoint(&tx, op, email));
        // Some errors (I/O, out of memory, some disk-full cases) make SQLite roll back
        // the whole transaction: nothing of this batch will commit, and what follows
        // must not run outside a transaction.
        if tx.is_autocommit() {
            aborted = Some("the transaction was rolled back by the database".to_owned());
        }
    }
    let commit_error = match aborted {
        Some(message) => {
            drop(tx);
            Some(message)
        }
        None => tx.commit().err().map(|e| e.to_string()),
    };
    (applied, commit_error)
}

/// Answers a write that never got to run with `error`.
fn refuse(op: WriteOp, error: impl Fn() -> StoreError) -> Applied {
    match op {
        WriteOp::Notify { reply, .. } => Applied::answer(reply, Err(error())),
        WriteOp::SetRead { reply, .. } => Applied::answer(reply, Err(error())),
        WriteOp::ReadAll { reply, .. } => Applied::answer(reply, Err(error())),
        WriteOp::Delete { reply, .. } => Applied::answer(reply, Err(error())),
        WriteOp::UpdatePreferences { reply, .. } => Applied::answer(reply, Err(error())),
        WriteOp::RecordEmail { reply, .. } => Applied::answer(reply, Err(error())),
        WriteOp::TouchToken { .. } | WriteOp::Stop => Applied::nothing(),
    }
}

/// Applies one write in a savepoint, so that its failure undoes only itself.
fn apply_in_savepoint(conn: &Connection, op: WriteOp, email: bool) -> Applied {
    if let Err(err) = conn.execute_batch("SAVEPOINT op") {
        let message = err.to_string();
        return refuse(op, || StoreError::Commit(message.clone()));
    }
    let (applied, failed) = apply(conn, op, email);
    let end = if failed {
        "ROLLBACK TO op; RELEASE op"
    } else {
        "RELEASE op"
    };
    if let Err(err) = conn.execute_batch(end) {
        tracing::error!(%err, "could not end a savepoint");
    }
    applied
}

/// Applies one write (`email`: whether the email channel is on); the flag says whether it
/// failed (and must be rolled back).
fn apply(conn: &Connection, op: WriteOp, email: bool) -> (Applied, bool) {
    let now = now_ms();
    match op {
        WriteOp::Notify { command, reply } => {
            let result = writes::notify(conn, &command, email, now);
            let queued_email = matches!(
                &result,
                Ok(Written { value: NotifyOutcome::Created(response), .. }) if response.delivered.email
            );
            let (mut applied, failed) = finish(reply, result);
            applied.queued_email = queued_email;
            (applied, failed)
        }
        WriteOp::SetRead {
            user_id,
            id,
            read,
            reply,
        } => finish(reply, writes::set_read(conn, &user_id, &id, read, now)),
        WriteOp::ReadAll { user_id, reply } => finish(reply, writes::read_all(conn, &user_id, now)),
        WriteOp::Delete { user_id, id, reply } => {
            finish(reply, writes::delete(conn, &user_id, &id))
        }
        WriteOp::UpdatePreferences {
            user_id,
            patch,
            reply,
        } => {
            let result = writes::update_preferences(conn, &user_id, &patch);
            finish(reply, result.map(Written::quiet))
        }
        WriteOp::RecordEmail { id, result, reply } => {
            finish(reply, outbox::record(conn, id, &result).map(Written::quiet))
        }
        WriteOp::TouchToken { token_id, at_ms } => {
            if let Err(err) = writes::touch_token(conn, token_id, at_ms) {
                tracing::warn!(%err, "could not record token use");
            }
            (Applied::nothing(), false)
        }
        WriteOp::Stop => (Applied::nothing(), false),
    }
}

/// Turns a write's result into its reply and the events it publishes once committed; the
/// flag says whether it failed.
fn finish<T: Send + 'static>(
    reply: Reply<T>,
    result: Result<Written<T>, StoreError>,
) -> (Applied, bool) {
    match result {
        Ok(Written { value, events }) => {
            let mut applied = Applied::answer(reply, Ok(value));
            applied.events = events;
            (applied, false)
        }
        Err(err) => (Applied::answer(reply, Err(err.classify())), true),
    }
}

#[cfg(test)]
mod tests;
