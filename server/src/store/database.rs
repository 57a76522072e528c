//! Which database `--db` names, and opening it: a path is a SQLite file (the default), a
//! `postgres://…` URL a PostgreSQL database shared by several nodes. The server and the
//! admin commands (`user …`, `token …`, `outbox list`, and `quickstart`) choose here, so
//! nothing else knows there are two backends.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use rusqlite::Connection;

use super::postgres::{self, PostgresStore};
use super::sqlite::{self, SqliteStore, Sync};
use super::{
    AdminError, Capacity, Housekeeping, Listeners, OutboxEntry, Store, TokenInfo, UserInfo, admin,
};
use crate::timestamp::now_ms;

/// The database a command works on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    Sqlite(PathBuf),
    /// The URL as given (it may hold a password: show it with `describe`).
    Postgres(String),
}

impl Database {
    /// `--db` / `NOTIF_DB` as given, else `notif.db` in the platform data directory.
    pub fn from_arg(db: Option<&PathBuf>) -> anyhow::Result<Database> {
        match db {
            Some(path) => match path.to_str() {
                Some(url) if postgres::is_postgres_url(url) => Ok(Database::Postgres(url.into())),
                _ => Ok(Database::Sqlite(path.clone())),
            },
            None => SqliteStore::default_path()
                .map(Database::Sqlite)
                .context("no home directory to keep the database in; pass --db PATH"),
        }
    }

    /// For messages and logs: the path, or the URL without its password.
    pub fn describe(&self) -> String {
        match self {
            Database::Sqlite(path) => path.display().to_string(),
            Database::Postgres(url) => postgres::connect::redact(url),
        }
    }

    /// Opens the store a server node runs on. `sync` and `capacity` (the read pool and the
    /// bounded queues) concern SQLite only; PostgreSQL has its bounded connection pool.
    pub async fn open_store(
        &self,
        sync: Sync,
        capacity: Capacity,
        listeners: Listeners,
        housekeeping: Housekeeping,
    ) -> anyhow::Result<Arc<dyn Store>> {
        match self {
            Database::Sqlite(path) => {
                let store = SqliteStore::open(path, sync, capacity, listeners, housekeeping)
                    .with_context(|| format!("could not open the database {}", path.display()))?;
                Ok(Arc::new(store))
            }
            // PostgreSQL's errors already read as one line naming the server.
            Database::Postgres(url) => Ok(Arc::new(
                PostgresStore::open(url, listeners, housekeeping).await?,
            )),
        }
    }
}

/// A connection for the admin commands, to either database.
pub enum AdminDb {
    Sqlite(Connection),
    Postgres(deadpool_postgres::Object),
}

impl AdminDb {
    /// Opens `db`, bringing its schema up to date as a starting server would.
    pub async fn open(db: &Database) -> anyhow::Result<AdminDb> {
        match db {
            Database::Sqlite(path) => Ok(AdminDb::Sqlite(
                sqlite::open_connection(path)
                    .with_context(|| format!("could not open the database {}", path.display()))?,
            )),
            Database::Postgres(url) => {
                Ok(AdminDb::Postgres(postgres::admin_connection(url).await?))
            }
        }
    }

    pub async fn user_exists(&self, id: &str) -> Result<bool, AdminError> {
        match self {
            AdminDb::Sqlite(c) => admin::user_exists(c, id),
            AdminDb::Postgres(c) => postgres::admin::user_exists(c, id).await,
        }
    }

    pub async fn add_user(&self, id: &str, email: Option<&str>) -> Result<(), AdminError> {
        match self {
            AdminDb::Sqlite(c) => admin::add_user(c, id, email),
            AdminDb::Postgres(c) => postgres::admin::add_user(c, id, email).await,
        }
    }

    pub async fn set_email(&self, id: &str, email: &str) -> Result<(), AdminError> {
        match self {
            AdminDb::Sqlite(c) => admin::set_email(c, id, email),
            AdminDb::Postgres(c) => postgres::admin::set_email(c, id, email).await,
        }
    }

    pub async fn remove_user(&self, id: &str) -> Result<(), AdminError> {
        match self {
            AdminDb::Sqlite(c) => admin::remove_user(c, id),
            AdminDb::Postgres(c) => postgres::admin::remove_user(c, id).await,
        }
    }

    pub async fn list_users(&self) -> Result<Vec<UserInfo>, AdminError> {
        match self {
            AdminDb::Sqlite(c) => admin::list_users(c),
            AdminDb::Postgres(c) => postgres::admin::list_users(c).await,
        }
    }

    /// A new token (of `user`, or a service token): its id and the token, shown only now.
    pub async fn add_token(
        &self,
        user: Option<&str>,
        label: Option<&str>,
    ) -> Result<(i64, String), AdminError> {
        match self {
            AdminDb::Sqlite(c) => admin::add_token(c, user, label),
            AdminDb::Postgres(c) => postgres::admin::add_token(c, user, label).await,
        }
    }

    pub async fn list_tokens(&self) -> Result<Vec<TokenInfo>, AdminError> {
        match self {
            AdminDb::Sqlite(c) => admin::list_tokens(c),
            AdminDb::Postgres(c) => postgres::admin::list_tokens(c).await,
        }
    }

    /// Revokes a token: `true` when this call revoked it, `false` when it already was.
    pub async fn revoke_token(&self, id: i64) -> Result<bool, AdminError> {
        match self {
            AdminDb::Sqlite(c) => admin::revoke_token(c, id),
            AdminDb::Postgres(c) => postgres::admin::revoke_token(c, id).await,
        }
    }

    pub async fn token_belongs_to(&self, token: &str, user: &str) -> Result<bool, AdminError> {
        match self {
            AdminDb::Sqlite(c) => admin::token_belongs_to(c, token, user),
            AdminDb::Postgres(c) => postgres::admin::token_belongs_to(c, token, user).await,
        }
    }

    /// A one-time login code for `user` (the web inbox's sign-in link) and its expiry.
    pub async fn create_login_code(&self, user: &str) -> Result<(String, i64), AdminError> {
        match self {
            AdminDb::Sqlite(c) => Ok(super::create_login_code(c, user, now_ms())?.value),
            AdminDb::Postgres(c) => {
                Ok(postgres::sessions::create_login_code(c, user, now_ms()).await?)
            }
        }
    }

    /// Pending and failed emails (and sent ones with `all`), newest first.
    pub async fn outbox(&self, all: bool) -> Result<Vec<OutboxEntry>, AdminError> {
        match self {
            AdminDb::Sqlite(c) => Ok(super::outbox::list(c, all)?),
            AdminDb::Postgres(c) => Ok(postgres::outbox::list(c, all).await?),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_selects_postgres_and_a_path_sqlite() {
        let url = PathBuf::from("postgres://notif:secret@db:5432/notif");
        let db = Database::from_arg(Some(&url)).unwrap();
        assert_eq!(db, Database::Postgres(url.to_str().unwrap().into()));
        assert!(!db.describe().contains("secret"));
        let path = PathBuf::from("./notif.db");
        assert_eq!(
            Database::from_arg(Some(&path)).unwrap(),
            Database::Sqlite(path)
        );
    }
}
