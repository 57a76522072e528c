//! Group commit on PostgreSQL: writes queue here, and a few writer tasks each take whatever
//! is queued at that moment and apply it in one transaction — plain notifies in one round
//! trip (`pipeline`), other writes one after another, each in its own savepoint when there
//! are several (so a failing write undoes only itself) — then commit once and answer every
//! write. One commit — one WAL flush — for many writes, as the SQLite writer does; on
//! PostgreSQL it matters most for one user's writes, which wait for each other's commit on
//! the user's counter row.
//!
//! A batch takes users' counter rows in user order (it is sorted by user, keeping each
//! user's writes in arrival order), so batches on different writers and different nodes
//! wait for each other instead of deadlocking; should PostgreSQL still find a deadlock, the
//! whole batch runs again.

use std::sync::Arc;
use std::time::Instant;

use deadpool_postgres::Pool;
use tokio::sync::{Mutex, mpsc, oneshot};
use tokio::task::JoinSet;

use super::echo::{Echoes, Waiter};
use super::events;
use super::fault::{self, Fail};
use super::housekeeping;
use super::notify::{self, Notified};
use super::pipeline;
use super::writes;
use crate::metrics::Metrics;
use crate::model::{Notification, Preferences, PreferencesPatch};
use crate::store::{NotifyCommand, ReadAllOutcome, StoreError};

/// Writer tasks per node: batches in flight at once. A writer is free again once its batch
/// commits (the answers wait for the echo on their own), so two keep the queue moving;
/// more would split it into more, smaller commits — each a WAL flush and a wake-up of
/// every node's listener.
pub const WRITERS: usize = 2;
/// At most this many writes share one transaction.
const MAX_BATCH: usize = 256;
/// Attempts at a batch that meets deadlocks or serialization failures.
const ATTEMPTS: u32 = 5;

type Reply<T> = oneshot::Sender<Result<T, StoreError>>;

/// A write waiting for a writer.
pub enum Op {
    Notify(NotifyCommand, Reply<Notified>),
    SetRead(String, String, bool, Reply<Notification>),
    ReadAll(String, Reply<ReadAllOutcome>),
    Delete(String, String, Reply<()>),
    UpdatePreferences(String, PreferencesPatch, Reply<Preferences>),
}

impl Op {
    /// The user whose inbox this write changes.
    fn user(&self) -> &str {
        match self {
            Op::Notify(command, _) => &command.notification.user_id,
            Op::SetRead(user, ..)
            | Op::ReadAll(user, _)
            | Op::Delete(user, ..)
            | Op::UpdatePreferences(user, ..) => user,
        }
    }
}

/// A write's result, before it is handed to its request.
pub enum Done {
    Notify(Notified),
    Note(Notification),
    ReadAll(ReadAllOutcome),
    Unit,
    Preferences(Preferences),
}

/// The queue of a node's writes.
#[derive(Clone)]
pub struct Writes {
    queue: mpsc::UnboundedSender<Op>,
}

impl Writes {
    /// Starts `WRITERS` writer tasks on `pool` (`email`: the email channel is on; users a
    /// batch took over `max_per_user` are trimmed after it). They end when every `Writes`
    /// handle is dropped and the queue is empty.
    pub fn start(
        pool: Pool,
        email: bool,
        max_per_user: u64,
        echoes: Arc<Echoes>,
        metrics: Arc<Metrics>,
    ) -> (Writes, Vec<tokio::task::JoinHandle<()>>) {
        let (queue, rx) = mpsc::unbounded_channel();
        let rx = Arc::new(Mutex::new(rx));
        let tasks = (0..WRITERS)
            .map(|_| {
                let (pool, rx, metrics) = (pool.clone(), Arc::clone(&rx), Arc::clone(&metrics));
                let echoes = Arc::clone(&echoes);
                tokio::spawn(async move {
                    // Batches committed, waiting for their echo to be answered.
                    let mut answering = JoinSet::new();
                    while let Some(batch) = next_batch(&rx).await {
                        while answering.try_join_next().is_some() {}
                        metrics.record_batch(batch.len());
                        let over = run(
                            &pool,
                            &echoes,
                            batch,
                            email,
                            max_per_user,
                            &metrics,
                            &mut answering,
                        )
                        .await;
                        if over.is_empty() {
                            continue;
                        }
                        if let Err(fail) =
                            housekeeping::trim_users(&pool, &over, max_per_user).await
                        {
                            let err = StoreError::from(fail);
                            tracing::warn!(%err, "could not trim users to the most kept");
                        }
                    }
                    while answering.join_next().await.is_some() {}
                })
            })
            .collect();
        (Writes { queue }, tasks)
    }

