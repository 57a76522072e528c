//! Matching `(method, path)` to a row of [`ROUTES`]: pure, no I/O.

use std::sync::LazyLock;

use hyper::Method;

use super::{ROUTES, Route};
use crate::error::ApiError;
use crate::publish::ntfy;

/// The segment that stands for an ntfy topic in a pattern.
const TOPIC: &str = "{topic}";

/// Names `API.md` keeps for the server's own paths even where no route starts with them
/// yet; every first segment of a route is kept too.
const KEPT_NAMES: &[&str] = &["api", "login", "message", "healthz", "metrics"];

/// The route for `(method, path)` and its captured `{id}` or `{topic}`. `404` when no route
/// has this path, `405` (with the allowed methods) when only the method is wrong. A path
/// that only a `{topic}` row matches is not one of the server's own, so a wrong method on it
/// is `404`: `GET /anything` is not turned into `405` by the ntfy publishing routes.
pub fn resolve(method: &Method, path: &str) -> Result<(&'static Route, Option<String>), ApiError> {
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let matches: Vec<(usize, &'static Route, Option<String>)> = ROUTES
        .iter()
        .zip(PATTERN_PARTS.iter())
        .filter_map(|(route, parts)| {
            match_pattern(parts, &segments).map(|(literals, id)| (literals, route, id))
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
    let allow: Vec<_> = candidates
        .iter()
        .filter(|(_, route, _)| !route.pattern.contains(TOPIC))
        .map(|(_, route, _)| route.method.as_str())
        .collect();
    if allow.is_empty() {
        return Err(ApiError::NotFound(format!("no route for {path}")));
    }
    Err(ApiError::MethodNotAllowed {
        allow: allow.join(", "),
    })
}

/// Whether `segment` is a topic: ntfy's shape, and not a name the server keeps (in any case,
/// since the topic becomes the lower-case category).
pub fn is_topic(segment: &str) -> bool {
    ntfy::is_topic(segment) && !is_kept_name(segment)
}

/// Whether `name` is a first segment of the server's own paths, or one `API.md` keeps.
pub fn is_kept_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    KEPT_NAMES.contains(&name.as_str())
        || ROUTES.iter().any(|route| {
            let first = route.pattern.split('/').nth(1).unwrap_or_default();
            !first.starts_with('{') && first == name
        })
}

/// Each route's pattern split into its segments, in the order of [`ROUTES`]: every
/// request tries every route, so the patterns are split once.
static PATTERN_PARTS: LazyLock<Vec<Vec<&'static str>>> = LazyLock::new(|| {
    ROUTES
        .iter()
        .map(|route| route.pattern.split('/').skip(1).collect())
        .collect()
});

/// How many literal segments of a pattern (split into `parts`) match, and the `{id}` or
/// `{topic}` it captured.
fn match_pattern(parts: &[&str], segments: &[&str]) -> Option<(usize, Option<String>)> {
    if parts.len() != segments.len() {
        return None;
    }
    let mut literals = 0;
    let mut id = None;
    for (&part, segment) in parts.iter().zip(segments) {
        if part == "{id}" {
            if segment.is_empty() {
                return None;
            }
            id = Some(percent_decode(segment));
        } else if part == TOPIC {
            if !is_topic(segment) {
                return None;
            }
            id = Some((*segment).to_owned());
        } else if part == *segment {
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

    #[test]
    fn any_topic_takes_ntfy_publishing() {
        for method in [Method::POST, Method::PUT] {
            for topic in ["backups", "Disk_Alerts-2", &"t".repeat(64)] {
                let label = format!("{method} /{{topic}}");
                assert_eq!(
                    route(method.clone(), &format!("/{topic}")),
                    Ok((leak(label), Some(topic.to_owned())))
                );
            }
            assert_eq!(
                route(method.clone(), "/"),
                Ok((leak(format!("{method} /")), None))
            );
        }
        assert_eq!(route(Method::POST, "/message"), Ok(("POST /message", None)));
    }

    fn leak(label: String) -> &'static str {
        Box::leak(label.into_boxed_str())
    }

    #[test]
    fn topic_routes_change_no_other_answer() {
        // A wrong method on a topic-shaped path is no route at all, not 405.
        for method in [Method::GET, Method::DELETE, Method::PATCH, Method::HEAD] {
            assert_eq!(route(method, "/nope"), Err(404));
        }
        // The server's own names are never topics, in any case: their own routes answer.
        assert_eq!(route(Method::POST, "/healthz"), Err(405));
        assert_eq!(route(Method::PUT, "/metrics"), Err(405));
        assert_eq!(route(Method::GET, "/message"), Err(405));
        for kept in ["api", "API", "login", "Message", "healthz", "metrics"] {
            assert!(is_kept_name(kept), "{kept}");
            let answer = route(Method::POST, &format!("/{kept}"));
            assert!(
                !matches!(answer, Ok(("POST /{topic}", _))),
                "{kept}: {answer:?}"
            );
        }
        assert_eq!(route(Method::POST, "/api"), Err(404));
        // The web inbox's page and folders are the server's own paths too.
        assert_eq!(route(Method::POST, "/login"), Err(405));
        for kept in ["assets", "embed"] {
            assert!(is_kept_name(kept), "{kept}");
        }
        // Not a topic's shape: no route.
        for path in [
            "/favicon.ico",
            "/a%20b",
            "/caf%C3%A9",
            &format!("/{}", "t".repeat(65)),
        ] {
            assert_eq!(route(Method::POST, path), Err(404), "{path}");
        }
        // Literal routes still win, and deeper paths are still no route.
        assert_eq!(route(Method::POST, "/api/notifications"), Err(405));
        assert_eq!(route(Method::POST, "/backups/x"), Err(404));
        let err = resolve(&Method::DELETE, "/").unwrap_err();
        assert!(matches!(err, ApiError::MethodNotAllowed { allow } if allow.contains("POST, PUT")));
    }
}
