//! A batch of plain notifies (no idempotency key) in one round trip: `BEGIN`, one
//! `notif_notify` call per notify (the last also sending the batch's end marker) and
//! `COMMIT` go out together on the connection (a batch of one is its call alone, a
//! transaction of its own) — tokio-postgres sends a request when its future is first
//! polled, and PostgreSQL runs them in the order sent, so the notifies still apply in the
//! batch's order, each under its user's counter row.
//!
//! No savepoints: a call that only finds no such user answers that without failing. Should a
//! call fail (the transaction is then aborted, the later calls refused, and `COMMIT` rolls
//! back), nothing is written and the batch says so: it is run again one write at a time,
//! each in a savepoint (`batch`).

use std::pin::Pin;
use std::task::Poll;

use deadpool_postgres::Object;
use tokio_postgres::Row;

use super::batch::{Done, Op};
use super::fault::Fail;
use super::notify::{NOTIFY_SQL, NotifyCall};
use crate::store::StoreError;

/// Whether `batch` can go in one round trip: plain notifies only.
pub fn fits(batch: &[Op]) -> bool {
    batch
        .iter()
        .all(|op| matches!(op, Op::Notify(command, _) if command.idempotency.is_none()))
}

/// Applies and commits `batch` (which `fits`), `marker` last; every write's own result, or
/// the failure that rolled the whole batch back.
pub async fn run(
    client: &Object,
    batch: &[Op],
    email: bool,
    marker: &str,
) -> Result<Vec<Result<Done, StoreError>>, Fail> {
    let stmt = client.prepare_cached(NOTIFY_SQL).await?;
    let calls: Vec<NotifyCall<'_>> = batch
        .iter()
        .filter_map(|op| match op {
            Op::Notify(command, _) => Some(NotifyCall::new(command)),
            _ => None,
        })
        .collect();
    let last = calls.len().saturating_sub(1);
    if let [call] = &calls[..] {
        // One statement is a transaction of its own: no BEGIN, no COMMIT to run.
        let row = call.send(client, &stmt, email, Some(marker)).await?;
        return Ok(calls.into_iter().map(|call| finish(call, &row)).collect());
    }
    let mut steps: Vec<Step<'_>> = Vec::with_capacity(calls.len() + 2);
    steps.push(Box::pin(async {
        client.batch_execute("BEGIN").await.map(|()| None)
    }));
    for (i, call) in calls.iter().enumerate() {
        let marker = (i == last).then_some(marker);
        let stmt = &stmt;
        steps.push(Box::pin(async move {
            call.send(client, stmt, email, marker).await.map(Some)
        }));
    }
    steps.push(Box::pin(async {
        client.batch_execute("COMMIT").await.map(|()| None)
    }));
    let mut done = in_order(steps).await.into_iter();
    if let Some(began) = done.next() {
        began?;
    }
    let mut results = Vec::with_capacity(calls.len());
    // The first failing call says why; the later ones only that the transaction was aborted.
    for (call, row) in calls.into_iter().zip(done.by_ref()) {
        match row? {
            Some(row) => results.push(finish(call, &row)),
            None => return Err(StoreError::Commit("a call returned no row".into()).into()),
        }
    }
    if let Some(committed) = done.next() {
        committed?;
    }
    Ok(results)
}

/// One request of the pipeline: `BEGIN`, a call (its row) or `COMMIT`.
type Step<'a> =
    Pin<Box<dyn Future<Output = Result<Option<Row>, tokio_postgres::Error>> + Send + 'a>>;

/// Runs `steps` to completion, polling them in order every time, so that each sends its
/// request in that order on its first poll: every call after `BEGIN`, `COMMIT` after every
/// call (`join_all` promises no order of first polls for long lists).
async fn in_order<'a>(mut steps: Vec<Step<'a>>) -> Vec<Result<Option<Row>, tokio_postgres::Error>> {
    let mut outputs: Vec<Option<Result<Option<Row>, tokio_postgres::Error>>> =
        steps.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (step, output) in steps.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match step.as_mut().poll(cx) {
                    Poll::Ready(result) => *output = Some(result),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

/// A call's answer to its write.
fn finish(call: NotifyCall<'_>, row: &Row) -> Result<Done, StoreError> {
    call.finish(row)
        .map(Done::Notify)
        .map_err(|fail| StoreError::from(fail).classify())
}
