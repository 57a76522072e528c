//! The one place that knows URLs: `(method, path)` → handler. Nothing here does work.

use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response};

use crate::error::ApiError;
use crate::handlers::{me, notifications, notify, ops, preferences, stream};
use crate::request::{self, BodyRead};
use crate::response::{self, Body};
use crate::state::AppState;

/// The routes. A path segment `{id}` matches any one segment; where a literal route and an
/// `{id}` route both match a path, the literal one decides (so `/api/notifications/stream`
/// is never an id).
pub const ROUTES: &[Route] = &[
    (Method::GET, "/healthz", Handler::Health),
    (Method::GET, "/metrics", Handler::Metrics),
    (Method::GET, "/api/openapi.json", Handler::OpenApi),
    (Method::GET, "/api/me", Handler::Me),
    (Method::GET, "/api/notifications", Handler::List),
    (Method::GET, "/api/notifications/stream", Handler::Stream),
    (
        Method::GET,
        "/api/notifications/preferences",
        Handler::GetPreferences,
    ),
    (
        Method::PUT,
        "/api/notifications/preferences",
        Handler::PutPreferences,
    ),
    (
        Method::POST,
        "/api/notifications/read-all",
        Handler::ReadAll,
    ),
    (Method::POST, "/api/notifications/{id}/read", Handler::Read),
    (
        Method::POST,
        "/api/notifications/{id}/unread",
        Handler::Unread,
    ),
    (Method::DELETE, "/api/notifications/{id}", Handler::Delete),
    (Method::POST, "/api/internal/notify", Handler::Notify),
];

/// One row of `ROUTES`.
pub type Route = (Method, &'static str, Handler);

/// What a route leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handler {
    Health,
    Metrics,
    OpenApi,
    Me,
    List,
    Stream,
    GetPreferences,
    PutPreferences,
    ReadAll,
    Read,
    Unread,
    Delete,
    Notify,
}

impl Handler {
    /// Whether `--request-timeout` applies. Not to a stream, which lives as long as its
    /// client; not to a notify: once queued its write may commit, and a 503 then would make
    /// a retry without an Idempotency-Key notify twice (the writer always answers, within
    /// SQLite's busy timeout when the database is locked).
    fn has_time_limit(self) -> bool {
        !matches!(self, Handler::Stream | Handler::Notify)
    }
}

