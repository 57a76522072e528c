//! Housekeeping: what the writer tidies when it is idle, between batches and on its own
//! connection. Users who got notifications are trimmed to the most kept per user; hourly
//! (or every retention period, if shorter), expired idempotency keys and read notifications
//! past the retention are deleted.

use std::collections::HashSet;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;
use super::sqlite::BUSY_TIMEOUT;
use super::writes::IDEMPOTENCY_TTL_MS;

/// The longest time between two cleanups.
const CLEANUP_EVERY_MS: i64 = 60 * 60 * 1000;

/// What the writer tidies when it is idle.
#[derive(Debug, Clone, Copy)]
pub struct Housekeeping {
    /// Read notifications older than this are deleted.
    pub retention: Duration,
    /// Notifications kept per user at most.
    pub max_per_user: u64,
    /// Sent and failed emails are deleted from the outbox this long after being queued.
    pub email_retention: Duration,
}

/// Housekeeping's state in the writer: who may be over the cap, and when it last cleaned.
pub struct Housekeeper {
    settings: Housekeeping,
    last_cleanup: i64,
    /// Users who got notifications since the last trim to `max_per_user`.
    grown: HashSet<String>,
}

impl Housekeeper {
    pub fn new(settings: Housekeeping) -> Housekeeper {
        Housekeeper {
            settings,
            last_cleanup: 0,
            grown: HashSet::new(),
        }
    }

    /// Notes that `user` got a notification: they may now be over the cap.
    pub fn grew(&mut self, user: &str) {
        if !self.grown.contains(user) {
            self.grown.insert(user.to_owned());
        }
    }

    /// Trims the users who grew; cleans up if the last cleanup is old enough at `now`.
    /// Failures are logged: they are retried at the next idle moment or cleanup.
    ///
    /// Tidying never waits for another process's write lock (an admin command, a backup):
    /// the writer would otherwise stall for the busy timeout on each statement, holding up
    /// every write queued meanwhile, and shutdown.
    pub fn tidy(&mut self, conn: &Connection, now: i64) {
        if let Err(err) = conn.busy_timeout(Duration::ZERO) {
            tracing::warn!(%err, "could not tidy without waiting for locks");
            return;
        }
        self.tidy_now(conn, now);
        if let Err(err) = conn.busy_timeout(BUSY_TIMEOUT) {
            tracing::error!(%err, "could not restore the busy timeout");
        }
    }

    fn tidy_now(&mut self, conn: &Connection, now: i64) {
        for user in std::mem::take(&mut self.grown) {
            match trim(conn, &user, self.settings.max_per_user) {
                Ok(0) => {}
                Ok(deleted) => tracing::info!(
                    user,
                    deleted,
                    "trimmed to the most notifications kept per user"
                ),
                Err(err) => {
                    tracing::warn!(%err, user, "could not trim a user's notifications");
                    self.grown.insert(user);
                }
            }
        }
        let retention_ms = i64::try_from(self.settings.retention.as_millis()).unwrap_or(i64::MAX);
        if now - self.last_cleanup < retention_ms.clamp(1, CLEANUP_EVERY_MS) {
            return;
        }
        self.last_cleanup = now;
        match clean_up(conn, now, now.saturating_sub(retention_ms)) {
            Ok(0) => {}
            Ok(deleted) => tracing::info!(deleted, "deleted read notifications past the retention"),
            Err(err) => tracing::warn!(%err, "hourly cleanup failed"),
        }
        let email_ms = i64::try_from(self.settings.email_retention.as_millis()).unwrap_or(i64::MAX);
        match prune_outbox(conn, now.saturating_sub(email_ms)) {
            Ok(0) => {}
            Ok(deleted) => tracing::info!(
                deleted,
                "deleted sent and failed emails past their retention"
            ),
            Err(err) => tracing::warn!(%err, "pruning the email outbox failed"),
        }
    }
}

/// Deletes `user`'s oldest notifications beyond `max`, read ones first; returns how many.
fn trim(conn: &Connection, user: &str, max: u64) -> Result<i64, StoreError> {
    let count: i64 = conn
        .prepare_cached("SELECT notification_count FROM users WHERE id = ?1")?
        .query_row([user], |r| r.get(0))
        .optional()?
        .unwrap_or(0);
    let excess = count - i64::try_from(max).unwrap_or(i64::MAX);
    if excess <= 0 {
        return Ok(0);
    }
    conn.prepare_cached(
        "DELETE FROM notifications WHERE seq IN
             (SELECT seq FROM notifications WHERE user_id = ?1 ORDER BY unread, seq LIMIT ?2)",
    )?
    .execute(params![user, excess])?;
    Ok(excess)
}

/// Forgets idempotency keys past their 24 hours, and deletes notifications read before
/// `read_before`; returns how many notifications.
fn clean_up(conn: &Connection, now: i64, read_before: i64) -> Result<usize, StoreError> {
    conn.execute(
        "DELETE FROM idempotency_keys WHERE created_at < ?1",
        [now - IDEMPOTENCY_TTL_MS],
    )?;
    Ok(conn.execute(
        "DELETE FROM notifications WHERE unread = 0 AND read_at < ?1",
        [read_before],
    )?)
}

