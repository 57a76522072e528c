//! [`ApiError`]: everything that can go wrong talking to notif-server, and the exit
//! status each failure maps to in the `notif` binary.

use std::time::Duration;

use super::types::ErrorBody;

/// Exit status: success.
pub const EXIT_OK: u8 = 0;
/// Exit status: anything not listed below.
pub const EXIT_FAILURE: u8 = 1;
/// Exit status: a usage error (bad flag, bad id prefix, bad configuration).
pub const EXIT_USAGE: u8 = 2;
/// Exit status: authentication or permission refused (`401`/`403`, or no token).
pub const EXIT_AUTH: u8 = 3;
/// Exit status: not found (`404`).
pub const EXIT_NOT_FOUND: u8 = 4;
/// Exit status: the server is unreachable or failed (`5xx` after retries).
pub const EXIT_UNAVAILABLE: u8 = 5;

/// A failed API call.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The server answered with an error status. `code` and `message` come from the
    /// contract's error body (or are made up from the status when the body is not one).
    #[error("{message} ({status} {code})")]
    Http {
        /// HTTP status code.
        status: u16,
        /// The contract's machine-readable code, such as `not_found`.
        code: String,
        /// The server's human sentence.
        message: String,
        /// The `Retry-After` delay of a `429` or `503`, when given in seconds.
        retry_after: Option<Duration>,
    },
    /// No connection could be made (refused, DNS, connect timeout).
    #[error("cannot reach the server at {url}: {reason}")]
    Unreachable {
        /// The URL that was requested.
        url: String,
        /// The innermost cause, in words.
        reason: String,
    },
    /// The connection broke or timed out after it was made.
    #[error("request to {url} failed: {reason}")]
    Transport {
        /// The URL that was requested.
        url: String,
        /// The innermost cause, in words.
        reason: String,
    },
    /// The server's answer was not what the contract promises.
    #[error("unexpected response from the server: {0}")]
    Decode(String),
    /// The server URL given to [`Client::new`](super::Client::new) is not usable.
    #[error("invalid server URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The token contains characters that cannot go in an HTTP header.
    #[error("the token contains characters that are not allowed in an HTTP header")]
    InvalidToken,
}

impl ApiError {
    /// Builds an [`ApiError::Http`] from a status and the raw error body.
    pub(crate) fn from_response(status: u16, body: &[u8], retry_after: Option<Duration>) -> Self {
        match serde_json::from_slice::<ErrorBody>(body) {
            Ok(ErrorBody { error }) => {
                let mut message = error.message;
                // Field details the message does not already say.
                let detail: Vec<String> = error
                    .fields
                    .unwrap_or_default()
                    .iter()
                    .filter(|(_, v)| !message.contains(v.as_str()))
                    .map(|(k, v)| format!("{k}: {v}"))
                    .collect();
                if !detail.is_empty() {
                    message = format!("{message} [{}]", detail.join("; "));
                }
                Self::Http {
                    status,
                    code: error.code,
                    message,
                    retry_after,
                }
            }
            Err(_) => Self::Http {
                status,
                code: "http_error".to_owned(),
                message: reason_phrase(status).to_owned(),
                retry_after,
            },
        }
    }

    /// Classifies a reqwest transport error.
    pub(crate) fn from_reqwest(url: &str, err: &reqwest::Error) -> Self {
        let reason = innermost(err);
        if err.is_connect() {
            Self::Unreachable {
                url: url.to_owned(),
                reason,
            }
        } else if err.is_decode() {
            Self::Decode(reason)
        } else {
            Self::Transport {
                url: url.to_owned(),
                reason,
            }
        }
    }

    /// The HTTP status, for [`ApiError::Http`].
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Http { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The contract's error code, for [`ApiError::Http`].
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Http { code, .. } => Some(code),
            _ => None,
        }
    }

    /// Whether the same request may succeed if sent again later: the server could not
    /// be reached, the connection broke, it failed (`5xx`) or it asked to slow down
    /// (`429`). Safe to act on only for idempotent requests or with an `Idempotency-Key`.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Http { status, .. } => *status == 429 || *status >= 500,
            Self::Unreachable { .. } | Self::Transport { .. } => true,
            _ => false,
        }
    }

    /// The exit status of the `notif` binary for this error: 3 for `401`/`403`, 4 for
    /// `404`, 5 when the server is unreachable or failed, 2 for a bad URL, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Http {
                status: 401 | 403, ..
            }
            | Self::InvalidToken => EXIT_AUTH,
            Self::Http { status: 404, .. } => EXIT_NOT_FOUND,
            Self::Http { status, .. } if *status >= 500 => EXIT_UNAVAILABLE,
            Self::Unreachable { .. } | Self::Transport { .. } => EXIT_UNAVAILABLE,
            Self::InvalidUrl { .. } => EXIT_USAGE,
            Self::Http { .. } | Self::Decode(_) => EXIT_FAILURE,
        }
    }
}

/// The deepest `source()` of an error, which is where reqwest keeps the useful words
/// ("Connection refused (os error 111)").
fn innermost(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = err;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

/// A short phrase for statuses whose body is not a contract error body.
fn reason_phrase(status: u16) -> &'static str {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("unexpected status")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contract_body_gives_code_and_message() {
        let body = br#"{"error":{"code":"not_found","message":"no such notification"}}"#;
        let err = ApiError::from_response(404, body, None);
        assert_eq!(err.code(), Some("not_found"));
        assert_eq!(err.to_string(), "no such notification (404 not_found)");
        assert_eq!(err.exit_code(), EXIT_NOT_FOUND);
    }

    #[test]
    fn validation_fields_are_listed() {
        let body = br#"{"error":{"code":"validation_failed","message":"invalid","fields":{"title":"too long"}}}"#;
        let err = ApiError::from_response(422, body, None);
        assert_eq!(
            err.to_string(),
            "invalid [title: too long] (422 validation_failed)"
        );
        assert_eq!(err.exit_code(), EXIT_FAILURE);
    }

    #[test]
    fn field_details_already_in_the_message_are_not_repeated() {
        let body = br#"{"error":{"code":"validation_failed","message":"title must not be empty","fields":{"title":"must not be empty"}}}"#;
        let err = ApiError::from_response(422, body, None);
        assert_eq!(
            err.to_string(),
            "title must not be empty (422 validation_failed)"
        );
    }

    #[test]
    fn exit_codes_follow_the_issue() {
        let http = |status| ApiError::from_response(status, b"", None);
        assert_eq!(http(401).exit_code(), 3);
        assert_eq!(http(403).exit_code(), 3);
        assert_eq!(http(404).exit_code(), 4);
        assert_eq!(http(500).exit_code(), 5);
        assert_eq!(http(503).exit_code(), 5);
        assert_eq!(http(409).exit_code(), 1);
        let down = ApiError::Unreachable {
            url: "u".into(),
            reason: "refused".into(),
        };
        assert_eq!(down.exit_code(), 5);
        assert!(down.is_transient());
        assert!(http(429).is_transient());
        assert!(!http(422).is_transient());
    }
}
