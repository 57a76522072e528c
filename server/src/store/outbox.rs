//! The email outbox in SQL: queued by the writer in the notification's own transaction,
//! read by the delivery worker, and listed by `notif-server outbox list`.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::StoreError;
use crate::model::{Kind, NewNotification};

/// One email to send (or sent, or given up on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub id: i64,
    pub notification_id: String,
    pub user_id: String,
    pub to_address: String,
    pub kind: Kind,
    pub title: String,
    pub body: Option<String>,
    pub link: Option<String>,
    pub category: Option<String>,
    pub status: String,
    pub attempts: u32,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
}

/// What one delivery attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmailResult {
    Sent {
        at_ms: i64,
    },
    /// Failed; try again at `next_attempt_at`.
    Retry {
        error: String,
        next_attempt_at: i64,
    },
    /// Failed for the last time.
    Failed {
        error: String,
    },
}

const COLUMNS: &str = "id, notification_id, user_id, to_address, type, title, body, link, category, \
                       status, attempts, next_attempt_at, last_error, created_at";

fn entry(row: &Row<'_>) -> rusqlite::Result<OutboxEntry> {
    let kind: String = row.get(4)?;
    Ok(OutboxEntry {
        id: row.get(0)?,
        notification_id: row.get(1)?,
        user_id: row.get(2)?,
        to_address: row.get(3)?,
        kind: kind.parse().unwrap_or(Kind::Info),
        title: row.get(5)?,
        body: row.get(6)?,
        link: row.get(7)?,
        category: row.get(8)?,
        status: row.get(9)?,
        attempts: row.get(10)?,
        next_attempt_at: row.get(11)?,
        last_error: row.get(12)?,
        created_at: row.get(13)?,
    })
}

/// The user's email address, if they have one.
pub fn email_of(conn: &Connection, user_id: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT email FROM users WHERE id = ?1")?
        .query_row([user_id], |r| r.get::<_, Option<String>>(0))
        .optional()?
        .flatten()
        .filter(|e| !e.is_empty()))
}

/// Queues `notification` for `to`, due now.
pub fn enqueue(
    conn: &Connection,
    notification_id: &str,
    notification: &NewNotification,
    to: &str,
    now: i64,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO email_outbox (notification_id, user_id, to_address, type, title, body, link, category,
                                   next_attempt_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
    )?
    .execute(params![
        notification_id,
        notification.user_id,
        to,
        notification.kind.as_str(),
        notification.title,
        notification.body,
        notification.link,
        notification.category,
        now
    ])?;
    Ok(())
}

/// Pending entries due at `now`, oldest first.
pub fn due(conn: &Connection, now: i64, limit: u32) -> Result<Vec<OutboxEntry>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM email_outbox WHERE status = 'pending' AND next_attempt_at <= ?1
         ORDER BY next_attempt_at, id LIMIT ?2"
    );
    let rows = conn
        .prepare_cached(&sql)?
        .query_map(params![now, limit], entry)?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// When the next pending entry is due.
pub fn next_due(conn: &Connection) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT min(next_attempt_at) FROM email_outbox WHERE status = 'pending'")?
        .query_row([], |r| r.get(0))?)
}

/// Records one attempt's result.
pub fn record(conn: &Connection, id: i64, result: &EmailResult) -> Result<(), StoreError> {
    match result {
        EmailResult::Sent { at_ms } => conn
            .prepare_cached(
                "UPDATE email_outbox SET status = 'sent', attempts = attempts + 1, sent_at = ?2, last_error = NULL
                 WHERE id = ?1",
            )?
            .execute(params![id, at_ms])?,
        EmailResult::Retry { error, next_attempt_at } => conn
            .prepare_cached(
                "UPDATE email_outbox SET attempts = attempts + 1, last_error = ?2, next_attempt_at = ?3 WHERE id = ?1",
            )?
            .execute(params![id, error, next_attempt_at])?,
        EmailResult::Failed { error } => conn
            .prepare_cached(
                "UPDATE email_outbox SET status = 'failed', attempts = attempts + 1, last_error = ?2 WHERE id = ?1",
            )?
            .execute(params![id, error])?,
    };
    Ok(())
}

/// Pending and failed entries (and sent ones with `all`), newest first.
pub fn list(conn: &Connection, all: bool) -> Result<Vec<OutboxEntry>, StoreError> {
    let filter = if all {
        ""
    } else {
        "WHERE status IN ('pending', 'failed')"
    };
    let sql = format!("SELECT {COLUMNS} FROM email_outbox {filter} ORDER BY id DESC");
    let rows = conn
        .prepare(&sql)?
        .query_map([], entry)?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}
