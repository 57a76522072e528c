//! The email outbox on PostgreSQL, shared by the workers of every node. A worker claims due
//! entries with `FOR UPDATE SKIP LOCKED` and, on its node's claims session, an advisory lock
//! per entry, held until it records the attempt's result: no other worker takes the entry
//! meanwhile, and if the node dies mid-send its session ends, the locks go with it, and the
//! entry is due again for the others (or for the node, restarted) at once.

use std::collections::HashSet;

use deadpool_postgres::{GenericClient, Object, Pool};
use tokio::sync::Mutex;
use tokio_postgres::Row;

use super::fault::Fail;
use crate::model::Kind;
use crate::store::{EmailResult, OutboxEntry, OutboxStatus};

/// The first key of the outbox's advisory locks (the second is the entry's id).
const CLAIM_LOCKS: i32 = 0x6e6f_7469;

/// The session that holds this node's claims, and what it holds.
#[derive(Default)]
pub struct Claims {
    session: Mutex<(Option<Object>, HashSet<i64>)>,
}

/// The advisory lock's second key for entry `id` (ids beyond 2³¹ share keys: an entry may
/// then wait for another's attempt, never be sent twice).
fn lock_key(id: i64) -> i32 {
    i32::try_from(id % i64::from(i32::MAX)).unwrap_or(0)
}

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

/// Claims up to `limit` pending entries due at `now`, oldest first, for this node's worker.
pub async fn claim(
    pool: &Pool,
    claims: &Claims,
    now: i64,
    limit: u32,
) -> Result<Vec<OutboxEntry>, Fail> {
    let mut guard = claims.session.lock().await;
    let (session, held) = &mut *guard;
    if session.as_ref().is_none_or(|c| c.is_closed()) {
        // A new session: whatever the old one held was released with it.
        *session = Some(pool.get().await?);
        held.clear();
    }
    let Some(client) = session.as_mut() else {
        return Ok(Vec::new());
    };
    let tx = client.transaction().await?;
    let candidates = tx
        .prepare_cached(
            "SELECT id FROM email_outbox WHERE status = 'pending' AND next_attempt_at <= $1
             ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED",
        )
        .await?;
    let try_lock = tx
        .prepare_cached("SELECT pg_try_advisory_lock($1, $2)")
        .await?;
    let mut mine = Vec::new();
    for row in tx.query(&candidates, &[&now, &i64::from(limit)]).await? {
        let id: i64 = row.try_get(0)?;
        if held.contains(&id) {
            continue;
        }
        let locked: bool = tx
            .query_one(&try_lock, &[&CLAIM_LOCKS, &lock_key(id)])
            .await?
            .try_get(0)?;
        if locked {
            mine.push(id);
        }
    }
    let sql =
        format!("SELECT {COLUMNS} FROM email_outbox WHERE id = ANY($1) ORDER BY created_at, id");
    let stmt = tx.prepare_cached(&sql).await?;
    let rows = tx.query(&stmt, &[&mine]).await?;
    tx.commit().await?;
    held.extend(mine);
    Ok(rows.iter().map(entry).collect::<Result<_, _>>()?)
}

/// Lets go of entry `id` after its attempt was recorded.
async fn release(claims: &Claims, id: i64) -> Result<(), Fail> {
    let mut guard = claims.session.lock().await;
    let (session, held) = &mut *guard;
    if held.remove(&id) {
        if let Some(client) = session.as_ref().filter(|c| !c.is_closed()) {
            client
                .execute(
                    "SELECT pg_advisory_unlock($1, $2)",
                    &[&CLAIM_LOCKS, &lock_key(id)],
                )
                .await?;
        }
    }
    Ok(())
}

/// When the next pending entry is due.
pub async fn next_due(pool: &Pool) -> Result<Option<i64>, Fail> {
    let client = pool.get().await?;
    let stmt = client
        .prepare_cached("SELECT min(next_attempt_at) FROM email_outbox WHERE status = 'pending'")
        .await?;
    Ok(client.query_one(&stmt, &[]).await?.try_get(0)?)
}

/// Records one attempt's result and lets go of the entry.
pub async fn record(
    pool: &Pool,
    claims: &Claims,
    id: i64,
    result: &EmailResult,
) -> Result<(), Fail> {
    record_result(pool, id, result).await?;
    release(claims, id).await
}

async fn record_result(pool: &Pool, id: i64, result: &EmailResult) -> Result<(), Fail> {
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
