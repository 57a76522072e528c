//! What one transaction knows about the users it notifies: whether each exists and its
//! preferences, read once, and how many notifications it created for each, counted in the
//! user's totals with one statement. A batch of notifications for one user thus runs two
//! statements each instead of six.
//!
//! Valid only while nothing else reads or changes users or preferences: the writer keeps one
//! for the notifications of a batch, writes its counts and empties it before every other
//! write and before the commit, and empties it when a batch starts (again if it is redone).
//! No other process can write while the batch's transaction is open.

use std::collections::HashMap;

use rusqlite::Connection;

use crate::model::Preferences;
use crate::store::{StoreError, queries};

/// Recipients read so far and their notifications not yet counted.
#[derive(Debug, Default)]
pub struct Recipients {
    /// A user's preferences, or `None` for a user that does not exist.
    known: HashMap<String, Option<Preferences>>,
    /// Notifications created per user and not yet in the user's totals.
    uncounted: HashMap<String, i64>,
}

impl Recipients {
    /// The preferences of `user_id`, read on `conn` the first time it is asked for; `None`
    /// when there is no such user.
    pub fn preferences(
        &mut self,
        conn: &Connection,
        user_id: &str,
    ) -> Result<Option<&Preferences>, StoreError> {
        if !self.known.contains_key(user_id) {
            let read = if queries::user_exists(conn, user_id)? {
                Some(queries::preferences(conn, user_id)?)
            } else {
                None
            };
            self.known.insert(user_id.to_owned(), read);
        }
        Ok(self.known.get(user_id).and_then(Option::as_ref))
    }

    /// Notes a notification created for `user_id`, to count with [`Self::write_counts`].
    pub fn count_created(&mut self, user_id: &str) {
        match self.uncounted.get_mut(user_id) {
            Some(count) => *count += 1,
            None => {
                self.uncounted.insert(user_id.to_owned(), 1);
            }
        }
    }

    /// Adds the notifications noted since the last call to their users' totals (all and
    /// unread), then forgets what was read: another write may change it.
    pub fn write_counts(&mut self, conn: &Connection) -> Result<(), StoreError> {
        self.known.clear();
        if self.uncounted.is_empty() {
            return Ok(());
        }
        let mut stmt = conn.prepare_cached(
            "UPDATE users SET notification_count = notification_count + ?2,
                              unread_count = unread_count + ?2
             WHERE id = ?1",
        )?;
        for (user_id, created) in self.uncounted.drain() {
            stmt.execute(rusqlite::params![user_id, created])?;
        }
        Ok(())
    }

    /// Forgets everything, counts not written included: for a transaction that was rolled
    /// back, or one about to start.
    pub fn forget(&mut self) {
        self.known.clear();
        self.uncounted.clear();
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::Recipients;
    use crate::model::PreferencesPatch;
    use crate::store::testing::{add_user, database};
    use crate::store::writes::update_preferences;

    fn in_app(recipients: &mut Recipients, conn: &Connection, user: &str) -> Option<bool> {
        recipients
            .preferences(conn, user)
            .unwrap()
            .map(|prefs| prefs.in_app)
    }

    #[test]
    fn remembers_until_told_to_forget() {
        let conn = database();
        add_user(&conn, "alice", None);
        let mut recipients = Recipients::default();
        assert_eq!(in_app(&mut recipients, &conn, "alice"), Some(true));
        assert_eq!(in_app(&mut recipients, &conn, "bob"), None);

        let off = PreferencesPatch {
            in_app: Some(false),
            ..PreferencesPatch::default()
        };
        update_preferences(&conn, "alice", &off).unwrap();
        add_user(&conn, "bob", None);
        assert_eq!(in_app(&mut recipients, &conn, "alice"), Some(true), "kept");
        assert_eq!(in_app(&mut recipients, &conn, "bob"), None, "kept");

        recipients.forget();
        assert_eq!(in_app(&mut recipients, &conn, "alice"), Some(false));
        assert_eq!(in_app(&mut recipients, &conn, "bob"), Some(true));
    }
}