/// Deletes sent and failed emails queued before `queued_before`; returns how many.
/// (`'pending'` is written out so that SQLite can use the partial index `email_outbox_done`.)
fn prune_outbox(conn: &Connection, queued_before: i64) -> Result<usize, StoreError> {
    Ok(conn
        .prepare_cached("DELETE FROM email_outbox WHERE status <> 'pending' AND created_at < ?1")?
        .execute([queued_before])?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::InboxEvent;
    use crate::store::NotifyCommand;
    use crate::store::admin::add_token;
    use crate::store::testing::{add_user, database};
    use crate::store::writes::{notify, set_read};

    fn titles(conn: &Connection) -> Vec<String> {
        conn.prepare("SELECT title FROM notifications ORDER BY seq")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    /// Creates a notification for alice at `at`, read at `read_at` if given.
    fn add(conn: &Connection, title: &str, at: i64, read_at: Option<i64>) {
        let written = notify(conn, &NotifyCommand::plain("alice", title), false, at).unwrap();
        let [InboxEvent::Created(n)] = &written.events[..] else {
            panic!("{:?}", written.events)
        };
        if let Some(read_at) = read_at {
            set_read(conn, "alice", &n.id, true, read_at).unwrap();
        }
    }

    fn housekeeper(retention: Duration, max_per_user: u64) -> Housekeeper {
        Housekeeper::new(Housekeeping {
            retention,
            max_per_user,
            email_retention: Duration::MAX,
        })
    }

    #[test]
    fn a_user_who_grew_is_trimmed_read_ones_first() {
        let conn = database();
        add_user(&conn, "alice", None);
        add(&conn, "old unread", 0, None);
        add(&conn, "read", 0, Some(1));
        add(&conn, "new unread", 0, None);
        let mut keeper = housekeeper(Duration::MAX, 2);
        keeper.tidy(&conn, 0);
        assert_eq!(titles(&conn).len(), 3, "only users who grew are trimmed");
        keeper.grew("alice");
        keeper.tidy(&conn, 0);
        assert_eq!(titles(&conn), ["old unread", "new unread"]);
        add(&conn, "newest", 0, None);
        keeper.grew("alice");
        keeper.tidy(&conn, 0);
        assert_eq!(titles(&conn), ["new unread", "newest"]);
    }

    #[test]
    fn issue11_point5_sent_and_failed_emails_are_pruned_after_their_retention() {
        use crate::store::outbox::{self, EmailResult};
        let conn = database();
        add_user(&conn, "alice", Some("alice@example.com"));
        let queue = |id: &str, at: i64| {
            let new = NotifyCommand::plain("alice", id).notification;
            outbox::enqueue(&conn, id, &new, "alice@example.com", at).unwrap();
        };
        queue("sent long ago", 0);
        queue("failed long ago", 0);
        queue("pending long ago", 0);
        queue("sent lately", 9_000);
        let ids = |conn: &Connection| -> Vec<String> {
            conn.prepare("SELECT notification_id FROM email_outbox ORDER BY id")
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        let sent = EmailResult::Sent { at_ms: 9_500 };
        for (id, result) in [
            (1, sent.clone()),
            (2, EmailResult::Failed { error: "no".into() }),
            (4, sent),
        ] {
            outbox::record(&conn, id, &result).unwrap();
        }
        let mut keeper = Housekeeper::new(Housekeeping {
            retention: Duration::from_secs(1),
            max_per_user: u64::MAX,
            email_retention: Duration::from_secs(5),
        });
        keeper.tidy(&conn, 10_000);
        assert_eq!(ids(&conn), ["pending long ago", "sent lately"]);
    }

    #[test]
    fn cleanup_deletes_read_notifications_past_retention_and_expired_keys() {
        let conn = database();
        add_user(&conn, "alice", None);
        let (token, _) = add_token(&conn, None, None).unwrap();
        let mut keyed = NotifyCommand::plain("alice", "keyed");
        keyed.idempotency = Some((token, "k".into(), [0; 32]));
        notify(&conn, &keyed, false, 0).unwrap();
        add(&conn, "read long ago", 0, Some(10));
        add(&conn, "read lately", 0, Some(5_000));
        add(&conn, "unread", 0, None);
        let keys = || -> i64 {
            conn.query_row("SELECT count(*) FROM idempotency_keys", [], |r| r.get(0))
                .unwrap()
        };
        let mut keeper = housekeeper(Duration::from_secs(1), u64::MAX);
        keeper.tidy(&conn, 5_500);
        assert_eq!(titles(&conn), ["keyed", "read lately", "unread"]);
        assert_eq!(keys(), 1, "the key is younger than a day");
        keeper.tidy(&conn, IDEMPOTENCY_TTL_MS + 1);
        assert_eq!(titles(&conn), ["keyed", "unread"]);
        assert_eq!(keys(), 0);
    }
}
