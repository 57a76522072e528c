//! The web inbox's session writes: a session is a user token labelled `web session`; a
//! one-time login code is a row of `login_codes` (its hash, its user, its expiry) deleted by
//! the statement that trades it, so it works once. None of them changes an inbox.

use rusqlite::{Connection, OptionalExtension, params};

use super::Written;
use crate::ids;
use crate::store::StoreError;
use crate::web::login_code;

/// The label of the tokens that browser sessions are (`token list` shows it).
pub const SESSION_LABEL: &str = "web session";

/// Creates a session for `user_id`: a new user token, returned (the only time it is seen).
pub fn create_session(
    conn: &Connection,
    user_id: &str,
    now_ms: i64,
) -> Result<Written<String>, StoreError> {
    let token = ids::new_token();
    conn.prepare_cached(
        "INSERT INTO tokens (hash, scope, user_id, label, created_at) \
         VALUES (?1, 'user', ?2, ?3, ?4)",
    )?
    .execute(params![
        &ids::token_hash(&token)[..],
        user_id,
        SESSION_LABEL,
        now_ms
    ])?;
    Ok(Written::quiet(token))
}

/// Revokes the token with this hash (a session ending); revoking it again is harmless.
pub fn revoke_token(
    conn: &Connection,
    hash: &[u8; 32],
    now_ms: i64,
) -> Result<Written<()>, StoreError> {
    conn.prepare_cached("UPDATE tokens SET revoked_at = coalesce(revoked_at, ?2) WHERE hash = ?1")?
        .execute(params![&hash[..], now_ms])?;
    Ok(Written::quiet(()))
}

/// Creates a login code for `user_id`, valid [`login_code::VALID_FOR_MS`] from `now_ms`;
/// returns the code (only its hash is kept) and its expiry. Expired codes are dropped.
pub fn create_login_code(
    conn: &Connection,
    user_id: &str,
    now_ms: i64,
) -> Result<Written<(String, i64)>, StoreError> {
    conn.prepare_cached("DELETE FROM login_codes WHERE expires_at <= ?1")?
        .execute([now_ms])?;
    let code = login_code::new_code();
    let expires_at = now_ms + login_code::VALID_FOR_MS;
    conn.prepare_cached("INSERT INTO login_codes (hash, user_id, expires_at) VALUES (?1, ?2, ?3)")?
        .execute(params![&ids::token_hash(&code)[..], user_id, expires_at])?;
    Ok(Written::quiet((code, expires_at)))
}

/// Trades the code with this hash: its user, once, if it has not expired.
pub fn redeem_login_code(
    conn: &Connection,
    hash: &[u8; 32],
    now_ms: i64,
) -> Result<Written<Option<String>>, StoreError> {
    let row: Option<(String, i64)> = conn
        .prepare_cached("DELETE FROM login_codes WHERE hash = ?1 RETURNING user_id, expires_at")?
        .query_row([&hash[..]], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let user = row.and_then(|(user, expires_at)| (now_ms < expires_at).then_some(user));
    Ok(Written::quiet(user))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::admin::{add_user, list_tokens};
    use crate::store::queries;
    use crate::store::testing::database;

    fn db() -> Connection {
        let conn = database();
        add_user(&conn, "alice", None).unwrap();
        conn
    }

    #[test]
    fn a_session_is_a_labelled_user_token_until_revoked() {
        let conn = db();
        let token = create_session(&conn, "alice", 1).unwrap().value;
        let hash = ids::token_hash(&token);
        assert!(queries::authenticate(&conn, &hash).unwrap().is_some());
        let listed = list_tokens(&conn).unwrap();
        assert_eq!(listed[0].label.as_deref(), Some(SESSION_LABEL));
        assert_eq!(listed[0].user_id.as_deref(), Some("alice"));
        revoke_token(&conn, &hash, 2).unwrap();
        revoke_token(&conn, &hash, 3).unwrap();
        assert!(queries::authenticate(&conn, &hash).unwrap().is_none());
        assert_eq!(list_tokens(&conn).unwrap()[0].revoked_at, Some(2));
    }

    #[test]
    fn a_login_code_works_once() {
        let conn = db();
        let (code, expires_at) = create_login_code(&conn, "alice", 1_000).unwrap().value;
        assert_eq!(expires_at, 1_000 + login_code::VALID_FOR_MS);
        let hash = ids::token_hash(&code);
        let redeem = |hash: &[u8; 32]| redeem_login_code(&conn, hash, 2_000).unwrap().value;
        assert_eq!(redeem(&hash).as_deref(), Some("alice"));
        assert_eq!(redeem(&hash), None);
        assert_eq!(redeem(&ids::token_hash("other")), None);
    }

    #[test]
    fn an_expired_code_is_refused_and_dropped() {
        let conn = db();
        let (code, expires_at) = create_login_code(&conn, "alice", 0).unwrap().value;
        let hash = ids::token_hash(&code);
        assert_eq!(
            redeem_login_code(&conn, &hash, expires_at).unwrap().value,
            None
        );
        create_login_code(&conn, "alice", 0).unwrap();
        create_login_code(&conn, "alice", 10 * login_code::VALID_FOR_MS).unwrap();
        let left: i64 = conn
            .query_row("SELECT count(*) FROM login_codes", [], |r| r.get(0))
            .unwrap();
        assert_eq!(left, 1);
    }
}