    /// Queues a write made by `op` and waits for its answer.
    pub async fn submit<T>(&self, op: impl FnOnce(Reply<T>) -> Op) -> Result<T, StoreError> {
        let (tx, rx) = oneshot::channel();
        self.queue.send(op(tx)).map_err(|_| StoreError::Closed)?;
        rx.await.map_err(|_| StoreError::Closed)?
    }
}

/// Everything queued now (waiting for the first), or `None` once the queue is closed.
async fn next_batch(rx: &Mutex<mpsc::UnboundedReceiver<Op>>) -> Option<Vec<Op>> {
    let mut rx = rx.lock().await;
    let first = rx.recv().await?;
    let mut batch = vec![first];
    while batch.len() < MAX_BATCH {
        match rx.try_recv() {
            Ok(op) => batch.push(op),
            Err(_) => break,
        }
    }
    Some(batch)
}

/// Applies and commits `batch`, running it again after a deadlock, and has each write
/// answered once this node's hub has the batch's events, as SQLite does (a task in
/// `answering` waits for the echo, so the writer goes on to the next batch meanwhile);
/// counts the time of the attempt that went through in `metrics`; returns the users it took
/// over `max_per_user` notifications.
async fn run(
    pool: &Pool,
    echoes: &Arc<Echoes>,
    mut batch: Vec<Op>,
    email: bool,
    max_per_user: u64,
    metrics: &Metrics,
    answering: &mut JoinSet<()>,
) -> Vec<String> {
    batch.sort_by(|a, b| a.user().cmp(b.user()));
    let mut attempt = 1;
    let outcome = loop {
        let waiter = echoes.register();
        match attempt_batch(pool, &batch, email, &waiter).await {
            Err(fail) if fail.is_retryable() && attempt < ATTEMPTS => {
                echoes.wait_no_more(waiter);
                attempt += 1;
            }
            Err(fail) => {
                echoes.wait_no_more(waiter);
                break Err(fail);
            }
            Ok(Applied {
                results,
                marked,
                started,
            }) => {
                metrics.record_commit(started.elapsed());
                let waiter = if marked {
                    Some(waiter)
                } else {
                    echoes.wait_no_more(waiter);
                    None
                };
                break Ok((results, waiter));
            }
        }
    };
    match outcome {
        Ok((results, waiter)) => {
            let max = i64::try_from(max_per_user).unwrap_or(i64::MAX);
            let over = over_max(&batch, &results, max);
            match waiter {
                Some(waiter) => {
                    let echoes = Arc::clone(echoes);
                    answering.spawn(async move {
                        echoes.wait(waiter).await;
                        answer_all(batch, results);
                    });
                }
                None => answer_all(batch, results),
            }
            over
        }
        Err(fail) => {
            let err = StoreError::from(fail);
            let message = err.to_string();
            tracing::error!(%message, "a batch of writes failed");
            for op in batch {
                let err = match &err {
                    StoreError::Unwritable(cause) => StoreError::Unwritable(cause.clone()),
                    _ => StoreError::Commit(message.clone()),
                };
                answer(op, Err(err));
            }
            Vec::new()
        }
    }
}

/// The users (in batch order, each once) whose notifies left them over `max` notifications.
fn over_max(batch: &[Op], results: &[Result<Done, StoreError>], max: i64) -> Vec<String> {
    let mut over: Vec<String> = Vec::new();
    for (op, result) in batch.iter().zip(results) {
        if let Ok(Done::Notify(n)) = result {
            let user = op.user();
            if n.count.is_some_and(|count| count > max)
                && over.last().is_none_or(|last| last != user)
            {
                over.push(user.to_owned());
            }
        }
    }
    over
}

fn answer_all(batch: Vec<Op>, results: Vec<Result<Done, StoreError>>) {
    for (op, result) in batch.into_iter().zip(results) {
        answer(op, result);
    }
}

/// What one try at a batch gave: every write's own result, and whether the batch's end
/// marker was committed (else there is no echo to wait for: nothing was written).
struct Applied {
    results: Vec<Result<Done, StoreError>>,
    marked: bool,
    /// When the batch had its connection and began (for `notif_commit_seconds`).
    started: Instant,
}

