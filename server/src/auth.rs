//! Who is calling: the bearer token from `Authorization` (which wins) or the `notif_token`
//! cookie, looked up by its SHA-256. The router calls this before a route's handler runs, as
//! the route's row asks; handlers get the caller and never authenticate.

use hyper::Request;
use hyper::body::Incoming;
use hyper::header;

use crate::error::ApiError;
use crate::ids::token_hash;
use crate::model::{Principal, Scope};
use crate::state::AppState;
use crate::timestamp::now_ms;

/// A token's `last_used_at` is refreshed at most this often, so that reads stay reads.
const TOUCH_EVERY_MS: i64 = 60_000;

/// The caller's principal, or `401`. A token sent as the cookie with a browser `Origin` that
/// CORS does not allow is refused (`403`): browsers send cookies with cross-site requests,
/// so a foreign page could otherwise act on the inbox (request forgery).
pub async fn authenticate(
    state: &AppState,
    req: &Request<Incoming>,
) -> Result<Principal, ApiError> {
    let (token, from_cookie) = credentials(req).ok_or(ApiError::Unauthorized)?;
    if from_cookie {
        if let Some(origin) = req.headers().get(header::ORIGIN) {
            if !state.policy.cors.allows(origin) {
                return Err(ApiError::Forbidden(
                    "cookie authentication is refused from this origin".to_owned(),
                ));
            }
        }
    }
    let principal = state
        .store
        .authenticate(token_hash(token))
        .await?
        .ok_or(ApiError::Unauthorized)?;
    let now = now_ms();
    if principal
        .last_used_at
        .is_none_or(|at| now - at >= TOUCH_EVERY_MS)
    {
        state.store.touch_token(principal.token_id, now);
    }
    Ok(principal)
}

/// The user a user token speaks for; `403` for a service token.
pub fn user_of(principal: &Principal) -> Result<String, ApiError> {
    match &principal.scope {
        Scope::User(user) => Ok(user.clone()),
        Scope::Service => Err(ApiError::Forbidden(
            "a service token may only call /api/internal/notify".to_owned(),
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
