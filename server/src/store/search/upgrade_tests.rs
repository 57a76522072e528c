//! Upgrades of the search index, from databases that have rows indexed and a row noted for
//! indexing: migration 0010 (the index made again without column sizes) and 0012 (a
//! watermark in place of the notes).

use rusqlite::Connection;

use super::index_pending;
use crate::store::sqlite::migrations;
use crate::store::testing::{
    add_user, insert_from_elsewhere, insert_noted_before_0012, search_index_is_whole,
};

/// The rows the index finds for `word`.
fn found(conn: &Connection, word: &str) -> Vec<String> {
    conn.prepare(
        "SELECT n.id FROM notifications_search s JOIN notifications n ON n.seq = s.rowid
         WHERE notifications_search MATCH ?1 ORDER BY n.seq",
    )
    .unwrap()
    .query_map([word], |r| r.get(0))
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

/// Whether the schema has a table (or index, trigger…) of this name.
fn in_schema(conn: &Connection, name: &str) -> bool {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = ?1)",
        [name],
        |r| r.get(0),
    )
    .unwrap()
}

/// A database in memory at schema `version`, with the user alice.
fn alices_database_at(version: usize) -> Connection {
    let mut conn = Connection::open_in_memory().unwrap();
    migrations().to_version(&mut conn, version).unwrap();
    add_user(&conn, "alice", None);
    conn
}

/// What indexing did before migration 0012: every noted row, then the notes dropped.
fn index_before_0012(conn: &Connection) {
    conn.execute_batch(
        "INSERT INTO notifications_search (rowid, title, body, category)
         SELECT n.seq, n.title, n.body, n.category
         FROM search_pending p JOIN notifications n ON n.seq = p.seq;
         DELETE FROM search_pending;",
    )
    .unwrap();
}

#[test]
fn the_index_made_again_finds_every_row_once_and_stays_whole() {
    let mut conn = alices_database_at(9);
    insert_noted_before_0012(&conn, "indexed", "indexed before the upgrade");
    index_before_0012(&conn);
    insert_noted_before_0012(&conn, "noted", "noted before the upgrade");

    migrations().to_latest(&mut conn).unwrap();
    assert!(
        !in_schema(&conn, "notifications_search_docsize"),
        "no column sizes are kept"
    );
    index_pending(&conn).unwrap();
    assert_eq!(found(&conn, "upgrade"), ["indexed", "noted"]);
    assert!(search_index_is_whole(&conn));

    insert_from_elsewhere(&conn, "after", "indexed after the upgrade");
    index_pending(&conn).unwrap();
    conn.execute("DELETE FROM notifications WHERE id = 'indexed'", [])
        .unwrap();
    conn.execute(
        "UPDATE notifications SET title = 'retitled' WHERE id = 'noted'",
        [],
    )
    .unwrap();
    assert_eq!(found(&conn, "upgrade"), ["after"]);
    assert_eq!(found(&conn, "retitled"), ["noted"]);
    assert!(search_index_is_whole(&conn));
}

#[test]
fn the_watermark_starts_below_the_noted_rows_and_the_index_stays_whole() {
    let mut conn = alices_database_at(11);
    insert_noted_before_0012(&conn, "indexed", "indexed before the upgrade");
    insert_noted_before_0012(&conn, "gone", "indexed, deleted after the upgrade");
    index_before_0012(&conn);
    insert_noted_before_0012(&conn, "noted", "noted before the upgrade");
    insert_noted_before_0012(&conn, "retitled", "noted, changed after the upgrade");

    migrations().to_latest(&mut conn).unwrap();
    assert!(!in_schema(&conn, "search_pending"), "no notes are kept");
    assert_eq!(found(&conn, "upgrade"), ["indexed", "gone"]);
    // Deleting an indexed row takes it out of the index; changing a row that waits does not
    // touch the index, which takes its new text at the indexing.
    conn.execute("DELETE FROM notifications WHERE id = 'gone'", [])
        .unwrap();
    conn.execute(
        "UPDATE notifications SET title = 'renamed' WHERE id = 'retitled'",
        [],
    )
    .unwrap();
    index_pending(&conn).unwrap();
    assert_eq!(found(&conn, "upgrade"), ["indexed", "noted"]);
    assert_eq!(found(&conn, "renamed"), ["retitled"]);
    assert!(search_index_is_whole(&conn));
    index_pending(&conn).unwrap();
    // A row indexed twice would still be found once: the integrity check tells.
    assert!(search_index_is_whole(&conn), "indexed once");
}

#[test]
fn with_nothing_noted_every_row_is_taken_as_indexed() {
    let mut conn = alices_database_at(11);
    insert_noted_before_0012(&conn, "indexed", "indexed before the upgrade");
    index_before_0012(&conn);

    migrations().to_latest(&mut conn).unwrap();
    index_pending(&conn).unwrap();
    assert_eq!(found(&conn, "upgrade"), ["indexed"], "indexed once");
    assert!(search_index_is_whole(&conn));
}

#[test]
fn with_every_row_deleted_the_rows_that_come_after_are_indexed() {
    let mut conn = alices_database_at(11);
    insert_noted_before_0012(&conn, "gone", "indexed, deleted before the upgrade");
    index_before_0012(&conn);
    conn.execute("DELETE FROM notifications", []).unwrap();

    migrations().to_latest(&mut conn).unwrap();
    insert_from_elsewhere(&conn, "after", "inserted after the upgrade");
    index_pending(&conn).unwrap();
    assert_eq!(found(&conn, "upgrade"), ["after"]);
    assert!(search_index_is_whole(&conn));
}
