//! What the admin commands do to a PostgreSQL database: users, tokens and the outbox, the
//! counterparts of `store::admin` for `notif-server user|token|outbox … --db postgres://…`.
//! Safe beside running nodes: each is one short statement or transaction.

use deadpool_postgres::GenericClient;

use super::fault::Fail;
use crate::ids;
use crate::store::{AdminError, StoreError, TokenInfo, UserInfo};
use crate::timestamp::now_ms;

impl From<Fail> for AdminError {
    fn from(fail: Fail) -> Self {
        AdminError::Store(fail.into())
    }
}

fn pg(err: tokio_postgres::Error) -> AdminError {
    AdminError::Store(StoreError::from(Fail::Pg(err)))
}

pub async fn user_exists(c: &impl GenericClient, id: &str) -> Result<bool, AdminError> {
    let row = c
        .query_opt("SELECT 1 FROM users WHERE id = $1", &[&id])
        .await
        .map_err(pg)?;
    Ok(row.is_some())
}

pub async fn add_user(
    c: &impl GenericClient,
    id: &str,
    email: Option<&str>,
) -> Result<(), AdminError> {
    let added = c
        .execute(
            "INSERT INTO users (id, email, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
            &[&id, &email, &now_ms()],
        )
        .await
        .map_err(pg)?;
    match added {
        0 => Err(AdminError::UserExists(id.to_owned())),
        _ => Ok(()),
    }
}

pub async fn set_email(c: &impl GenericClient, id: &str, email: &str) -> Result<(), AdminError> {
    match c
        .execute("UPDATE users SET email = $2 WHERE id = $1", &[&id, &email])
        .await
        .map_err(pg)?
    {
        0 => Err(AdminError::NoSuchUser(id.to_owned())),
        _ => Ok(()),
    }
}

pub async fn remove_user(c: &impl GenericClient, id: &str) -> Result<(), AdminError> {
    match c
        .execute("DELETE FROM users WHERE id = $1", &[&id])
        .await
        .map_err(pg)?
    {
        0 => Err(AdminError::NoSuchUser(id.to_owned())),
        _ => Ok(()),
    }
}

pub async fn list_users(c: &impl GenericClient) -> Result<Vec<UserInfo>, AdminError> {
    let rows = c
        .query(
            "SELECT u.id, u.email, u.created_at, coalesce(k.notification_count, 0)
             FROM users u LEFT JOIN user_counters k ON k.user_id = u.id ORDER BY u.id",
            &[],
        )
        .await
        .map_err(pg)?;
    rows.iter()
        .map(|r| {
            Ok(UserInfo {
                id: r.try_get(0)?,
                email: r.try_get(1)?,
                created_at: r.try_get(2)?,
                notifications: r.try_get::<_, i64>(3)?.max(0) as u64,
            })
        })
        .collect::<Result<_, tokio_postgres::Error>>()
        .map_err(pg)
}

/// Creates a token (for `user`, or a service token when `None`) and returns its id and the
/// token: the only time it is ever seen. Only its hash is stored.
pub async fn add_token(
    c: &impl GenericClient,
    user: Option<&str>,
    label: Option<&str>,
) -> Result<(i64, String), AdminError> {
    if let Some(user) = user {
        if !user_exists(c, user).await? {
            return Err(AdminError::NoSuchUser(user.to_owned()));
        }
    }
    let token = ids::new_token();
    let scope = if user.is_some() { "user" } else { "service" };
    let row = c
        .query_one(
            "INSERT INTO tokens (hash, scope, user_id, label, created_at) VALUES ($1, $2, $3, $4, $5)
             RETURNING id",
            &[&&ids::token_hash(&token)[..], &scope, &user, &label, &now_ms()],
        )
        .await
        .map_err(pg)?;
    Ok((row.try_get(0).map_err(pg)?, token))
}

pub async fn list_tokens(c: &impl GenericClient) -> Result<Vec<TokenInfo>, AdminError> {
    let rows = c
        .query(
            "SELECT id, scope, user_id, label, created_at, last_used_at, revoked_at FROM tokens ORDER BY id",
            &[],
        )
        .await
        .map_err(pg)?;
    rows.iter()
        .map(|r| {
            Ok(TokenInfo {
                id: r.try_get(0)?,
                scope: r
                    .try_get::<_, String>(1)?
                    .parse()
                    .unwrap_or(crate::model::TokenScope::Service),
                user_id: r.try_get(2)?,
                label: r.try_get(3)?,
                created_at: r.try_get(4)?,
                last_used_at: r.try_get(5)?,
                revoked_at: r.try_get(6)?,
            })
        })
        .collect::<Result<_, tokio_postgres::Error>>()
        .map_err(pg)
}

/// Revokes a token: `true` when this call revoked it, `false` when it already was revoked
/// (its first revocation time is kept).
pub async fn revoke_token(c: &impl GenericClient, id: i64) -> Result<bool, AdminError> {
    let row = c
        .query_opt(
            "UPDATE tokens SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1
             RETURNING revoked_at = $2",
            &[&id, &now_ms()],
        )
        .await
        .map_err(pg)?;
    match row {
        None => Err(AdminError::NoSuchToken(id)),
        Some(row) => row.try_get(0).map_err(pg),
    }
}

/// Whether `token` is a live token of `user`.
pub async fn token_belongs_to(
    c: &impl GenericClient,
    token: &str,
    user: &str,
) -> Result<bool, AdminError> {
    let row = c
        .query_opt(
            "SELECT 1 FROM tokens WHERE hash = $1 AND user_id = $2 AND revoked_at IS NULL",
            &[&&ids::token_hash(token)[..], &user],
        )
        .await
        .map_err(pg)?;
    Ok(row.is_some())
}
