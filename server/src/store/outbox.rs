//! The email outbox in SQL: queued by the writer in the notification's own transaction,
//! read by the delivery worker, and listed by `notif-server outbox list`.

use std::fmt;
use std::str::FromStr;

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
    pub status: OutboxStatus,
    pub attempts: u32,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
}

/// Where an entry stands: waiting to be sent (or retried), sent, or given up on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxStatus {
    Pending,
    Sent,
    Failed,
}

impl OutboxStatus {
    /// The stored spelling (the schema's `CHECK` allows exactly these).
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxStatus::Pending => "pending",
            OutboxStatus::Sent => "sent",
            OutboxStatus::Failed => "failed",
        }
    }
}

impl fmt::Display for OutboxStatus {
    /// Pads like a string, so that `outbox list` lines up.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for OutboxStatus {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "pending" => Ok(OutboxStatus::Pending),
            "sent" => Ok(OutboxStatus::Sent),
            "failed" => Ok(OutboxStatus::Failed),
            _ => Err(()),
        }
    }
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
    Ok(OutboxEntry {
        id: row.get(0)?,
        notification_id: row.get(1)?,
        user_id: row.get(2)?,
        to_address: row.get(3)?,
        kind: row.get(4)?,
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
        notification.kind,
        notification.title,
        notification.body,
        notification.link,
        notification.category,
        now
    ])?;
    Ok(())
}

/// Pending entries due at `now`, oldest first. (`'pending'` is written out in the queries
/// that select by it, so that SQLite can use the partial index `email_outbox_due`.)
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
                "UPDATE email_outbox SET status = ?2, attempts = attempts + 1, sent_at = ?3, last_error = NULL
                 WHERE id = ?1",
            )?
            .execute(params![id, OutboxStatus::Sent, at_ms])?,
        EmailResult::Retry { error, next_attempt_at } => conn
            .prepare_cached(
                "UPDATE email_outbox SET attempts = attempts + 1, last_error = ?2, next_attempt_at = ?3 WHERE id = ?1",
            )?
            .execute(params![id, error, next_attempt_at])?,
        EmailResult::Failed { error } => conn
            .prepare_cached(
                "UPDATE email_outbox SET status = ?2, attempts = attempts + 1, last_error = ?3 WHERE id = ?1",
            )?
            .execute(params![id, OutboxStatus::Failed, error])?,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::{add_user, database};

    fn queued(conn: &Connection) -> i64 {
        add_user(conn, "alice", Some("alice@example.com"));
        let new = NewNotification {
            user_id: "alice".into(),
            kind: Kind::Warning,
            title: "disk".into(),
            body: None,
            link: None,
            category: None,
        };
        enqueue(conn, "n1", &new, "alice@example.com", 100).unwrap();
        let due = due(conn, 100, 10).unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!(
            (due[0].status, due[0].kind),
            (OutboxStatus::Pending, Kind::Warning)
        );
        due[0].id
    }

    #[test]
    fn a_retry_waits_and_a_send_ends_the_entry() {
        let conn = database();
        let id = queued(&conn);
        let retry = EmailResult::Retry {
            error: "refused".into(),
            next_attempt_at: 500,
        };
        record(&conn, id, &retry).unwrap();
        assert!(due(&conn, 499, 10).unwrap().is_empty());
        assert_eq!(next_due(&conn).unwrap(), Some(500));
        let entry = &due(&conn, 500, 10).unwrap()[0];
        assert_eq!(
            (entry.attempts, entry.last_error.as_deref()),
            (1, Some("refused"))
        );

        record(&conn, id, &EmailResult::Sent { at_ms: 600 }).unwrap();
        assert_eq!(next_due(&conn).unwrap(), None);
        assert!(
            list(&conn, false).unwrap().is_empty(),
            "sent ones only with all"
        );
        let sent = &list(&conn, true).unwrap()[0];
        assert_eq!(
            (sent.status, sent.attempts, sent.last_error.as_deref()),
            (OutboxStatus::Sent, 2, None)
        );
    }

    #[test]
    fn a_failure_is_final_and_listed() {
        let conn = database();
        let id = queued(&conn);
        let failed = EmailResult::Failed {
            error: "no such mailbox".into(),
        };
        record(&conn, id, &failed).unwrap();
        assert!(due(&conn, i64::MAX, 10).unwrap().is_empty());
        let listed = list(&conn, false).unwrap();
        assert_eq!(
            (listed[0].status, listed[0].attempts),
            (OutboxStatus::Failed, 1)
        );
    }
}
