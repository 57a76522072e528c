//! [`Client`]: one typed async method per route of the API, over a shared
//! `reqwest::Client` (rustls, connection pool). Cheap to clone.

use std::time::Duration;

use reqwest::header::{self, HeaderValue};
use reqwest::{Method, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use url::Url;

use super::error::ApiError;
use super::types::{
    Me, Notification, NotificationType, NotifyRequest, NotifyResponse, Page, Preferences,
    PreferencesPatch, ReadAll,
};

/// How long a plain request (not the stream) may take before it counts as failed.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// How long connecting may take before the server counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A client of one notif-server, acting with one token.
#[derive(Debug, Clone)]
pub struct Client {
    /// Shared connection pool; no overall timeout, so the stream can stay open.
    http: reqwest::Client,
    /// The server's base URL, always ending in `/` so that `join` keeps any path prefix.
    base: Url,
    /// `Bearer <token>`, marked sensitive so that it never shows in debug output.
    auth: Option<HeaderValue>,
}

/// The largest page the server serves (`limit` is 1 to 200), used wherever the CLI
/// pages through the whole inbox.
pub const MAX_PAGE: u32 = 200;

/// Filters and paging of [`Client::list`]; `Default` is the server's first page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// Page size, 1 to 200 (server default 50).
    pub limit: Option<u32>,
    /// Opaque cursor from a previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Only unread notifications.
    pub unread: bool,
    /// Only this type.
    pub kind: Option<NotificationType>,
    /// Only this category.
    pub category: Option<String>,
    /// Only notifications whose title, body or category contains every word of this
    /// (`q`, 1 to 200 characters, case-insensitive).
    pub search: Option<String>,
}

impl Client {
    /// A client of the server at `server` (such as `http://127.0.0.1:8787`), sending
    /// `token` as `Authorization: Bearer` when given.
    pub fn new(server: &str, token: Option<String>) -> Result<Client, ApiError> {
        let base = parse_base(server)?;
        let auth = token
            .map(|t| {
                let mut v = HeaderValue::from_str(&format!("Bearer {}", t.trim()))
                    .map_err(|_| ApiError::InvalidToken)?;
                v.set_sensitive(true);
                Ok::<_, ApiError>(v)
            })
            .transpose()?;
        let http = reqwest::Client::builder()
            .user_agent(concat!("notif/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(CONNECT_TIMEOUT)
            .build()
            .map_err(|e| ApiError::from_reqwest(server, &e))?;
        Ok(Client { http, base, auth })
    }

    /// The server's base URL.
    pub fn server(&self) -> &Url {
        &self.base
    }

    /// `GET /api/me`: whom the token belongs to.
    pub async fn me(&self) -> Result<Me, ApiError> {
        self.json(self.request(Method::GET, &["api", "me"])?).await
    }

    /// `GET /api/notifications`: one page of the inbox, unread first.
    pub async fn list(&self, query: &ListQuery) -> Result<Page, ApiError> {
        let mut req = self.request(Method::GET, &["api", "notifications"])?;
        let mut params: Vec<(&str, String)> = Vec::new();
        if let Some(limit) = query.limit {
            params.push(("limit", limit.to_string()));
        }
        if let Some(cursor) = &query.cursor {
            params.push(("cursor", cursor.clone()));
        }
        if query.unread {
            params.push(("unread", "true".to_owned()));
        }
        if let Some(kind) = query.kind {
            params.push(("type", kind.as_str().to_owned()));
        }
        if let Some(category) = &query.category {
            params.push(("category", category.clone()));
        }
        if let Some(search) = &query.search {
            params.push(("q", search.clone()));
        }
        if !params.is_empty() {
            req = req.query(&params);
        }
        self.json(req).await
    }

    /// `POST /api/notifications/{id}/read`; keeps the first `readAt` if already read.
    pub async fn mark_read(&self, id: &str) -> Result<Notification, ApiError> {
        let req = self.request(Method::POST, &["api", "notifications", id, "read"])?;
        self.json(req).await
    }

    /// `POST /api/notifications/{id}/unread`.
    pub async fn mark_unread(&self, id: &str) -> Result<Notification, ApiError> {
        let req = self.request(Method::POST, &["api", "notifications", id, "unread"])?;
        self.json(req).await
    }

    /// `POST /api/notifications/read-all`.
    pub async fn read_all(&self) -> Result<ReadAll, ApiError> {
        let req = self.request(Method::POST, &["api", "notifications", "read-all"])?;
        self.json(req).await
    }

    /// `DELETE /api/notifications/{id}`.
    pub async fn delete(&self, id: &str) -> Result<(), ApiError> {
        let req = self.request(Method::DELETE, &["api", "notifications", id])?;
        self.send(req).await.map(drop)
    }

    /// `GET /api/notifications/preferences`.
    pub async fn preferences(&self) -> Result<Preferences, ApiError> {
        let req = self.request(Method::GET, &["api", "notifications", "preferences"])?;
        self.json(req).await
    }

    /// `PUT /api/notifications/preferences`: changes the given fields, keeps the others.
    pub async fn set_preferences(&self, patch: &PreferencesPatch) -> Result<Preferences, ApiError> {
        let req = self.request(Method::PUT, &["api", "notifications", "preferences"])?;
        self.json(req.json(patch)).await
    }

    /// `POST /api/internal/notify` with an `Idempotency-Key`, so that sending the same
    /// request again with the same key never notifies twice.
    pub async fn notify(
        &self,
        request: &NotifyRequest,
        idempotency_key: &str,
    ) -> Result<NotifyResponse, ApiError> {
        let req = self
            .request(Method::POST, &["api", "internal", "notify"])?
            .header("Idempotency-Key", idempotency_key)
            .json(request);
        self.json(req).await
    }

    /// A request builder for `GET /api/notifications/stream`, without a timeout, for
    /// [`super::stream`].
    pub(crate) fn stream_request(
        &self,
        last_event_id: Option<u64>,
    ) -> Result<RequestBuilder, ApiError> {
        let url = self.url(&["api", "notifications", "stream"])?;
        let mut req = self.http.get(url);
        if let Some(auth) = &self.auth {
            req = req.header(header::AUTHORIZATION, auth.clone());
        }
        if let Some(id) = last_event_id {
            req = req.header("Last-Event-ID", id.to_string());
        }
        Ok(req)
    }

    /// The URL of the stream, for error messages.
    pub(crate) fn stream_url(&self) -> String {
        self.url(&["api", "notifications", "stream"])
            .map(String::from)
            .unwrap_or_else(|_| self.base.to_string())
    }

    /// The base URL with `segments` appended, each percent-encoded as one segment.
    fn url(&self, segments: &[&str]) -> Result<Url, ApiError> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .map_err(|()| ApiError::InvalidUrl {
                url: self.base.to_string(),
                reason: "it cannot be a base URL".to_owned(),
            })?
            .pop_if_empty()
            .extend(segments);
        Ok(url)
    }

    /// A request with the token and a timeout.
    fn request(&self, method: Method, segments: &[&str]) -> Result<RequestBuilder, ApiError> {
        let mut req = self
            .http
            .request(method, self.url(segments)?)
            .timeout(REQUEST_TIMEOUT);
        if let Some(auth) = &self.auth {
            req = req.header(header::AUTHORIZATION, auth.clone());
        }
        Ok(req)
    }

    /// Sends `req`; a non-2xx status becomes [`ApiError::Http`].
    async fn send(&self, req: RequestBuilder) -> Result<Response, ApiError> {
        let (client, req) = req.build_split();
        let req = req.map_err(|e| ApiError::from_reqwest(self.base.as_str(), &e))?;
        let url = req.url().to_string();
        let resp = client
            .execute(req)
            .await
            .map_err(|e| ApiError::from_reqwest(&url, &e))?;
        error_for_status(resp, &url).await
    }

    /// Sends `req` and decodes the JSON body as `T`.
    async fn json<T: DeserializeOwned>(&self, req: RequestBuilder) -> Result<T, ApiError> {
        let resp = self.send(req).await?;
        let url = resp.url().to_string();
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| ApiError::from_reqwest(&url, &e))?;
        serde_json::from_slice(&bytes).map_err(|e| ApiError::Decode(format!("{url}: {e}")))
    }
}