/// Answers one request; never fails (errors become the contract's error body).
pub async fn handle(state: AppState, mut req: Request<Incoming>) -> Response<Body> {
    if req.method() == Method::OPTIONS {
        if let Some(preflight) = state.policy.cors.preflight(req.headers()) {
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
    let (label, result) = match resolve(req.method(), &path) {
        // Every request with a body must send JSON, whatever the route.
        Ok((label, ..)) if has_body && !request::is_json(req.headers()) => {
            (label, Err(ApiError::UnsupportedMediaType))
        }
        Ok((label, handler, id)) => {
            let answer = dispatch(handler, state.clone(), req, id);
            let limit = state.policy.request_timeout;
            let result = if handler.has_time_limit() {
                tokio::time::timeout(limit, answer)
                    .await
                    .unwrap_or_else(|_| {
                        Err(ApiError::Unavailable(format!(
                            "the request took longer than {limit:?}"
                        )))
                    })
            } else {
                answer.await
            };
            (label, result)
        }
        Err(err) => ("unmatched", Err(err)),
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
    secure(&mut response);
    state.policy.cors.decorate(origin.as_ref(), &mut response);
    state
        .metrics
        .record_request(label, response.status().as_u16());
    response
}

/// Headers every response carries: no MIME sniffing, no caching of inbox data (a stream
/// keeps its own `no-cache`), no referrer leaking ids.
fn secure(response: &mut Response<Body>) {
    let headers = response.headers_mut();
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

async fn dispatch(
    handler: Handler,
    state: AppState,
    req: Request<Incoming>,
    id: Option<String>,
) -> Result<Response<Body>, ApiError> {
    let id = || id.clone().unwrap_or_default();
    match handler {
        Handler::Health => Ok(ops::health()),
        Handler::Metrics => Ok(ops::metrics(&state)),
        Handler::OpenApi => Ok(ops::openapi()),
        Handler::Me => me::get(&state, &req).await,
        Handler::List => notifications::list(&state, &req).await,
        Handler::Stream => stream::open(&state, &req).await,
        Handler::GetPreferences => preferences::get(&state, &req).await,
        Handler::PutPreferences => preferences::put(&state, req).await,
        Handler::ReadAll => notifications::read_all(&state, &req).await,
        Handler::Read => notifications::set_read(&state, &req, id(), true).await,
        Handler::Unread => notifications::set_read(&state, &req, id(), false).await,
        Handler::Delete => notifications::delete(&state, &req, id()).await,
        Handler::Notify => notify::create(&state, req).await,
    }
}

/// The route for `(method, path)`: its label for metrics, its handler and its `{id}`.
/// `404` when no route has this path, `405` (with the allowed methods) when only the
/// method is wrong.
pub fn resolve(
    method: &Method,
    path: &str,
) -> Result<(&'static str, Handler, Option<String>), ApiError> {
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let matches: Vec<(usize, &Route, Option<String>)> = ROUTES
        .iter()
        .filter_map(|route| {
            match_pattern(route.1, &segments).map(|(literals, id)| (literals, route, id))
        })
        .collect();
    let best = matches
        .iter()
        .map(|m| m.0)
        .max()
        .ok_or_else(|| ApiError::NotFound(format!("no route for {path}")))?;
    let candidates: Vec<_> = matches.into_iter().filter(|m| m.0 == best).collect();
    if let Some((_, route, id)) = candidates.iter().find(|(_, route, _)| route.0 == method) {
        return Ok((label(route), route.2, id.clone()));
    }
    let allow = candidates
        .iter()
        .map(|(_, route, _)| route.0.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    Err(ApiError::MethodNotAllowed { allow })
}

/// How many literal segments of `pattern` match, and the `{id}` it captured.
fn match_pattern(pattern: &str, segments: &[&str]) -> Option<(usize, Option<String>)> {
    let parts: Vec<&str> = pattern.split('/').skip(1).collect();
    if parts.len() != segments.len() {
        return None;
    }
    let mut literals = 0;
    let mut id = None;
    for (part, segment) in parts.iter().zip(segments) {
        if *part == "{id}" {
            if segment.is_empty() {
                return None;
            }
            id = Some(percent_decode(segment));
        } else if part == segment {
            literals += 1;
        } else {
            return None;
        }
    }
    Some((literals, id))
}

/// A path segment with its `%XX` escapes decoded (and nothing else: `+`, `&`, `=` are
/// themselves in a path).
fn percent_decode(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment)
        .decode_utf8_lossy()
        .into_owned()
}

/// `"METHOD /pattern"`, the route's label in metrics.
fn label(route: &Route) -> &'static str {
    ROUTE_LABELS
        .iter()
        .find(|(h, _)| *h == route.2)
        .map_or("unmatched", |(_, l)| l)
}

const ROUTE_LABELS: &[(Handler, &str)] = &[
    (Handler::Health, "GET /healthz"),
    (Handler::Metrics, "GET /metrics"),
    (Handler::OpenApi, "GET /api/openapi.json"),
    (Handler::Me, "GET /api/me"),
    (Handler::List, "GET /api/notifications"),
    (Handler::Stream, "GET /api/notifications/stream"),
    (
        Handler::GetPreferences,
        "GET /api/notifications/preferences",
    ),
    (
        Handler::PutPreferences,
        "PUT /api/notifications/preferences",
    ),
    (Handler::ReadAll, "POST /api/notifications/read-all"),
    (Handler::Read, "POST /api/notifications/{id}/read"),
    (Handler::Unread, "POST /api/notifications/{id}/unread"),
    (Handler::Delete, "DELETE /api/notifications/{id}"),
    (Handler::Notify, "POST /api/internal/notify"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn route(method: Method, path: &str) -> Result<(Handler, Option<String>), u16> {
        resolve(&method, path)
            .map(|(_, h, id)| (h, id))
            .map_err(|e| e.status().as_u16())
    }

    #[test]
    fn literal_routes_win_over_ids() {
        assert_eq!(
            route(Method::GET, "/api/notifications/stream"),
            Ok((Handler::Stream, None))
        );
        assert_eq!(route(Method::DELETE, "/api/notifications/stream"), Err(405));
        assert_eq!(
            route(Method::POST, "/api/notifications/read-all"),
            Ok((Handler::ReadAll, None))
        );
    }

    #[test]
    fn ids_are_captured() {
        assert_eq!(
            route(Method::POST, "/api/notifications/abc123/read"),
            Ok((Handler::Read, Some("abc123".into())))
        );
        assert_eq!(
            route(Method::DELETE, "/api/notifications/abc123"),
            Ok((Handler::Delete, Some("abc123".into())))
        );
    }

    #[test]
    fn unknown_paths_are_404_and_wrong_methods_405() {
        assert_eq!(route(Method::GET, "/nope"), Err(404));
        assert_eq!(route(Method::GET, "/api/notifications/"), Err(404));
        assert_eq!(route(Method::GET, "/api/notifications/x/read/y"), Err(404));
        assert_eq!(route(Method::POST, "/api/notifications"), Err(405));
        assert_eq!(route(Method::GET, "/api/notifications/abc"), Err(405));
        let err = resolve(&Method::DELETE, "/api/notifications/preferences").unwrap_err();
        assert!(matches!(err, ApiError::MethodNotAllowed { allow } if allow == "GET, PUT"));
    }

    #[test]
    fn every_route_has_a_label() {
        for route in ROUTES {
            assert_ne!(label(route), "unmatched", "{:?}", route.2);
        }
    }
}
