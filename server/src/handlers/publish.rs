//! The publishing routes of tools that speak Gotify or ntfy: `POST /message`, and `POST`/`PUT`
//! on `/{topic}` and `/`. Each reads the request in its tool's format (`crate::publish`),
//! creates the notification through the notify path — `Store::notify`, exactly as
//! `POST /api/internal/notify` does: preferences, email, streams — and answers `200` in the
//! tool's shape. The router has already settled the token and the recipient ([`Sender`]).

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap};
use hyper::{Request, Response, StatusCode};

use crate::error::ApiError;
use crate::publish::{Draft, Query, Receipt, Sender, adapt, gotify, ntfy};
use crate::request;
use crate::response::{self, Body};
use crate::router::{self, Call, TopicName};
use crate::state::AppState;
use crate::store::{NotifyCommand, NotifyOutcome};
use crate::timestamp::now_ms;

/// `POST /message`: Gotify's JSON, urlencoded or multipart message; Gotify's answer.
pub async fn gotify(call: Call<Sender>) -> Result<Response<Body>, ApiError> {
    let (headers, query, body) = read(call.req).await?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let message = gotify::parse(content_type, &query, body).await?;
    let receipt = deliver(&call.state, &message.draft, call.caller).await?;
    Ok(response::json(
        StatusCode::OK,
        &gotify::answer(&message, &receipt),
    ))
}

/// `POST`/`PUT /{topic}`: ntfy's message as the body, with ntfy's headers and parameters.
pub async fn ntfy_topic(call: Call<Sender, TopicName>) -> Result<Response<Body>, ApiError> {
    let (headers, query, body) = read(call.req).await?;
    let message = ntfy::parse_topic(&call.id, &headers, &query, &body)?;
    let receipt = deliver(&call.state, &message.draft, call.caller).await?;
    Ok(response::json(
        StatusCode::OK,
        &ntfy::answer(&message, &receipt),
    ))
}

/// `POST`/`PUT /`: ntfy's JSON body naming the topic, whatever its content type.
pub async fn ntfy_json(call: Call<Sender>) -> Result<Response<Body>, ApiError> {
    let (headers, query, body) = read(call.req).await?;
    let message = ntfy::parse_json(&headers, &query, &body, router::is_kept_name)?;
    let receipt = deliver(&call.state, &message.draft, call.caller).await?;
    Ok(response::json(
        StatusCode::OK,
        &ntfy::answer(&message, &receipt),
    ))
}

/// The request's headers, query parameters and body (`413` over 64 KiB).
async fn read(req: Request<Incoming>) -> Result<(HeaderMap, Query, Bytes), ApiError> {
    let headers = req.headers().clone();
    let query = Query::parse(req.uri().query());
    let body = request::body_bytes(req).await?;
    Ok((headers, query, body))
}

/// Creates the notification `draft` asks for, for the sender's recipient, through the
/// notify path; answers once it is committed.
async fn deliver(state: &AppState, draft: &Draft, sender: Sender) -> Result<Receipt, ApiError> {
    let notification = adapt::notification(draft, sender.recipient)?;
    let command = NotifyCommand {
        notification: notification.clone(),
        idempotency: None,
    };
    match state.store.notify(command).await? {
        NotifyOutcome::Created(created) => Ok(Receipt::new(
            &notification,
            created.notification.as_ref(),
            now_ms(),
        )),
        NotifyOutcome::Replayed(_) => Err(ApiError::Internal(
            "a publication without an idempotency key was answered as a replay".to_owned(),
        )),
    }
}
