//! Reading requests: JSON bodies within the contract's limits, query parameters, headers.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::Request;
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap};
use serde_json::Value;

use crate::error::ApiError;

/// Request bodies are limited to 64 KiB.
pub const MAX_BODY: usize = 64 * 1024;

/// Set once a handler has read the whole request body. A response to a request whose body
/// was left unread must close the connection: the next request cannot be found after it.
#[derive(Debug, Clone, Default)]
pub struct BodyRead(Arc<AtomicBool>);

impl BodyRead {
    pub fn is_read(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Whether the request carries a body (a non-zero length, or a chunked one).
pub fn has_body(headers: &HeaderMap) -> bool {
    headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim() != "0")
}

/// The JSON body of a request that must carry one: `415` without `application/json`,
/// `413` over 64 KiB, `400` when it is not JSON.
pub async fn json_body(req: Request<Incoming>) -> Result<Value, ApiError> {
    if !is_json(req.headers()) {
        return Err(ApiError::UnsupportedMediaType);
    }
    let bytes = body_bytes(req).await?;
    serde_json::from_slice(&bytes)
        .map_err(|err| ApiError::BadRequest(format!("request body is not valid JSON: {err}")))
}

/// The body of a request, whatever its content type: `413` over 64 KiB.
pub async fn body_bytes(req: Request<Incoming>) -> Result<Bytes, ApiError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > MAX_BODY as u64) {
        return Err(ApiError::PayloadTooLarge { limit: MAX_BODY });
    }
    let body_read = req.extensions().get::<BodyRead>().cloned();
    let bytes: Bytes = Limited::new(req.into_body(), MAX_BODY)
        .collect()
        .await
        .map_err(|err| {
            if err.is::<http_body_util::LengthLimitError>() {
                ApiError::PayloadTooLarge { limit: MAX_BODY }
            } else {
                ApiError::BadRequest(format!("could not read the request body: {err}"))
            }
        })?
        .to_bytes();
    if let Some(BodyRead(flag)) = body_read {
        flag.store(true, Ordering::Relaxed);
    }
    Ok(bytes)
}

/// `Content-Type: application/json`, with or without parameters such as `charset`.
pub fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

/// The query string as name → value (the first of repeated names wins).
pub fn query(req: &Request<Incoming>) -> HashMap<String, String> {
    let mut params = HashMap::new();
    if let Some(q) = req.uri().query() {
        for (name, value) in form_urlencoded::parse(q.as_bytes()) {
            params
                .entry(name.into_owned())
                .or_insert_with(|| value.into_owned());
        }
    }
    params
}

/// A header's value as text, if present and visible ASCII.
pub fn header<'a>(req: &'a Request<Incoming>, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;

    #[test]
    fn json_content_types() {
        let mut headers = HeaderMap::new();
        assert!(!is_json(&headers));
        for (value, ok) in [
            ("application/json", true),
            ("Application/JSON; charset=utf-8", true),
            ("text/plain", false),
            ("application/jsonx", false),
        ] {
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(value));
            assert_eq!(is_json(&headers), ok, "{value}");
        }
    }
}
