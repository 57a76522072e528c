//! Request targets: bytes → `hyper::Uri` (as hyper parses a request line) → the router,
//! and the query string → the list's and the stream's parameters.
//!
//! `request::query` and the handlers' parameter readers take a live request, so this
//! walks the public pieces they are made of (`form_urlencoded`, `cursor::Cursor`,
//! `validate::*`, `router::resolve`) the way they do.

use std::collections::HashMap;

use hyper::{Method, Uri};
use notif_server::cursor::Cursor;
use notif_server::handlers::notifications::MAX_LIMIT;
use notif_server::router::{self, ROUTES};
use notif_server::validate;

/// Runs every check on one input; panics on a broken invariant.
pub fn check(data: &[u8]) {
    let Ok(uri) = Uri::try_from(data) else {
        return;
    };
    route(uri.path());
    if let Some(query) = uri.query() {
        parameters(query);
    }
}

/// Every method gets a route, a 404 or a 405, and a 405 only for a path some route has
/// (a path only the ntfy `{topic}` rows take is no path of the server's: 404 for the other
/// methods).
fn route(path: &str) {
    let known = ROUTES.iter().any(|r| {
        matches!(router::resolve(&r.method, path), Ok((route, _)) if !route.pattern.contains("{topic}"))
    });
    for method in [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::PATCH,
    ] {
        match router::resolve(&method, path) {
            Ok((route, id)) => {
                assert!(
                    route.label.starts_with(method.as_str()),
                    "{method} {path} -> {}",
                    route.label
                );
                if let Some(id) = id {
                    assert!(!id.is_empty(), "{method} {path} captured an empty id");
                }
            }
            Err(err) => match err.status().as_u16() {
                404 => assert!(!known, "{method} {path}: 404 for a known path"),
                405 => assert!(known, "{method} {path}: 405 for an unknown path"),
                other => panic!("{method} {path} -> {other}"),
            },
        }
    }
}

/// The list's and the stream's query parameters, read as the handlers read them (the
/// first of repeated names wins).
fn parameters(query: &str) {
    let mut params = HashMap::new();
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        params
            .entry(name.into_owned())
            .or_insert(value.into_owned());
    }
    if let Some(limit) = params.get("limit") {
        let _ = limit
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n));
    }
    if let Some(raw) = params.get("cursor")
        && let Some(cursor) = Cursor::decode(raw)
    {
        assert!(cursor.seq >= 0, "{raw:?} -> {cursor:?}");
        assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor), "{raw:?}");
    }
    if let Some(kind) = params.get("type")
        && let Ok(kind) = validate::kind(kind)
    {
        assert_eq!(validate::kind(kind.as_str()), Ok(kind));
    }
    if let Some(category) = params.get("category")
        && validate::category(category).is_ok()
    {
        assert!(
            category
                .bytes()
                .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'.' | b'_' | b'-'))
        );
    }
    if let Some(raw) = params.get("lastEventId")
        && let Ok(seq) = raw.trim().parse::<i64>()
    {
        let _ = seq >= 0;
    }
}
