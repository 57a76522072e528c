//! `GET /api/me`: lets a client check its credentials.

use hyper::{Response, StatusCode};
use serde_json::json;

use crate::error::ApiError;
use crate::model::{Principal, Scope};
use crate::response::{self, Body};
use crate::router::Call;

/// Who the caller's token speaks for: a user, or a service.
pub async fn get(call: Call<Principal>) -> Result<Response<Body>, ApiError> {
    let body = match call.caller.scope {
        Scope::User(user) => json!({"userId": user, "scope": "user"}),
        Scope::Service => json!({"userId": null, "scope": "service"}),
    };
    Ok(response::json(StatusCode::OK, &body))
}
