//! What the admin commands do to the database: users and tokens. Plain functions over a
//! connection, run by `notif-server user …` / `token …`, possibly beside a running server
//! (WAL and the busy timeout make that safe).

use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;
use super::revocations::RevocationMark;
use crate::ids;
use crate::model::TokenScope;
use crate::timestamp::now_ms;

/// A user as `user list` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInfo {
    pub id: String,
    pub email: Option<String>,
    pub created_at: i64,
    pub notifications: u64,
}

/// A token as `token list` shows it: never the token itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    pub id: i64,
    pub scope: TokenScope,
    pub user_id: Option<String>,
    pub label: Option<String>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// Why an admin command could not do what it was asked.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("user {0:?} already exists")]
    UserExists(String),
    #[error("no user {0:?}")]
    NoSuchUser(String),
    #[error("no token with id {0}")]
    NoSuchToken(i64),
    /// The change is committed, but a running server may still accept the tokens it ended.
    #[error(
        "the database is changed, but running servers could not be told that tokens were revoked ({0}); run the command again, or restart the server"
    )]
    NotAnnounced(StoreError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for AdminError {
    fn from(err: rusqlite::Error) -> Self {
        AdminError::Store(err.into())
    }
}

pub fn user_exists(conn: &Connection, id: &str) -> Result<bool, AdminError> {
    Ok(super::queries::user_exists(conn, id)?)
}

pub fn add_user(conn: &Connection, id: &str, email: Option<&str>) -> Result<(), AdminError> {
    if user_exists(conn, id)? {
        return Err(AdminError::UserExists(id.to_owned()));
    }
    conn.execute(
        "INSERT INTO users (id, email, created_at) VALUES (?1, ?2, ?3)",
        params![id, email, now_ms()],
    )?;
    Ok(())
}

pub fn set_email(conn: &Connection, id: &str, email: &str) -> Result<(), AdminError> {
    match conn.execute(
        "UPDATE users SET email = ?2 WHERE id = ?1",
        params![id, email],
    )? {
        0 => Err(AdminError::NoSuchUser(id.to_owned())),
        _ => Ok(()),
    }
}

pub fn remove_user(conn: &Connection, id: &str) -> Result<(), AdminError> {
    let removed = conn.execute("DELETE FROM users WHERE id = ?1", [id])?;
    // Even with no such user: an earlier removal whose announcement failed is told now.
    announce_revocation(conn)?;
    match removed {
        0 => Err(AdminError::NoSuchUser(id.to_owned())),
        _ => Ok(()),
    }
}

/// Tells running servers that tokens may have stopped being valid (the user's went with it,
/// or one was revoked), once that is committed. A database whose path SQLite cannot give as
/// UTF-8 has no mark: a server on it keeps no tokens in memory.
fn announce_revocation(conn: &Connection) -> Result<(), AdminError> {
    match RevocationMark::of(conn) {
        Some(mark) => mark.announce().map_err(AdminError::NotAnnounced),
        None => Ok(()),
    }
}

pub fn list_users(conn: &Connection) -> Result<Vec<UserInfo>, AdminError> {
    let mut stmt = conn.prepare(
        "SELECT u.id, u.email, u.created_at,
                (SELECT count(*) FROM notifications n WHERE n.user_id = u.id)
         FROM users u ORDER BY u.id",
    )?;
    let users = stmt
        .query_map([], |r| {
            Ok(UserInfo {
                id: r.get(0)?,
                email: r.get(1)?,
                created_at: r.get(2)?,
                notifications: r.get::<_, i64>(3)?.max(0) as u64,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(users)
}

/// Creates a token (for `user`, or a service token when `None`) and returns it: the only
/// time it is ever seen. Only its hash is stored.
pub fn add_token(
    conn: &Connection,
    user: Option<&str>,
    label: Option<&str>,
) -> Result<(i64, String), AdminError> {
    if let Some(user) = user {
        if !user_exists(conn, user)? {
            return Err(AdminError::NoSuchUser(user.to_owned()));
        }
    }
    let token = ids::new_token();
    let scope = if user.is_some() {
        TokenScope::User
    } else {
        TokenScope::Service
    };
    conn.execute(
        "INSERT INTO tokens (hash, scope, user_id, label, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![&ids::token_hash(&token)[..], scope, user, label, now_ms()],
    )?;
    Ok((conn.last_insert_rowid(), token))
}

pub fn list_tokens(conn: &Connection) -> Result<Vec<TokenInfo>, AdminError> {
    let mut stmt = conn.prepare(
        "SELECT id, scope, user_id, label, created_at, last_used_at, revoked_at FROM tokens ORDER BY id",
    )?;
    let tokens = stmt
        .query_map([], |r| {
            Ok(TokenInfo {
                id: r.get(0)?,
                scope: r.get(1)?,
                user_id: r.get(2)?,
                label: r.get(3)?,
                created_at: r.get(4)?,
                last_used_at: r.get(5)?,
                revoked_at: r.get(6)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(tokens)
}

/// Revokes a token: `true` when this call revoked it, `false` when it already was revoked
/// (its first revocation time is kept).
pub fn revoke_token(conn: &Connection, id: i64) -> Result<bool, AdminError> {
    let exists = conn
        .query_row("SELECT 1 FROM tokens WHERE id = ?1", [id], |_| Ok(()))
        .optional()?
        .is_some();
    if !exists {
        return Err(AdminError::NoSuchToken(id));
    }
    let revoked = conn.execute(
        "UPDATE tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
        params![id, now_ms()],
    )?;
    // Even when it already was revoked: an earlier revocation whose announcement failed is
    // told now.
    announce_revocation(conn)?;
    Ok(revoked == 1)
}

/// Whether `token` is a live token of `user` (used by `quickstart` to keep a working config).
pub fn token_belongs_to(conn: &Connection, token: &str, user: &str) -> Result<bool, AdminError> {
    Ok(conn
        .prepare("SELECT 1 FROM tokens WHERE hash = ?1 AND user_id = ?2 AND revoked_at IS NULL")?
        .exists(params![&ids::token_hash(token)[..], user])?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sqlite::open_connection;

    #[test]
    fn a_revocation_running_servers_were_not_told_of_is_told_when_run_again() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open_connection(&dir.path().join("notif.db")).unwrap();
        add_user(&conn, "alice", None).unwrap();
        let (id, _) = add_token(&conn, Some("alice"), None).unwrap();
        let mark = dir.path().join("notif.db-revocations");
        // A directory in the mark's place: appending to it fails.
        std::fs::create_dir(&mark).unwrap();
        let err = revoke_token(&conn, id).unwrap_err();
        assert!(matches!(err, AdminError::NotAnnounced(_)), "{err}");
        assert!(err.to_string().contains("run the command again"), "{err}");
        std::fs::remove_dir(&mark).unwrap();
        assert!(!revoke_token(&conn, id).unwrap(), "already revoked");
        assert_eq!(std::fs::read(&mark).unwrap(), b"r");
        // Likewise for a removed user, whose tokens went with it.
        std::fs::remove_file(&mark).unwrap();
        std::fs::create_dir(&mark).unwrap();
        assert!(matches!(
            remove_user(&conn, "alice"),
            Err(AdminError::NotAnnounced(_))
        ));
        std::fs::remove_dir(&mark).unwrap();
        assert!(matches!(
            remove_user(&conn, "alice"),
            Err(AdminError::NoSuchUser(_))
        ));
        assert_eq!(std::fs::read(&mark).unwrap(), b"r");
    }
}
