//! Fixtures for the store's unit tests: a migrated in-memory database, users, and a plain
//! notify command.

use rusqlite::Connection;

use super::NotifyCommand;
use super::sqlite::migrations;
use crate::model::{Kind, NewNotification};

/// A fresh database with the schema of `migrations/`, as the writer sees it.
pub fn database() -> Connection {
    let mut conn = Connection::open_in_memory().unwrap();
    conn.pragma_update(None, "foreign_keys", "ON").unwrap();
    migrations().to_latest(&mut conn).unwrap();
    conn
}

/// Adds a user, with an email address if given.
pub fn add_user(conn: &Connection, id: &str, email: Option<&str>) {
    super::admin::add_user(conn, id, email).unwrap();
}

/// A notify for `user` titled `title`, without an idempotency key.
pub fn command(user: &str, title: &str) -> NotifyCommand {
    NotifyCommand {
        notification: NewNotification {
            user_id: user.into(),
            kind: Kind::Info,
            title: title.into(),
            body: None,
            link: None,
            category: None,
        },
        idempotency: None,
    }
}
