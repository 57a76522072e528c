//! Who is calling: the bearer token from `Authorization` (which wins) or the `notif_token`
//! cookie, looked up by its SHA-256. The router calls this before a route's handler runs, as
//! the route's row asks; handlers get the caller and never authenticate.

use hyper::Request;
use hyper::body::Incoming;
use hyper::header;

use crate::cross_site;
use crate::error::ApiError;
use crate::failed_auth::ClientAddr;
use crate::ids::token_hash;
use crate::model::{Principal, Scope};
use crate::policy::rate_limited;
use crate::state::AppState;
use crate::timestamp::now_ms;

/// A token's `last_used_at` is refreshed at most this often, so that reads stay reads.
const TOUCH_EVERY_MS: i64 = 60_000;

/// The caller's principal, or `401`. A cookie request must then pass cross-site protection
/// (`403`, see [`cross_site`]); a client address over its failed authentications is `429`
/// unless its token authenticated before (see [`crate::failed_auth`]).
pub async fn authenticate(
    state: &AppState,
    req: &Request<Incoming>,
) -> Result<Principal, ApiError> {
    let (token, from_cookie) = credentials(req).ok_or(ApiError::Unauthorized)?;
    let principal = principal_of(state, req, token).await?;
    if from_cookie {
        let policy = &state.policy;
        cross_site::check(
            &policy.own_origins,
            &policy.cors,
            req.method(),
            req.headers(),
        )?;
    }
    Ok(principal)
}

/// The principal `token` stands for, or `401`, however `req` carried the token (the
/// publishing routes read it from more places than [`authenticate`] does). Failed lookups
/// count against the client's address, which is `429` once over its limit.
pub async fn principal_of(
    state: &AppState,
    req: &Request<Incoming>,
    token: &str,
) -> Result<Principal, ApiError> {
    let policy = &state.policy;
    let hash = token_hash(token);
    let client = req.extensions().get::<ClientAddr>().map(|c| c.0.ip());
    policy
        .failed_auth
        .admit(client, &hash)
        .map_err(|wait| rate_limited(wait, "with unknown tokens from this address"))?;
    let Some(principal) = state.store.authenticate(hash).await? else {
        policy.failed_auth.failed(client, &hash);
        return Err(ApiError::Unauthorized);
    };
    policy.failed_auth.succeeded(hash);
    let now = now_ms();
    if principal
        .last_used_at
        .is_none_or(|at| now - at >= TOUCH_EVERY_MS)
    {
        state.store.touch_token(hash, principal.token_id, now);
    }
    Ok(principal)
}

/// The user a user token speaks for; `403` for a service token.
pub fn user_of(principal: &Principal) -> Result<String, ApiError> {
    match &principal.scope {
        Scope::User(user) => Ok(user.clone()),
        Scope::Service => Err(ApiError::Forbidden(
            "a service token may only notify (/api/internal/notify, the Gotify and ntfy routes) and call GET /api/me".to_owned(),
        )),
    }
}

/// The hash of the token the request carries, if any.
pub fn token_hash_of(req: &Request<Incoming>) -> Option<[u8; 32]> {
    credentials(req).map(|(token, _)| token_hash(token))
}

/// The token the request carries, and whether it came from the cookie. A present
/// `Authorization` header is the only source considered, even when it is not a bearer token.
fn credentials(req: &Request<Incoming>) -> Option<(&str, bool)> {
    if let Some(value) = req.headers().get(header::AUTHORIZATION) {
        let value = value.to_str().ok()?;
        let (scheme, token) = value.split_once(' ')?;
        return scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| token.trim())
            .filter(|t| !t.is_empty())
            .map(|t| (t, false));
    }
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == "notif_token")
        .map(|(_, value)| value.trim())
        .filter(|t| !t.is_empty())
        .map(|t| (t, true))
}