/// One try at the batch: in one round trip if it is plain notifies (`pipeline`), else (or
/// when one of those failed) one write after another, each in a savepoint when there are
/// several; or the failure of the whole.
async fn attempt_batch(
    pool: &Pool,
    batch: &[Op],
    email: bool,
    waiter: &Waiter,
) -> Result<Applied, Fail> {
    let mut client = pool.get().await?;
    let started = Instant::now();
    let marker = events::end_marker(waiter.node, waiter.batch);
    if pipeline::fits(batch) {
        match pipeline::run(&client, batch, email, &marker).await {
            Ok(results) => {
                return Ok(Applied {
                    results,
                    marked: true,
                    started,
                });
            }
            Err(Fail::Pg(err)) if fault::is_unavailable(&err) => return Err(Fail::Pg(err)),
            Err(fail) if fail.is_retryable() => return Err(fail),
            Err(fail) if batch.len() == 1 => {
                return Ok(Applied {
                    results: vec![Err(StoreError::from(fail).classify())],
                    marked: false,
                    started,
                });
            }
            // Rolled back: find the failing write one at a time.
            Err(_) => {}
        }
    }
    let mut tx = client.transaction().await?;
    let mut results = Vec::with_capacity(batch.len());
    for op in batch {
        if batch.len() == 1 {
            // Alone, a failing write just rolls the transaction back.
            match apply(&tx, op, email).await {
                Ok(done) => results.push(Ok(done)),
                Err(Fail::Pg(err)) if fault::is_unavailable(&err) => return Err(Fail::Pg(err)),
                Err(fail) if fail.is_retryable() => return Err(fail),
                Err(fail) => {
                    tx.rollback().await?;
                    return Ok(Applied {
                        results: vec![Err(StoreError::from(fail).classify())],
                        marked: false,
                        started,
                    });
                }
            }
            continue;
        }
        let savepoint = tx.savepoint("op").await?;
        match apply(&savepoint, op, email).await {
            Ok(done) => {
                savepoint.commit().await?;
                results.push(Ok(done));
            }
            Err(Fail::Pg(err)) if fault::is_unavailable(&err) => return Err(Fail::Pg(err)),
            Err(fail) if fail.is_retryable() => return Err(fail),
            Err(fail) => {
                savepoint.rollback().await?;
                results.push(Err(StoreError::from(fail).classify()));
            }
        }
    }
    let stmt = tx.prepare_cached(writes::NOTIFY_PAYLOAD_SQL).await?;
    tx.execute(&stmt, &[&events::CHANNEL, &marker]).await?;
    tx.commit().await?;
    Ok(Applied {
        results,
        marked: true,
        started,
    })
}

async fn apply(
    tx: &deadpool_postgres::Transaction<'_>,
    op: &Op,
    email: bool,
) -> Result<Done, Fail> {
    Ok(match op {
        Op::Notify(command, _) => Done::Notify(notify::notify(tx, command, email).await?),
        Op::SetRead(user, id, read, _) => Done::Note(writes::set_read(tx, user, id, *read).await?),
        Op::ReadAll(user, _) => Done::ReadAll(writes::read_all(tx, user).await?),
        Op::Delete(user, id, _) => {
            writes::delete(tx, user, id).await?;
            Done::Unit
        }
        Op::UpdatePreferences(user, patch, _) => {
            Done::Preferences(writes::update_preferences(tx, user, patch).await?)
        }
    })
}

/// Hands a write its result (a result of the wrong shape cannot happen: `apply` answers
/// each op with its own kind).
fn answer(op: Op, result: Result<Done, StoreError>) {
    fn send<T>(reply: Reply<T>, result: Result<Done, StoreError>, pick: fn(Done) -> Option<T>) {
        let value = result.and_then(|done| {
            pick(done).ok_or_else(|| StoreError::Commit("a write got another's answer".into()))
        });
        let _ = reply.send(value);
    }
    match op {
        Op::Notify(_, reply) => send(reply, result, |d| match d {
            Done::Notify(n) => Some(n),
            _ => None,
        }),
        Op::SetRead(.., reply) => send(reply, result, |d| match d {
            Done::Note(n) => Some(n),
            _ => None,
        }),
        Op::ReadAll(_, reply) => send(reply, result, |d| match d {
            Done::ReadAll(r) => Some(r),
            _ => None,
        }),
        Op::Delete(.., reply) => send(reply, result, |d| match d {
            Done::Unit => Some(()),
            _ => None,
        }),
        Op::UpdatePreferences(.., reply) => send(reply, result, |d| match d {
            Done::Preferences(p) => Some(p),
            _ => None,
        }),
    }
}

#[cfg(test)]
mod tests;
