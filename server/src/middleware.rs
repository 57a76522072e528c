//! What happens to every request whatever its route, around [`router::dispatch`]: CORS
//! preflights, `415` for a body that is not JSON (on the routes that take JSON), the
//! request time limit, rendering errors as the contract's body, `Connection: close` when a
//! body was left unread, the security headers, CORS headers, and the request count in
//! metrics.

use std::future::Future;

use hyper::body::Incoming;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Request, Response};

use crate::error::ApiError;
use crate::request::{self, BodyRead};
use crate::response::{self, Body};
use crate::router::{self, BodyFormat, TimeLimit};
use crate::state::AppState;

/// The metrics label of requests no route matched.
const UNMATCHED: &str = "unmatched";

/// Answers one request; never fails (errors become the contract's error body).
pub async fn handle(state: AppState, mut req: Request<Incoming>) -> Response<Body> {
    if req.method() == Method::OPTIONS {
        if let Some(mut preflight) = state.policy.cors.preflight(req.headers()) {
            secure(preflight.headers_mut());
            return preflight;
        }
    }
    let origin = state
        .policy
        .cors
        .is_on()
        .then(|| req.headers().get(header::ORIGIN).cloned())
        .flatten();
    let path = req.uri().path().to_owned();
    let body_read = BodyRead::default();
    let has_body = request::has_body(req.headers());
    req.extensions_mut().insert(body_read.clone());
    let (label, result) = match router::resolve(req.method(), &path) {
        // A request with a body must send JSON, except on the routes that read the formats
        // of other tools (Gotify, ntfy) themselves.
        Ok((route, _))
            if has_body && route.body() == BodyFormat::Json && !request::is_json(req.headers()) =>
        {
            (route.label, Err(ApiError::UnsupportedMediaType))
        }
        Ok((route, id)) => {
            let answer = router::dispatch(route, state.clone(), req, id);
            (
                route.label,
                within_limit(&state, route.time_limit, answer).await,
            )
        }
        Err(err) => (UNMATCHED, Err(err)),
    };
    let mut response = result.unwrap_or_else(|err| {
        if let ApiError::Internal(cause) = &err {
            tracing::error!(%cause, route = label, "internal error");
        }
        response::error(&err)
    });
    if has_body && !body_read.is_read() {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    secure(response.headers_mut());
    state.policy.cors.decorate(origin.as_ref(), &mut response);
    state
        .metrics
        .record_request(label, response.status().as_u16());
    response
}

/// `answer`, or `503` once it takes longer than `--request-timeout` where the limit applies.
async fn within_limit(
    state: &AppState,
    time_limit: TimeLimit,
    answer: impl Future<Output = Result<Response<Body>, ApiError>>,
) -> Result<Response<Body>, ApiError> {
    let limit = state.policy.request_timeout;
    match time_limit {
        TimeLimit::Exempt => answer.await,
        TimeLimit::Applies => tokio::time::timeout(limit, answer)
            .await
            .unwrap_or_else(|_| {
                Err(ApiError::Unavailable(format!(
                    "the request took longer than {limit:?}"
                )))
            }),
    }
}

/// Headers every response carries: no MIME sniffing, no caching of inbox data (a stream
/// keeps its own `no-cache`), no referrer leaking ids. Also set on the answers the
/// connection writes for requests that never reach [`handle`] (`automatic_errors`).
pub fn secure(headers: &mut HeaderMap) {
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}
