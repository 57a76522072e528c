//! Browser sessions (`API.md`, "Browser sessions"): `POST /api/session` trades a user token
//! or a one-time login code for the session cookie, `DELETE /api/session` logs out,
//! `POST /api/session/links` hands out a one-time sign-in URL (`notif web`).

use hyper::header::{self, HeaderValue};
use hyper::{Response, StatusCode};
use serde_json::{Value, json};

use crate::auth;
use crate::cross_site;
use crate::error::ApiError;
use crate::failed_auth::ClientAddr;
use crate::fields::FieldErrors;
use crate::ids::token_hash;
use crate::model::{Principal, Scope};
use crate::policy::rate_limited;
use crate::request;
use crate::response::{self, Body};
use crate::router::{Call, UserId};
use crate::state::AppState;
use crate::timestamp::format_ms;
use crate::web::{cookie, login_code};

/// What a browser signs in with.
#[derive(Debug, PartialEq, Eq)]
enum Credential {
    Token(String),
    Code(String),
}

/// `{"token": …}` or `{"code": …}`, exactly one of them, else `422`.
fn credential(body: &Value) -> Result<Credential, ApiError> {
    let mut errors = FieldErrors::default();
    let Some(object) = body.as_object() else {
        errors.add("body", "must be an object with token or code");
        return errors.into_result(Credential::Code(String::new()));
    };
    // Blanks around a pasted value are dropped; only "" itself is invalid, as the schema
    // says (`minLength: 1`): blanks alone are a bad token or code, `401` like any other.
    let present = |s: &str| {
        if s.is_empty() {
            Err("must not be empty".to_owned())
        } else {
            Ok(s.trim().to_owned())
        }
    };
    let token = errors.optional_str(object, "token", present);
    let code = errors.optional_str(object, "code", present);
    let credential = match (token, code) {
        (Some(token), None) => Credential::Token(token),
        (None, Some(code)) => Credential::Code(code),
        _ => {
            errors.add("token", "give either token or code");
            Credential::Code(String::new())
        }
    };
    errors.into_result(credential)
}

/// `POST /api/session` → `204` with the session cookie. A browser's request (one with an
/// `Origin`) must pass cross-site protection like a cookie request (`403`): another site's
/// page could otherwise sign the browser in to an account of its choosing.
pub async fn open(call: Call) -> Result<Response<Body>, ApiError> {
    let state = &call.state;
    let policy = &state.policy;
    if call.req.headers().contains_key(header::ORIGIN) {
        let (method, headers) = (call.req.method(), call.req.headers());
        cross_site::check(&policy.own_origins, &policy.cors, method, headers)?;
    }
    let client = call.req.extensions().get::<ClientAddr>().map(|c| c.0.ip());
    let credential = credential(&request::json_body(call.req).await?)?;
    // Unknown tokens and codes count against the address's failed-authentication limit, as
    // on every other route.
    let hash = match &credential {
        Credential::Token(secret) | Credential::Code(secret) => token_hash(secret),
    };
    policy
        .failed_auth
        .admit(client, &hash)
        .map_err(|wait| rate_limited(wait, "with unknown tokens from this address"))?;
    let user_id = match credential {
        Credential::Token(_) => match state.store.authenticate(hash).await? {
            Some(Principal {
                scope: Scope::User(user),
                ..
            }) => Some(user),
            _ => None,
        },
        Credential::Code(_) => state.store.redeem_login_code(hash).await?,
    };
    let Some(user_id) = user_id else {
        policy.failed_auth.failed(client, &hash);
        return Err(ApiError::Unauthorized);
    };
    policy.failed_auth.succeeded(hash);
    let session = state.store.create_session(user_id).await?;
    let mut response = response::empty(StatusCode::NO_CONTENT);
    set_cookie(&mut response, &cookie::open(&session, secure(state)));
    Ok(response)
}

/// `DELETE /api/session` → `204`: the session token (cookie or bearer) is revoked and the
/// cookie cleared.
pub async fn close(call: Call<UserId>) -> Result<Response<Body>, ApiError> {
    let state = &call.state;
    let hash = auth::token_hash_of(&call.req).ok_or(ApiError::Unauthorized)?;
    state.store.revoke_token(hash).await?;
    let mut response = response::empty(StatusCode::NO_CONTENT);
    set_cookie(&mut response, &cookie::clear(secure(state)));
    Ok(response)
}

/// `POST /api/session/links` → `201 {"url", "expiresAt"}`: a one-time sign-in URL.
pub async fn link(call: Call<UserId>) -> Result<Response<Body>, ApiError> {
    let state = &call.state;
    let (code, expires_at) = state.store.create_login_code(call.caller).await?;
    let body = json!({
        "url": login_code::login_url(&state.policy.public_url, &code),
        "expiresAt": format_ms(expires_at),
    });
    Ok(response::json(StatusCode::CREATED, &body))
}

fn secure(state: &AppState) -> bool {
    cookie::secure_for(&state.policy.public_url)
}

fn set_cookie(response: &mut Response<Body>, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_credential_is_a_token_or_a_code() {
        assert_eq!(
            credential(&json!({"token": " ntf_x "})).unwrap(),
            Credential::Token("ntf_x".into())
        );
        assert_eq!(
            credential(&json!({"code": "abc"})).unwrap(),
            Credential::Code("abc".into())
        );
        assert_eq!(
            credential(&json!({"token": " \t"})).unwrap(),
            Credential::Token(String::new()),
            "blanks alone: a token, one that no user has"
        );
        for bad in [
            json!({}),
            json!({"token": "a", "code": "b"}),
            json!({"token": ""}),
            json!({"code": 3}),
            json!([]),
        ] {
            let err = credential(&bad).unwrap_err();
            assert_eq!(err.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        }
    }
}
