//! Matching `(method, path)` to a row of [`ROUTES`]: pure, no I/O.

use hyper::Method;

use super::{ROUTES, Route};
use crate::error::ApiError;

/// The route for `(method, path)` and its captured `{id}`. `404` when no route has this
/// path, `405` (with the allowed methods) when only the method is wrong.
pub fn resolve(method: &Method, path: &str) -> Result<(&'static Route, Option<String>), ApiError> {
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let matches: Vec<(usize, &'static Route, Option<String>)> = ROUTES
        .iter()
        .filter_map(|route| {
            match_pattern(route.pattern, &segments).map(|(literals, id)| (literals, route, id))
        })
        .collect();
    let best = matches
        .iter()
        .map(|m| m.0)
        .max()
        .ok_or_else(|| ApiError::NotFound(format!("no route for {path}")))?;
    let candidates: Vec<_> = matches.into_iter().filter(|m| m.0 == best).collect();
    if let Some((_, route, id)) = candidates
        .iter()
        .find(|(_, route, _)| route.method == method)
    {
        return Ok((route, id.clone()));
    }
    let allow = candidates
        .iter()
        .map(|(_, route, _)| route.method.as_str())
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The label of the route `(method, path)` leads to and its id, or the error status.
    fn route(method: Method, path: &str) -> Result<(&'static str, Option<String>), u16> {
        resolve(&method, path)
            .map(|(route, id)| (route.label, id))
            .map_err(|e| e.status().as_u16())
    }

    #[test]
    fn literal_routes_win_over_ids() {
        assert_eq!(
            route(Method::GET, "/api/notifications/stream"),
            Ok(("GET /api/notifications/stream", None))
        );
        assert_eq!(route(Method::DELETE, "/api/notifications/stream"), Err(405));
        assert_eq!(
            route(Method::POST, "/api/notifications/read-all"),
            Ok(("POST /api/notifications/read-all", None))
        );
    }

    #[test]
    fn ids_are_captured() {
        assert_eq!(
            route(Method::POST, "/api/notifications/abc123/read"),
            Ok(("POST /api/notifications/{id}/read", Some("abc123".into())))
        );
        assert_eq!(
            route(Method::DELETE, "/api/notifications/a%20b"),
            Ok(("DELETE /api/notifications/{id}", Some("a b".into())))
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
}
