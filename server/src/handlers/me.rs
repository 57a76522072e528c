//! `GET /api/me`: lets a client check its credentials.

use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use serde_json::json;

use crate::auth;
use crate::error::ApiError;
use crate::model::Scope;
use crate::response::{self, Body};
use crate::state::AppState;

pub async fn get(state: &AppState, req: &Request<Incoming>) -> Result<Response<Body>, ApiError> {
    let principal = auth::authenticate(state, req).await?;
    let body = match principal.scope {
        Scope::User(user) => json!({"userId": user, "scope": "user"}),
        Scope::Service => json!({"userId": null, "scope": "service"}),
    };
    Ok(response::json(StatusCode::OK, &body))
}
