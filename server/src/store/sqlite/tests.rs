//! The SQLite store's own guarantees: private files, counts kept in step.

use super::*;
use crate::store::NotifyCommand;
use crate::store::testing::insert_from_elsewhere;

fn count_by_scan(conn: &Connection) -> i64 {
    conn.query_row(
        "SELECT count(*) FROM notifications WHERE user_id = 'alice' AND unread = 1",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

/// A database file with one user, alice; the directory goes when the first is dropped.
fn alices_database() -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let conn = open_connection(&dir.path().join("t.db")).unwrap();
    conn.execute("INSERT INTO users (id, created_at) VALUES ('alice', 0)", [])
        .unwrap();
    (dir, conn)
}

#[cfg(unix)]
#[test]
fn issue11_point9_an_existing_database_is_tightened_to_0600() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    drop(open_connection(&path).unwrap());
    let wal = dir.path().join("old.db-wal");
    std::fs::write(&wal, b"").unwrap();
    for file in [&path, &wal] {
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let _open = open_connection(&path).unwrap();
    for file in [&path, &wal] {
        let mode = std::fs::metadata(file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}: {mode:o}", file.display());
    }
}

#[test]
fn the_kept_counts_follow_every_change() {
    let (_dir, conn) = alices_database();
    for _ in 0..5 {
        writes::notify(&conn, &NotifyCommand::plain("alice", "t"), false, 0).unwrap();
    }
    let kept = || queries::unread_count(&conn, "alice").unwrap() as i64;
    let total = || -> (i64, i64) {
        conn.query_row(
            "SELECT notification_count, (SELECT count(*) FROM notifications) FROM users WHERE id = 'alice'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
    };
    assert_eq!((kept(), count_by_scan(&conn)), (5, 5));
    conn.execute(
        "UPDATE notifications SET unread = 0, read_at = 1 WHERE seq IN (1, 2)",
        [],
    )
    .unwrap();
    conn.execute("UPDATE notifications SET unread = 0 WHERE seq = 1", [])
        .unwrap();
    assert_eq!((kept(), count_by_scan(&conn)), (3, 3));
    assert_eq!(total(), (5, 5));
    conn.execute("DELETE FROM notifications WHERE seq IN (2, 3)", [])
        .unwrap();
    assert_eq!((kept(), count_by_scan(&conn)), (2, 2));
    assert_eq!(total(), (3, 3));
    conn.execute("UPDATE notifications SET unread = 1 WHERE seq = 1", [])
        .unwrap();
    assert_eq!((kept(), count_by_scan(&conn)), (3, 3));
}

#[test]
fn resume_gives_read_and_unread_rows_in_sequence_order() {
    let (_dir, conn) = alices_database();
    for i in 0..6 {
        writes::notify(
            &conn,
            &NotifyCommand::plain("alice", &format!("n{i}")),
            false,
            0,
        )
        .unwrap();
    }
    conn.execute(
        "UPDATE notifications SET unread = 0, read_at = 1 WHERE seq IN (2, 3, 6)",
        [],
    )
    .unwrap();
    let seqs = |after: i64, limit: u32| -> Vec<i64> {
        queries::since_seq(&conn, "alice", after, limit)
            .unwrap()
            .iter()
            .map(|n| n.seq)
            .collect()
    };
    assert_eq!(seqs(0, 10), [1, 2, 3, 4, 5, 6]);
    assert_eq!(seqs(1, 3), [2, 3, 4]);
    assert_eq!(seqs(4, 10), [5, 6]);
    assert_eq!(seqs(6, 10), Vec::<i64>::new());
}

#[test]
fn ids_stored_before_the_swap_are_still_found_beside_new_ones() {
    let (_dir, conn) = alices_database();
    // Random ids from before: one whose 13th character is a digit, one a letter, stored as
    // they were.
    let older = ["tz4a98xxat961ws9zmbrgj3a", "tz4a98xxat96iws9zmbrgj3b"];
    for id in older {
        insert_from_elsewhere(&conn, id, "old");
    }
    let new = match writes::notify(&conn, &NotifyCommand::plain("alice", "new"), false, 0)
        .unwrap()
        .value
    {
        crate::store::NotifyOutcome::Created(r) => r.notification.unwrap().id,
        crate::store::NotifyOutcome::Replayed(body) => panic!("{body}"),
    };
    let stored: String = conn
        .query_row(
            "SELECT id FROM notifications WHERE title = 'new'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stored, format!("{}{}", &new[12..], &new[..12]));
    for id in [older[0], older[1], new.as_str()] {
        assert_eq!(queries::get(&conn, "alice", id).unwrap().id, id);
        writes::set_read(&conn, "alice", id, true, 1).unwrap();
        assert!(queries::get(&conn, "bob", id).is_err(), "not bob's");
    }
    let all_read = writes::read_all(&conn, "alice", 2).unwrap();
    assert_eq!(all_read.value.updated, 0);
    for id in [older[0], new.as_str(), older[1]] {
        writes::delete(&conn, "alice", id).unwrap();
        assert!(queries::get(&conn, "alice", id).is_err(), "{id} deleted");
    }
}
