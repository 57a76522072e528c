//! A batch of plain notifies (no idempotency key) in one round trip: `BEGIN`, one
//! `notif_notify` call per notify (the last also sending the batch's end marker) and
//! `COMMIT` go out together on the connection (a batch of one is its call alone, a
//! transaction of its own) — tokio-postgres pipelines requests polled
//! together, and PostgreSQL runs them in the order sent, so the notifies still apply in the
//! batch's order, each under its user's counter row.
//!
//! No savepoints: a call that only finds no such user answers that without failing. Should a
//! call fail (the transaction is then aborted, the later calls refused, and `COMMIT` rolls
//! back), nothing is written and the batch says so: it is run again one write at a time,
//! each in a savepoint (`batch`).

use deadpool_postgres::Object;
use futures_util::future::{join_all, join3};

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
    let sent = calls.iter().enumerate().map(|(i, call)| {
        let marker = (i == last).then_some(marker);
        call.send(client, &stmt, email, marker)
    });
    // Polled in this order: BEGIN, then the calls in order, then COMMIT.
    let (began, rows, committed) = join3(
        client.batch_execute("BEGIN"),
        join_all(sent),
        client.batch_execute("COMMIT"),
    )
    .await;
    began?;
    let mut results = Vec::with_capacity(calls.len());
    // The first failing call says why; the later ones only that the transaction was aborted.
    for (call, row) in calls.into_iter().zip(rows) {
        results.push(finish(call, &row?));
    }
    committed?;
    Ok(results)
}

/// A call's answer to its write.
fn finish(call: NotifyCall<'_>, row: &tokio_postgres::Row) -> Result<Done, StoreError> {
    call.finish(row)
        .map(Done::Notify)
        .map_err(|fail| StoreError::from(fail).classify())
}
