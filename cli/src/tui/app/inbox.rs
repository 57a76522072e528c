//! The loaded part of the inbox, kept in the server's order (unread first, newest
//! first) however it is changed: pages appended, stream events applied, action
//! results folded in. Every change is by id, so an item is never held twice.

use std::cmp::Reverse;

use chrono::{DateTime, Utc};

use crate::api::types::Notification;

/// The sort key of the server's order: unread before read, then newest first.
fn order(n: &Notification) -> (bool, Reverse<DateTime<Utc>>, Reverse<&str>) {
    (
        n.read_at.is_some(),
        Reverse(n.created_at),
        Reverse(n.id.as_str()),
    )
}

/// The notifications loaded so far and where the next page starts.
#[derive(Debug, Default)]
pub struct Inbox {
    /// Sorted by [`order`]; ids are unique.
    items: Vec<Notification>,
    /// Cursor of the next older page; `None` once everything is loaded.
    next_cursor: Option<String>,
}

impl Inbox {
    /// All loaded notifications, in the server's order.
    pub fn items(&self) -> &[Notification] {
        &self.items
    }

    /// The cursor of the next page, if there is one.
    pub fn next_cursor(&self) -> Option<&str> {
        self.next_cursor.as_deref()
    }

    /// The notification with this id, if loaded.
    pub fn get(&self, id: &str) -> Option<&Notification> {
        self.items.iter().find(|n| n.id == id)
    }

    /// How many loaded notifications are unread.
    pub fn loaded_unread(&self) -> usize {
        self.items.partition_point(|n| n.read_at.is_none())
    }

    /// Replaces everything with a fresh snapshot of the server's list.
    pub fn replace(&mut self, items: Vec<Notification>, next_cursor: Option<String>) {
        self.items.clear();
        self.next_cursor = next_cursor;
        for n in items {
            self.upsert(n);
        }
    }

    /// Adds the next older page.
    pub fn append_page(&mut self, items: Vec<Notification>, next_cursor: Option<String>) {
        self.next_cursor = next_cursor;
        for n in items {
            self.upsert(n);
        }
    }

    /// Inserts or replaces a notification, keeping the order.
    pub fn upsert(&mut self, n: Notification) {
        self.remove(&n.id);
        let at = self.items.partition_point(|m| order(m) < order(&n));
        self.items.insert(at, n);
    }

    /// Removes a notification; says whether it was loaded.
    pub fn remove(&mut self, id: &str) -> bool {
        let before = self.items.len();
        self.items.retain(|n| n.id != id);
        self.items.len() != before
    }

    /// Sets `read_at` of the loaded notifications among `ids` (unread when `None`),
    /// keeping a first `read_at` as the server does. Returns the ids not loaded.
    pub fn set_read<'a>(
        &mut self,
        ids: &'a [String],
        read_at: Option<DateTime<Utc>>,
    ) -> Vec<&'a str> {
        let mut missing = Vec::new();
        for id in ids {
            match self.get(id).cloned() {
                Some(mut n) => {
                    n.read_at = read_at.map(|at| n.read_at.unwrap_or(at));
                    self.upsert(n);
                }
                None => missing.push(id.as_str()),
            }
        }
        missing
    }

    /// Marks every loaded notification read at `at` (after "read all").
    pub fn mark_all_read(&mut self, at: DateTime<Utc>) {
        let mut items = std::mem::take(&mut self.items);
        for n in &mut items {
            n.read_at.get_or_insert(at);
        }
        items.sort_by(|a, b| order(a).cmp(&order(b)));
        self.items = items;
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::api::types::NotificationType;
    use chrono::TimeDelta;

    /// A fixed "now" for tests: 2026-11-24 06:20:00 UTC.
    pub fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-24T06:20:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    /// A notification created `mins` minutes before [`now`].
    pub fn note(id: &str, mins: i64, unread: bool) -> Notification {
        Notification {
            id: id.to_owned(),
            user_id: "alice".to_owned(),
            kind: NotificationType::Info,
            title: format!("title {id}"),
            body: None,
            link: None,
            category: None,
            read_at: (!unread).then(|| now() - TimeDelta::seconds(30)),
            created_at: now() - TimeDelta::minutes(mins),
        }
    }

    fn ids(inbox: &Inbox) -> Vec<&str> {
        inbox.items().iter().map(|n| n.id.as_str()).collect()
    }

    #[test]
    fn keeps_unread_first_then_newest_first() {
        let mut inbox = Inbox::default();
        inbox.replace(
            vec![
                note("old-read", 50, false),
                note("new-read", 1, false),
                note("old", 40, true),
            ],
            None,
        );
        inbox.upsert(note("new", 0, true));
        assert_eq!(ids(&inbox), ["new", "old", "new-read", "old-read"]);
        assert_eq!(inbox.loaded_unread(), 2);
    }

    #[test]
    fn upsert_never_duplicates() {
        let mut inbox = Inbox::default();
        inbox.upsert(note("a", 1, true));
        inbox.append_page(
            vec![note("a", 1, true), note("b", 2, true)],
            Some("c".into()),
        );
        assert_eq!(ids(&inbox), ["a", "b"]);
        assert_eq!(inbox.next_cursor(), Some("c"));
    }

    #[test]
    fn reading_moves_an_item_to_the_read_group_and_reports_unknown_ids() {
        let mut inbox = Inbox::default();
        inbox.replace(
            vec![note("a", 1, true), note("b", 2, true), note("c", 3, false)],
            None,
        );
        let ids_read = ["a".to_owned(), "zz".to_owned()];
        let missing = inbox.set_read(&ids_read, Some(now()));
        assert_eq!(missing, ["zz"]);
        assert_eq!(ids(&inbox), ["b", "a", "c"]);
        inbox.set_read(&["c".into()], None);
        assert_eq!(ids(&inbox), ["b", "c", "a"]);
        inbox.mark_all_read(now());
        assert_eq!(ids(&inbox), ["a", "b", "c"]);
        assert_eq!(inbox.loaded_unread(), 0);
    }
}
