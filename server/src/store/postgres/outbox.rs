//! The email outbox on PostgreSQL, shared by the workers of every node: a worker claims due
//! entries with `FOR UPDATE SKIP LOCKED` and pushes them a lease into the future in the same
//! statement, so no other worker takes them while it sends; its recorded result (or the
//! lease running out, if its node died mid-send) settles them.

use deadpool_postgres::{GenericClient, Pool};
use tokio_postgres::Row;

use super::fault::Fail;
use crate::model::Kind;
use crate::store::{EmailResult, OutboxEntry, OutboxStatus};

/// How long a claimed email is left to its worker before another may try it.
pub const LEASE_MS: i64 = 5 * 60 * 1000;

const COLUMNS: &str = "id, notification_id, user_id, to_address, type, title, body, link, category, \
                       status, attempts, next_attempt_at, last_error, created_at";

fn entry(row: &Row) -> Result<OutboxEntry, tokio_postgres::Error> {
    let kind: String = row.try_get(4)?;
    let attempts: i32 = row.try_get(10)?;
    Ok(OutboxEntry {
        id: row.try_get(0)?,
        notification_id: row.try_get(1)?,
        user_id: row.try_get(2)?,
        to_address: row.try_get(3)?,
        kind: kind.parse().unwrap_or(Kind::Info),
        title: row.try_get(5)?,
        body: row.try_get(6)?,
        link: row.try_get(7)?,
        category: row.try_get(8)?,
        status: row
            .try_get::<_, String>(9)?
            .parse()
            .unwrap_or(OutboxStatus::Failed),
        attempts: attempts.max(0) as u32,
        next_attempt_at: row.try_get(11)?,
        last_error: row.try_get(12)?,
        created_at: row.try_get(13)?,
    })
}

/// Claims up to `limit` pending entries due at `now`, oldest first, for this worker alone.
pub async fn claim(pool: &Pool, now: i64, limit: u32) -> Result<Vec<OutboxEntry>, Fail> {
    let client = pool.get().await?;
    let sql = format!(
        "UPDATE email_outbox SET next_attempt_at = $2 WHERE id IN (
             SELECT id FROM email_outbox WHERE status = 'pending' AND next_attempt_at <= $1
             ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
         RETURNING {COLUMNS}"
    );
    let stmt = client.prepare_cached(&sql).await?;
    let rows = client
        .query(&stmt, &[&now, &(now + LEASE_MS), &i64::from(limit)])
        .await?;
    let mut claimed = rows.iter().map(entry).collect::<Result<Vec<_>, _>>()?;
    claimed.sort_by_key(|e| (e.created_at, e.id));
    Ok(claimed)
}

/// When the next pending entry is due.
pub async fn next_due(pool: &Pool) -> Result<Option<i64>, Fail> {
    let client = pool.get().await?;
    let stmt = client
        .prepare_cached("SELECT min(next_attempt_at) FROM email_outbox WHERE status = 'pending'")
        .await?;
    Ok(client.query_one(&stmt, &[]).await?.try_get(0)?)
}

/// Records one attempt's result.
pub async fn record(pool: &Pool, id: i64, result: &EmailResult) -> Result<(), Fail> {
    let client = pool.get().await?;
    match result {
        EmailResult::Sent { at_ms } => {
            let stmt = client
                .prepare_cached(
                    "UPDATE email_outbox SET status = 'sent', attempts = attempts + 1, sent_at = $2,
                     last_error = NULL WHERE id = $1",
                )
                .await?;
            client.execute(&stmt, &[&id, at_ms]).await?
        }
        EmailResult::Retry {
            error,
            next_attempt_at,
        } => {
            let stmt = client
                .prepare_cached(
                    "UPDATE email_outbox SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3
                     WHERE id = $1",
                )
                .await?;
            client
                .execute(&stmt, &[&id, error, next_attempt_at])
                .await?
        }
        EmailResult::Failed { error } => {
            let stmt = client
                .prepare_cached(
                    "UPDATE email_outbox SET status = 'failed', attempts = attempts + 1, last_error = $2
                     WHERE id = $1",
                )
                .await?;
            client.execute(&stmt, &[&id, error]).await?
        }
    };
    Ok(())
}

/// Pending and failed entries (and sent ones with `all`), newest first.
pub async fn list(c: &impl GenericClient, all: bool) -> Result<Vec<OutboxEntry>, Fail> {
    let filter = if all {
        ""
    } else {
        "WHERE status IN ('pending', 'failed')"
    };
    let sql = format!("SELECT {COLUMNS} FROM email_outbox {filter} ORDER BY id DESC");
    let rows = c.query(&sql, &[]).await?;
    Ok(rows.iter().map(entry).collect::<Result<_, _>>()?)
}
