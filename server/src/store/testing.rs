//! Fixtures for the store's unit tests: a migrated in-memory database and users (the
//! notify they send is `NotifyCommand::plain`).

use rusqlite::Connection;

use super::sqlite::migrations;

/// A fresh database with the schema of `migrations/`, as the writer sees it.
pub fn database() -> Connection {
    let mut conn = Connection::open_in_memory().unwrap();
    conn.pragma_update(None, "foreign_keys", "ON").unwrap();
    migrations().to_latest(&mut conn).unwrap();
    super::search::register(&conn).unwrap();
    conn
}

/// Adds a user, with an email address if given.
pub fn add_user(conn: &Connection, id: &str, email: Option<&str>) {
    super::admin::add_user(conn, id, email).unwrap();
}

/// Inserts a notification for alice as another process would: the row alone, which waits
/// above the search index's watermark for the writer's next indexing
/// (`search::index_pending`).
pub fn insert_from_elsewhere(conn: &Connection, id: &str, title: &str) {
    conn.execute(
        "INSERT INTO notifications (id, user_id, type, title, created_at)
         VALUES (?1, 'alice', 'INFO', ?2, 0)",
        [id, title],
    )
    .unwrap();
}

/// The same in a database older than migration 0012 (from 0007 on), where the row was
/// also noted in `search_pending` for the index.
pub fn insert_noted_before_0012(conn: &Connection, id: &str, title: &str) {
    insert_from_elsewhere(conn, id, title);
    conn.execute(
        "INSERT INTO search_pending (seq) VALUES (last_insert_rowid())",
        [],
    )
    .unwrap();
}

/// Whether the full-text index agrees with the table it indexes. Rows still waiting above
/// its watermark count as missing: ask after `search::index_pending`.
pub fn search_index_is_whole(conn: &Connection) -> bool {
    conn.execute(
        "INSERT INTO notifications_search (notifications_search, rank) VALUES ('integrity-check', 1)",
        [],
    )
    .is_ok()
}
