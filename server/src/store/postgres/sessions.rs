//! The web inbox's session writes on PostgreSQL, the counterparts of
//! `store/writes/sessions.rs`: a session is a user token labelled `web session`; a one-time
//! login code is a row of `login_codes` deleted by the statement that trades it, so it works
//! once on whichever node trades it. None of them changes an inbox, so none goes through
//! the group commit or publishes an event.

use deadpool_postgres::GenericClient;

use super::fault::Fail;
use crate::ids;
use crate::store::writes::SESSION_LABEL;
use crate::web::login_code;

/// Creates a session for `user_id`: a new user token, returned (the only time it is seen).
pub async fn create_session(
    c: &impl GenericClient,
    user_id: &str,
    now_ms: i64,
) -> Result<String, Fail> {
    let token = ids::new_token();
    let stmt = c
        .prepare_cached(
            "INSERT INTO tokens (hash, scope, user_id, label, created_at) \
             VALUES ($1, 'user', $2, $3, $4)",
        )
        .await?;
    c.execute(
        &stmt,
        &[
            &&ids::token_hash(&token)[..],
            &user_id,
            &SESSION_LABEL,
            &now_ms,
        ],
    )
    .await?;
    Ok(token)
}

/// Revokes the token with this hash (a session ending); revoking it again is harmless.
pub async fn revoke_token(
    c: &impl GenericClient,
    hash: &[u8; 32],
    now_ms: i64,
) -> Result<(), Fail> {
    let stmt = c
        .prepare_cached("UPDATE tokens SET revoked_at = coalesce(revoked_at, $2) WHERE hash = $1")
        .await?;
    c.execute(&stmt, &[&&hash[..], &now_ms]).await?;
    Ok(())
}

/// Creates a login code for `user_id`, valid [`login_code::VALID_FOR_MS`] from `now_ms`;
/// returns the code (only its hash is kept) and its expiry. Expired codes are dropped.
pub async fn create_login_code(
    c: &impl GenericClient,
    user_id: &str,
    now_ms: i64,
) -> Result<(String, i64), Fail> {
    let expired = c
        .prepare_cached("DELETE FROM login_codes WHERE expires_at <= $1")
        .await?;
    c.execute(&expired, &[&now_ms]).await?;
    let code = login_code::new_code();
    let expires_at = now_ms + login_code::VALID_FOR_MS;
    let insert = c
        .prepare_cached("INSERT INTO login_codes (hash, user_id, expires_at) VALUES ($1, $2, $3)")
        .await?;
    c.execute(
        &insert,
        &[&&ids::token_hash(&code)[..], &user_id, &expires_at],
    )
    .await?;
    Ok((code, expires_at))
}

/// Trades the code with this hash: its user, once, if it has not expired.
pub async fn redeem_login_code(
    c: &impl GenericClient,
    hash: &[u8; 32],
    now_ms: i64,
) -> Result<Option<String>, Fail> {
    let stmt = c
        .prepare_cached("DELETE FROM login_codes WHERE hash = $1 RETURNING user_id, expires_at")
        .await?;
    let Some(row) = c.query_opt(&stmt, &[&&hash[..]]).await? else {
        return Ok(None);
    };
    let user: String = row.try_get(0)?;
    let expires_at: i64 = row.try_get(1)?;
    Ok((now_ms < expires_at).then_some(user))
}
