//! One error type for the whole API, rendered as the contract's error body
//! `{"error": {"code", "message", "fields"?}}` with the status `API.md` gives each code.

use std::collections::BTreeMap;

use hyper::StatusCode;
use serde::Serialize;

use crate::store::StoreError;

/// Every way a request can fail, as `API.md` names it. Client mistakes carry a message
/// meant for the client; `Internal` carries the cause for the log only.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("a valid token is required")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("user {0:?} is not known to this server")]
    UnknownUser(String),
    #[error("method not allowed; allowed: {allow}")]
    MethodNotAllowed { allow: String },
    #[error("this Idempotency-Key was already used with a different body")]
    IdempotencyConflict,
    #[error("request body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    /// `414`: a request target longer than the HTTP parser takes.
    #[error("request target is longer than {limit} bytes")]
    UriTooLong { limit: usize },
    /// `431`: a request head (request line and headers) over the size or line limit.
    #[error("request head is larger than {bytes} bytes or has more than {lines} header lines")]
    HeadTooLarge { bytes: usize, lines: usize },
    #[error("request body must be sent with Content-Type: application/json")]
    UnsupportedMediaType,
    #[error("{message}")]
    Validation {
        message: String,
        fields: BTreeMap<String, String>,
    },
    #[error("{message}")]
    RateLimited {
        retry_after_secs: u64,
        message: String,
    },
    #[error("{0}")]
    Unavailable(String),
    /// `503` with `Retry-After`: the server is saturated now, not broken.
    #[error("{message}")]
    Busy {
        retry_after_secs: u64,
        message: String,
    },
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// The HTTP status that `API.md` pairs with this error.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) | ApiError::UnknownUser(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::IdempotencyConflict => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UriTooLong { .. } => StatusCode::URI_TOO_LONG,
            ApiError::HeadTooLarge { .. } => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) | ApiError::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The machine-readable `code` of the error body.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Unauthorized => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::UnknownUser(_) => "unknown_user",
            ApiError::MethodNotAllowed { .. } => "method_not_allowed",
            ApiError::IdempotencyConflict => "idempotency_conflict",
            ApiError::PayloadTooLarge { .. } => "payload_too_large",
            ApiError::UriTooLong { .. } => "uri_too_long",
            ApiError::HeadTooLarge { .. } => "request_header_fields_too_large",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::Validation { .. } => "validation_failed",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::Unavailable(_) | ApiError::Busy { .. } => "unavailable",
            ApiError::Internal(_) => "internal",
        }
    }

    /// The body the client sees. Internal errors say nothing of their cause.
    pub fn body(&self) -> ErrorBody<'_> {
        let message = match self {
            ApiError::Internal(_) => "internal server error".to_owned(),
            other => other.to_string(),
        };
        let fields = match self {
            ApiError::Validation { fields, .. } if !fields.is_empty() => Some(fields),
            _ => None,
        };
        ErrorBody {
            error: ErrorDetail {
                code: self.code(),
                message,
                fields,
            },
        }
    }

    /// A 422 for one field.
    pub fn invalid_field(field: &str, problem: impl Into<String>) -> Self {
        let problem = problem.into();
        ApiError::Validation {
            message: format!("{field} {problem}"),
            fields: BTreeMap::from([(field.to_owned(), problem)]),
        }
    }

    /// A 422 for a body that is JSON but not an object.
    pub fn not_an_object() -> Self {
        ApiError::Validation {
            message: "the request body must be a JSON object".to_owned(),
            fields: BTreeMap::new(),
        }
    }

    /// The standard 404 for an id the caller may not see, whether or not it exists.
    pub fn no_such_notification() -> Self {
        ApiError::NotFound("no such notification".to_owned())
    }
}

/// The contract's error body.
#[derive(Debug, Serialize)]
pub struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Debug, Serialize)]
struct ErrorDetail<'a> {
    code: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<&'a BTreeMap<String, String>>,
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound => ApiError::no_such_notification(),
            StoreError::UnknownUser(user) => ApiError::UnknownUser(user),
            StoreError::IdempotencyConflict => ApiError::IdempotencyConflict,
            StoreError::Invalid { field, problem } => ApiError::invalid_field(&field, problem),
            StoreError::Closed => ApiError::Unavailable("the server is shutting down".to_owned()),
            busy @ StoreError::Busy(_) => ApiError::Busy {
                retry_after_secs: 1,
                message: busy.to_string(),
            },
            StoreError::Commit(cause) | StoreError::Unwritable(cause) => {
                tracing::error!(%cause, "the database cannot be written");
                ApiError::Unavailable(format!(
                    "the database cannot be written right now ({cause}); reads still work"
                ))
            }
            other @ (StoreError::Sqlite(_)
            | StoreError::Migration(_)
            | StoreError::Io(_)
            | StoreError::Postgres(_)
            | StoreError::Render(_)) => ApiError::Internal(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_body_lists_fields() {
        let err = ApiError::invalid_field("title", "must not be empty");
        let body = serde_json::to_value(err.body()).unwrap();
        assert_eq!(body["error"]["code"], "validation_failed");
        assert_eq!(body["error"]["fields"]["title"], "must not be empty");
        assert_eq!(err.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let err = ApiError::Internal("disk I/O error at /secret/path".to_owned());
        let body = serde_json::to_string(&err.body()).unwrap();
        assert!(!body.contains("secret"), "{body}");
        assert!(!body.contains("fields"), "{body}");
    }
}
