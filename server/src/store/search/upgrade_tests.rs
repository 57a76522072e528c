//! Migration 0010: the search index made again without column sizes, from a database that
//! has rows indexed and a row noted for indexing.

use rusqlite::Connection;

use super::index_pending;
use crate::store::sqlite::migrations;
use crate::store::testing::{add_user, insert_noted, search_index_is_whole};

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

#[test]
fn the_index_made_again_finds_every_row_once_and_stays_whole() {
    let mut conn = Connection::open_in_memory().unwrap();
    migrations().to_version(&mut conn, 9).unwrap();
    add_user(&conn, "alice", None);
    insert_noted(&conn, "indexed", "indexed before the upgrade");
    index_pending(&conn).unwrap();
    insert_noted(&conn, "noted", "noted before the upgrade");

    migrations().to_latest(&mut conn).unwrap();
    let sizes: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE name = 'notifications_search_docsize'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(sizes, 0, "no column sizes are kept");
    index_pending(&conn).unwrap();
    assert_eq!(found(&conn, "upgrade"), ["indexed", "noted"]);
    assert!(search_index_is_whole(&conn));

    insert_noted(&conn, "after", "indexed after the upgrade");
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
