//! Cross-origin access, off unless origins are configured (`--cors-origin`). Without it a
//! browser page from another origin can neither read the API's answers nor its streams.

use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Response, StatusCode};

use crate::response::{self, Body};

/// The origins allowed to read the API from a browser.
#[derive(Debug, Clone, Default)]
pub struct Cors {
    origins: Vec<String>,
}

const ALLOW_METHODS: &str = "GET, POST, PUT, DELETE";
const ALLOW_HEADERS: &str = "authorization, content-type, idempotency-key, last-event-id";

impl Cors {
    pub fn new(origins: Vec<String>) -> Cors {
        Cors {
            origins: origins
                .into_iter()
                .map(|o| o.trim_end_matches('/').to_owned())
                .collect(),
        }
    }

    /// The request's `Origin`, if it is one of ours.
    fn allowed<'a>(&self, origin: Option<&'a HeaderValue>) -> Option<&'a HeaderValue> {
        let origin = origin?;
        (self.any() || self.allows(origin)).then_some(origin)
    }

    /// `--cors-origin '*'`: any page may read with a bearer token, none with the cookie.
    fn any(&self) -> bool {
        self.origins.iter().any(|o| o == "*")
    }

    /// The `Access-Control-Allow-Origin` value for an allowed `origin`, and whether
    /// credentials (the cookie) may come with it.
    fn grant(&self, origin: &HeaderValue) -> (HeaderValue, bool) {
        if self.allows(origin) {
            (origin.clone(), true)
        } else {
            (HeaderValue::from_static("*"), false)
        }
    }

    /// The answer to a preflight `OPTIONS`, if this is one from an allowed origin.
    pub fn preflight(&self, request: &HeaderMap) -> Option<Response<Body>> {
        let (allow, credentials) = self.grant(self.allowed(request.get(header::ORIGIN))?);
        request.get(header::ACCESS_CONTROL_REQUEST_METHOD)?;
        let mut response = response::empty(StatusCode::NO_CONTENT);
        let headers = response.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allow);
        if credentials {
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            );
        }
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static(ALLOW_METHODS),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static(ALLOW_HEADERS),
        );
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
        headers.insert(header::VARY, HeaderValue::from_static("Origin"));
        Some(response)
    }

    /// Whether a page of `origin` may use the API with the user's cookie.
    pub fn allows(&self, origin: &HeaderValue) -> bool {
        let Ok(text) = origin.to_str() else {
            return false;
        };
        self.origins.iter().any(|o| o == text)
    }

    /// Whether any origin is allowed at all (else requests need not keep their `Origin`).
    pub fn is_on(&self) -> bool {
        !self.origins.is_empty()
    }

    /// Lets an allowed `origin` read `response` (with cookies, for `EventSource`).
    pub fn decorate(&self, origin: Option<&HeaderValue>, response: &mut Response<Body>) {
        if !self.is_on() {
            return;
        }
        let headers = response.headers_mut();
        headers.append(header::VARY, HeaderValue::from_static("Origin"));
        if let Some(origin) = self.allowed(origin) {
            let (allow, credentials) = self.grant(origin);
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allow);
            if credentials {
                headers.insert(
                    header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                    HeaderValue::from_static("true"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(origin: &'static str, preflight: bool) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ORIGIN, HeaderValue::from_static(origin));
        if preflight {
            headers.insert(
                header::ACCESS_CONTROL_REQUEST_METHOD,
                HeaderValue::from_static("GET"),
            );
        }
        headers
    }

    #[test]
    fn a_wildcard_allows_reading_but_never_with_the_cookie() {
        let cors = Cors::new(vec!["*".into()]);
        let mut response = response::empty(StatusCode::OK);
        cors.decorate(
            request("https://any.example", false).get(header::ORIGIN),
            &mut response,
        );
        assert_eq!(response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
        assert!(
            response
                .headers()
                .get(header::ACCESS_CONTROL_ALLOW_CREDENTIALS)
                .is_none()
        );
        assert!(!cors.allows(&HeaderValue::from_static("https://any.example")));
    }

    #[test]
    fn off_by_default() {
        let cors = Cors::default();
        let mut response = response::empty(StatusCode::OK);
        cors.decorate(
            request("https://evil.example", false).get(header::ORIGIN),
            &mut response,
        );
        assert!(
            response
                .headers()
                .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
                .is_none()
        );
        assert!(
            cors.preflight(&request("https://evil.example", true))
                .is_none()
        );
    }

    #[test]
    fn only_configured_origins_may_read() {
        let cors = Cors::new(vec!["https://app.example/".into()]);
        let mut ok = response::empty(StatusCode::OK);
        cors.decorate(
            request("https://app.example", false).get(header::ORIGIN),
            &mut ok,
        );
        assert_eq!(
            ok.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
            "https://app.example"
        );
        let mut other = response::empty(StatusCode::OK);
        cors.decorate(
            request("https://evil.example", false).get(header::ORIGIN),
            &mut other,
        );
        assert!(
            other
                .headers()
                .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
                .is_none()
        );
        let preflight = cors
            .preflight(&request("https://app.example", true))
            .unwrap();
        assert_eq!(preflight.status(), StatusCode::NO_CONTENT);
    }
}
