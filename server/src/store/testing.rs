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
