//! Cross-site protection of cookie-authenticated requests (API.md, Authentication,
//! "Cross-site protection"). Browsers send the cookie with requests that other sites' pages
//! make, so a cookie request must show that it comes from the server's own page or an
//! origin allowed by `--cors-origin`:
//!
//! - an `Origin` that is neither the server's own nor allowed: `403`, whatever the method;
//! - a request that changes state (any method but `GET`/`HEAD`) without an allowed `Origin`
//!   needs `Sec-Fetch-Site: same-origin`, else `403`.
//!
//! Bearer requests are not affected: browsers never add a bearer token on their own.

use std::net::SocketAddr;

use hyper::Method;
use hyper::header::{self, HeaderMap, HeaderValue};

use crate::cors::Cors;
use crate::error::ApiError;

/// The origins of the server's own pages.
#[derive(Debug, Clone, Default)]
pub struct OwnOrigins(Vec<String>);

impl OwnOrigins {
    /// The origin of `--public-url` when given, else of the bound address (and its
    /// `localhost` name when that is a loopback address). An unspecified address
    /// (`0.0.0.0`) names no origin: pages are then known by `Sec-Fetch-Site` alone.
    pub fn new(public_url: Option<&str>, bound: SocketAddr) -> Result<OwnOrigins, String> {
        if let Some(raw) = public_url {
            let url = url::Url::parse(raw)
                .map_err(|e| format!("--public-url {raw:?} is not an absolute URL: {e}"))?;
            if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
                return Err(format!("--public-url {raw:?} must be an http or https URL"));
            }
            return Ok(OwnOrigins(vec![url.origin().ascii_serialization()]));
        }
        let ip = bound.ip();
        let mut origins = Vec::new();
        if !ip.is_unspecified() {
            origins.push(format!("http://{bound}"));
        }
        if ip.is_loopback() {
            origins.push(format!("http://localhost:{}", bound.port()));
        }
        Ok(OwnOrigins(origins))
    }

    /// Whether `origin` is one of the server's own.
    pub fn contains(&self, origin: &str) -> bool {
        self.0.iter().any(|o| o.eq_ignore_ascii_case(origin))
    }
}

/// `403` unless a cookie-authenticated request with these `method` and `headers` shows it
/// comes from the server's own page or an origin `cors` allows.
pub fn check(
    own: &OwnOrigins,
    cors: &Cors,
    method: &Method,
    headers: &HeaderMap,
) -> Result<(), ApiError> {
    let refuse = |why: &str| {
        Err(ApiError::Forbidden(format!(
            "cookie authentication is refused {why}; send the token as a bearer token instead"
        )))
    };
    if let Some(origin) = headers.get(header::ORIGIN) {
        return if allowed(own, cors, origin) {
            Ok(())
        } else {
            refuse("from this origin")
        };
    }
    let changes_state = !matches!(*method, Method::GET | Method::HEAD);
    let same_origin = headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"same-origin"));
    if changes_state && !same_origin {
        return refuse("for a change without an Origin or Sec-Fetch-Site: same-origin");
    }
    Ok(())
}

fn allowed(own: &OwnOrigins, cors: &Cors, origin: &HeaderValue) -> bool {
    cors.allows(origin) || origin.to_str().is_ok_and(|o| own.contains(o))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    fn verdict(method: Method, pairs: &[(&'static str, &'static str)]) -> bool {
        let own = OwnOrigins::new(None, "127.0.0.1:8787".parse().unwrap()).unwrap();
        let cors = Cors::new(vec!["https://app.example".into()]);
        check(&own, &cors, &method, &headers(pairs)).is_ok()
    }

    #[test]
    fn a_change_needs_an_allowed_origin_or_same_origin_fetch_metadata() {
        assert!(!verdict(Method::POST, &[]));
        assert!(!verdict(
            Method::DELETE,
            &[("sec-fetch-site", "cross-site")]
        ));
        assert!(verdict(Method::PUT, &[("sec-fetch-site", "same-origin")]));
        assert!(verdict(
            Method::POST,
            &[("origin", "http://127.0.0.1:8787")]
        ));
        assert!(verdict(
            Method::POST,
            &[("origin", "http://localhost:8787")]
        ));
        assert!(verdict(Method::POST, &[("origin", "https://app.example")]));
        assert!(!verdict(
            Method::POST,
            &[
                ("origin", "https://evil.example"),
                ("sec-fetch-site", "same-origin")
            ]
        ));
        assert!(!verdict(Method::POST, &[("origin", "null")]));
    }

    #[test]
    fn reads_need_only_no_foreign_origin() {
        assert!(verdict(Method::GET, &[]));
        assert!(verdict(Method::HEAD, &[("sec-fetch-site", "cross-site")]));
        assert!(!verdict(Method::GET, &[("origin", "https://evil.example")]));
    }

    #[test]
    fn the_public_url_names_the_origin() {
        let own = OwnOrigins::new(
            Some("https://notif.example.com/inbox/"),
            "0.0.0.0:80".parse().unwrap(),
        )
        .unwrap();
        assert!(own.contains("https://notif.example.com"));
        assert!(!own.contains("http://notif.example.com"));
        assert!(OwnOrigins::new(Some("notif.example.com"), "0.0.0.0:80".parse().unwrap()).is_err());
        let unspecified = OwnOrigins::new(None, "0.0.0.0:80".parse().unwrap()).unwrap();
        assert!(!unspecified.contains("http://0.0.0.0:80"));
    }
}
