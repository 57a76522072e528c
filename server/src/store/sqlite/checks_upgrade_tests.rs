//! Migration 0011: the checks on a notification's type and an email's status written
//! without value lists, so that an insert no longer builds a temporary b-tree of the values.

use rusqlite::Connection;

use super::migrations;
use crate::store::testing::{add_user, insert_noted_before_0012};

const INSERT_NOTIFICATION: &str = "INSERT INTO notifications (id, user_id, type, title, created_at)
     VALUES ('probe', 'alice', ?1, 't', 0)";
const INSERT_EMAIL: &str = "INSERT INTO email_outbox
     (notification_id, user_id, to_address, type, title, status, next_attempt_at, created_at)
     VALUES ('probe', 'alice', 'a@example.com', 'INFO', 't', ?1, 0, 0)";

/// Whether `conn` runs `sql` with a temporary b-tree (`OpenEphemeral`).
fn builds_a_temporary_btree(conn: &Connection, sql: &str) -> bool {
    let mut explain = conn.prepare(&format!("EXPLAIN {sql}")).unwrap();
    let opcodes: Vec<String> = explain
        .query_map([""], |r| r.get(1))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    opcodes.iter().any(|op| op == "OpenEphemeral")
}

/// Whether `sql` with `value` is refused by a check constraint (nothing is kept either way).
fn refused(conn: &Connection, sql: &str, value: &str) -> bool {
    conn.execute_batch("SAVEPOINT probe").unwrap();
    let outcome = conn.execute(sql, [value]);
    conn.execute_batch("ROLLBACK TO probe; RELEASE probe")
        .unwrap();
    match outcome {
        Err(rusqlite::Error::SqliteFailure(err, _)) => {
            err.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_CHECK
        }
        Err(other) => panic!("{value}: {other}"),
        Ok(_) => false,
    }
}

fn a_database_at_version_10() -> (tempfile::TempDir, std::path::PathBuf, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let mut conn = Connection::open(&path).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    migrations().to_version(&mut conn, 10).unwrap();
    add_user(&conn, "alice", None);
    insert_noted_before_0012(&conn, "before", "stored before the upgrade");
    (dir, path, conn)
}

#[test]
fn before_the_upgrade_an_insert_built_a_temporary_btree() {
    let (_dir, _path, conn) = a_database_at_version_10();
    assert!(builds_a_temporary_btree(&conn, INSERT_NOTIFICATION));
    assert!(builds_a_temporary_btree(&conn, INSERT_EMAIL));
}

#[test]
fn after_the_upgrade_no_insert_builds_one_on_any_connection_and_the_checks_hold() {
    let (_dir, path, mut upgrading) = a_database_at_version_10();
    // Another connection that read the old definitions before the upgrade.
    let other = Connection::open(&path).unwrap();
    assert!(builds_a_temporary_btree(&other, INSERT_NOTIFICATION));

    migrations().to_latest(&mut upgrading).unwrap();
    for (name, conn) in [
        ("upgrading", &upgrading),
        ("other", &other),
        ("new", &Connection::open(&path).unwrap()),
    ] {
        for kind in ["INFO", "SUCCESS", "WARNING", "ERROR"] {
            assert!(!refused(conn, INSERT_NOTIFICATION, kind), "{kind}");
        }
        for kind in ["info", "NOTICE", ""] {
            assert!(refused(conn, INSERT_NOTIFICATION, kind), "{kind:?}");
        }
        for status in ["pending", "sent", "failed"] {
            assert!(!refused(conn, INSERT_EMAIL, status), "{status}");
        }
        for status in ["Pending", "queued"] {
            assert!(refused(conn, INSERT_EMAIL, status), "{status:?}");
        }
        // After a statement (which reads the schema again when its version changed); an
        // EXPLAIN alone compiles with what the connection read before.
        assert!(
            !builds_a_temporary_btree(conn, INSERT_NOTIFICATION),
            "{name}"
        );
        assert!(!builds_a_temporary_btree(conn, INSERT_EMAIL), "{name}");
    }
    let check: String = upgrading
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let count = |sql: &str| -> i64 { upgrading.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(
        count("SELECT count(*) FROM notifications WHERE id = 'before'"),
        1
    );
    assert_eq!(
        count("SELECT count(*) FROM sqlite_schema WHERE name = 'schema_version_step'"),
        0
    );
}
