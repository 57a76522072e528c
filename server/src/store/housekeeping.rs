//! Housekeeping: what the writer tidies when it is idle, between batches and on its own
//! connection. Users who got notifications are trimmed to the most kept per user; hourly
//! (or every retention period, if shorter), expired idempotency keys and read notifications
//! past the retention are deleted.

use std::collections::HashSet;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;
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
    pub fn tidy(&mut self, conn: &Connection, now: i64) {
        for user in std::mem::take(&mut self.grown) {
            match trim(conn, &user, self.settings.max_per_user) {
                Ok(0) => {}
                Ok(deleted) => tracing::info!(
                    user,
                    deleted,
                    "trimmed to the most notifications kept per user"
                ),
                Err(err) => tracing::warn!(%err, user, "could not trim a user's notifications"),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::InboxEvent;
    use crate::store::admin::add_token;
    use crate::store::testing::{add_user, command, database};
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
        let written = notify(conn, &command("alice", title), false, at).unwrap();
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
    fn cleanup_deletes_read_notifications_past_retention_and_expired_keys() {
        let conn = database();
        add_user(&conn, "alice", None);
        let (token, _) = add_token(&conn, None, None).unwrap();
        let mut keyed = command("alice", "keyed");
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
