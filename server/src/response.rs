//! Small constructors for responses: JSON, empty, text, streams, and the error body.

use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full};
use hyper::header::{self, HeaderValue};
use hyper::{Response, StatusCode};
use serde::Serialize;

use crate::error::ApiError;

/// The body of every response: a whole buffer, or a stream of frames for SSE.
pub type Body = UnsyncBoxBody<Bytes, Infallible>;

const JSON: HeaderValue = HeaderValue::from_static("application/json");

fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into()).boxed_unsync()
}

fn with_body<B>(status: StatusCode, content_type: HeaderValue, body: B) -> Response<B> {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, content_type);
    response
}

/// `status` with `value` as JSON.
pub fn json<T: Serialize + ?Sized>(status: StatusCode, value: &T) -> Response<Body> {
    json_bytes(status, value).map(full)
}

/// [`json`] with its body as one buffer.
fn json_bytes<T: Serialize + ?Sized>(status: StatusCode, value: &T) -> Response<Bytes> {
    match serde_json::to_vec(value) {
        Ok(bytes) => with_body(status, JSON, Bytes::from(bytes)),
        Err(err) => error_bytes(&ApiError::Internal(format!(
            "serialising a response: {err}"
        ))),
    }
}

/// `status` with a JSON body that is already text (a replayed idempotent response).
pub fn raw_json(status: StatusCode, body: String) -> Response<Body> {
    with_body(status, JSON, full(body))
}

/// `status` and nothing else.
pub fn empty(status: StatusCode) -> Response<Body> {
    let mut response = Response::new(full(Bytes::new()));
    *response.status_mut() = status;
    response
}

/// `200` with text of the given content type.
pub fn text(content_type: &'static str, body: impl Into<Bytes>) -> Response<Body> {
    with_body(
        StatusCode::OK,
        HeaderValue::from_static(content_type),
        full(body),
    )
}

/// `200` with a streaming body of the given content type.
pub fn stream(content_type: &'static str, body: Body) -> Response<Body> {
    with_body(StatusCode::OK, HeaderValue::from_static(content_type), body)
}

/// The contract's error body, with the headers some statuses require.
pub fn error(err: &ApiError) -> Response<Body> {
    error_bytes(err).map(full)
}

/// [`error`] with its body as one buffer: what the connection writes itself in place of
/// the HTTP library's bare answers (`automatic_errors`), from the same code as every
/// other error answer.
pub fn error_bytes(err: &ApiError) -> Response<Bytes> {
    let mut response = json_bytes(err.status(), &err.body());
    let headers = response.headers_mut();
    match err {
        ApiError::Unauthorized => {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        ApiError::MethodNotAllowed { allow } => {
            if let Ok(value) = HeaderValue::from_str(allow) {
                headers.insert(header::ALLOW, value);
            }
        }
        ApiError::RateLimited {
            retry_after_secs, ..
        }
        | ApiError::Busy {
            retry_after_secs, ..
        } => {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
        }
        _ => {}
    }
    response
}
