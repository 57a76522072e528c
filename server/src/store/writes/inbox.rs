//! The writes that change notifications already in an inbox: mark read or unread, mark
//! everything read, delete. Each causes an event carrying the new unread count.

use rusqlite::{Connection, params};

use super::Written;
use crate::model::{InboxEvent, Notification};
use crate::store::{ReadAllOutcome, StoreError, queries, stored_id};

/// Marks one of `user_id`'s notifications read (at `now`) or unread; `NotFound` if it is
/// not theirs. Marking it as it already is changes nothing and causes no event.
pub fn set_read(
    conn: &Connection,
    user_id: &str,
    id: &str,
    read: bool,
    now: i64,
) -> Result<Written<Notification>, StoreError> {
    let current = queries::get(conn, user_id, id)?;
    if current.read_at.is_some() == read {
        return Ok(Written::quiet(current));
    }
    let read_at = read.then_some(now);
    conn.prepare_cached("UPDATE notifications SET unread = ?2, read_at = ?3 WHERE seq = ?1")?
        .execute(params![current.seq, !read, read_at])?;
    let event = InboxEvent::ReadChanged {
        user_id: user_id.to_owned(),
        ids: vec![current.id.clone()],
        unread_count: queries::unread_count(conn, user_id)?,
    };
    Ok(Written {
        value: Notification { read_at, ..current },
        events: vec![event],
    })
}

/// Marks all of `user_id`'s unread notifications read at `now`; an event only if there
/// were any.
pub fn read_all(
    conn: &Connection,
    user_id: &str,
    now: i64,
) -> Result<Written<ReadAllOutcome>, StoreError> {
    let ids: Vec<String> = conn
        .prepare_cached("SELECT id FROM notifications WHERE user_id = ?1 AND unread = 1")?
        .query_map([user_id], |r| r.get(0).map(stored_id::from_stored))?
        .collect::<Result<_, _>>()?;
    let updated = conn
        .prepare_cached(
            "UPDATE notifications SET unread = 0, read_at = ?2 WHERE user_id = ?1 AND unread = 1",
        )?
        .execute(params![user_id, now])? as u64;
    let unread_count = queries::unread_count(conn, user_id)?;
    let events = if updated > 0 {
        vec![InboxEvent::ReadChanged {
            user_id: user_id.to_owned(),
            ids,
            unread_count,
        }]
    } else {
        Vec::new()
    };
    Ok(Written {
        value: ReadAllOutcome {
            updated,
            unread_count,
        },
        events,
    })
}

/// Deletes one of `user_id`'s notifications; `NotFound` if it is not theirs.
pub fn delete(conn: &Connection, user_id: &str, id: &str) -> Result<Written<()>, StoreError> {
    let (stored, swapped) = stored_id::lookup_forms(id);
    let deleted = conn
        .prepare_cached("DELETE FROM notifications WHERE id IN (?1, ?3) AND user_id = ?2")?
        .execute(params![stored, user_id, swapped])?;
    if deleted == 0 {
        return Err(StoreError::NotFound);
    }
    let event = InboxEvent::Deleted {
        user_id: user_id.to_owned(),
        id: id.to_owned(),
        unread_count: queries::unread_count(conn, user_id)?,
    };
    Ok(Written {
        value: (),
        events: vec![event],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::NotifyCommand;
    use crate::store::testing::{add_user, database};
    use crate::store::writes::notify;

    /// A database where alice has the notifications `titles` (all unread) and bob has one.
    fn inbox(titles: &[&str]) -> (Connection, Vec<String>) {
        let conn = database();
        add_user(&conn, "alice", None);
        add_user(&conn, "bob", None);
        notify(&conn, &NotifyCommand::plain("bob", "bob's"), false, 0).unwrap();
        let ids = titles
            .iter()
            .map(|title| {
                let written =
                    notify(&conn, &NotifyCommand::plain("alice", title), false, 0).unwrap();
                match &written.events[..] {
                    [InboxEvent::Created(n)] => n.id.clone(),
                    other => panic!("{other:?}"),
                }
            })
            .collect();
        (conn, ids)
    }

    fn read_changed(ids: &[&str], unread_count: u64) -> Vec<InboxEvent> {
        vec![InboxEvent::ReadChanged {
            user_id: "alice".into(),
            ids: ids.iter().map(|&id| id.to_owned()).collect(),
            unread_count,
        }]
    }

    #[test]
    fn set_read_changes_once_and_says_so() {
        let (conn, ids) = inbox(&["a", "b"]);
        let read = set_read(&conn, "alice", &ids[0], true, 5).unwrap();
        assert_eq!(read.value.read_at, Some(5));
        assert_eq!(read.events, read_changed(&[&ids[0]], 1));
        assert_eq!(queries::get(&conn, "alice", &ids[0]).unwrap(), read.value);

        let again = set_read(&conn, "alice", &ids[0], true, 9).unwrap();
        assert_eq!((again.value.read_at, again.events.len()), (Some(5), 0));

        let unread = set_read(&conn, "alice", &ids[0], false, 9).unwrap();
        assert_eq!(unread.value.read_at, None);
        assert_eq!(unread.events, read_changed(&[&ids[0]], 2));
    }

    #[test]
    fn set_read_of_another_users_notification_is_not_found() {
        let (conn, ids) = inbox(&["a"]);
        let err = set_read(&conn, "bob", &ids[0], true, 0).unwrap_err();
        assert!(matches!(err, StoreError::NotFound));
    }

    #[test]
    fn read_all_marks_only_this_users_unread() {
        let (conn, ids) = inbox(&["a", "b", "c"]);
        set_read(&conn, "alice", &ids[1], true, 1).unwrap();
        let written = read_all(&conn, "alice", 7).unwrap();
        let expected = ReadAllOutcome {
            updated: 2,
            unread_count: 0,
        };
        assert_eq!(written.value, expected);
        let InboxEvent::ReadChanged { ids: changed, .. } = &written.events[0] else {
            panic!("{:?}", written.events)
        };
        let mut changed = changed.clone();
        changed.sort();
        let mut want = vec![ids[0].clone(), ids[2].clone()];
        want.sort();
        assert_eq!(changed, want);
        assert_eq!(
            queries::get(&conn, "alice", &ids[0]).unwrap().read_at,
            Some(7)
        );
        assert_eq!(
            queries::get(&conn, "alice", &ids[1]).unwrap().read_at,
            Some(1)
        );
        assert_eq!(queries::unread_count(&conn, "bob").unwrap(), 1);

        let nothing = read_all(&conn, "alice", 8).unwrap();
        assert_eq!(nothing.value.updated, 0);
        assert!(nothing.events.is_empty());
    }

    #[test]
    fn delete_removes_and_reports_the_unread_count() {
        let (conn, ids) = inbox(&["a", "b"]);
        let written = delete(&conn, "alice", &ids[0]).unwrap();
        let event = InboxEvent::Deleted {
            user_id: "alice".into(),
            id: ids[0].clone(),
            unread_count: 1,
        };
        assert_eq!(written.events, vec![event]);
        assert!(matches!(
            queries::get(&conn, "alice", &ids[0]),
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            delete(&conn, "alice", &ids[0]),
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            delete(&conn, "bob", &ids[1]),
            Err(StoreError::NotFound)
        ));
    }
}