/// Turns a non-2xx response into [`ApiError::Http`], reading its error body.
pub(crate) async fn error_for_status(resp: Response, url: &str) -> Result<Response, ApiError> {
    let status = resp.status();
    if status.is_success() {
        return Ok(resp);
    }
    let retry_after = resp
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let body = resp
        .bytes()
        .await
        .map_err(|e| ApiError::from_reqwest(url, &e))?;
    Err(ApiError::from_response(status.as_u16(), &body, retry_after))
}

/// Parses and normalises a server URL: `http` or `https`, path ending in `/`.
fn parse_base(server: &str) -> Result<Url, ApiError> {
    let invalid = |reason: &str| ApiError::InvalidUrl {
        url: server.to_owned(),
        reason: reason.to_owned(),
    };
    let mut url = Url::parse(server.trim()).map_err(|e| invalid(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("expected an http:// or https:// URL"));
    }
    if url.cannot_be_a_base() || url.host().is_none() {
        return Err(invalid(
            "expected a URL with a host, like http://127.0.0.1:8787",
        ));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    url.set_query(None);
    url.set_fragment(None);
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_keeps_a_path_prefix() {
        let c = Client::new("https://example.com/notif", None).unwrap();
        let url = c.url(&["api", "notifications", "a/b", "read"]).unwrap();
        assert_eq!(
            url.as_str(),
            "https://example.com/notif/api/notifications/a%2Fb/read"
        );
        let c = Client::new("http://127.0.0.1:8787", None).unwrap();
        assert_eq!(
            c.url(&["api", "me"]).unwrap().as_str(),
            "http://127.0.0.1:8787/api/me"
        );
    }

    #[test]
    fn bad_urls_are_usage_errors() {
        for bad in ["127.0.0.1:8787", "ftp://x", "not a url", "mailto:a@b"] {
            let err = Client::new(bad, None).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{bad}: {err}");
        }
    }

    #[test]
    fn token_with_newline_is_refused() {
        assert!(matches!(
            Client::new("http://x", Some("a\nb".into())),
            Err(ApiError::InvalidToken)
        ));
    }
}
