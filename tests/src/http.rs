//! Request helpers on [`TestServer`] for the notif API: every call is bounded by a timeout,
//! and every failed expectation prints the request, the status and the body, so a red test
//! says what the server answered.

use std::time::Duration;

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, HeaderMap};
use reqwest::{Method, RequestBuilder};
use serde_json::{Value, json};
use tokio::time::timeout;

use crate::server::TestServer;

/// Upper bound for one request/response round trip (headers and whole body).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Where a user's preferences are read and changed.
pub const PREFERENCES: &str = "/api/notifications/preferences";

/// A fully read response, with what was asked for failure messages.
#[derive(Debug)]
pub struct Reply {
    /// `METHOD /path?query`, for messages.
    pub what: String,
    /// The response status code.
    pub status: u16,
    /// The response headers.
    pub headers: HeaderMap,
    /// The whole body, as text.
    pub body: String,
}

impl Reply {
    /// Asserts the status and returns the reply.
    #[track_caller]
    pub fn expect(self, status: u16) -> Reply {
        assert_eq!(
            self.status, status,
            "{} → expected {status}, got {}: {}",
            self.what, self.status, self.body
        );
        self
    }

    /// Asserts the status and returns the body as JSON.
    #[track_caller]
    pub fn expect_json(self, status: u16) -> Value {
        self.expect(status).json()
    }

    /// The body parsed as JSON.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| {
            panic!(
                "{} → {}: body is not JSON ({e}): {:?}",
                self.what, self.status, self.body
            )
        })
    }

    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts an error reply: status, `{"error": {"code", "message"}}` with a non-empty
    /// message, a JSON content type. Returns the `error` object.
    #[track_caller]
    pub fn expect_error(self, status: u16, code: &str) -> Value {
        let what = self.what.clone();
        let content_type = self.header("content-type").unwrap_or("").to_string();
        let body = self.expect_json(status);
        let error = &body["error"];
        assert_eq!(
            error["code"], code,
            "{what} → {status}: wrong error code in {body}"
        );
        assert!(
            error["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{what} → {status}: error without a message: {body}"
        );
        assert!(
            content_type.starts_with("application/json"),
            "{what} → {status}: error content type {content_type:?}, want application/json"
        );
        error.clone()
    }

    /// Asserts a `422 validation_failed` naming `field` in `fields`.
    #[track_caller]
    pub fn expect_invalid(self, field: &str) -> Value {
        let what = self.what.clone();
        let error = self.expect_error(422, "validation_failed");
        assert!(
            error["fields"][field]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{what} → 422 must explain field {field:?} in `fields`: {error}"
        );
        error
    }
}

impl TestServer {
    /// A request builder for `path` on this server (no auth added).
    pub fn req(&self, method: Method, path: &str) -> RequestBuilder {
        self.client()
            .request(method, format!("{}{path}", self.url()))
    }

    /// Like [`TestServer::req`] but on a new client of its own, so the connection it uses is
    /// never reused by later requests (for requests the server may answer by closing it).
    pub fn req_alone(&self, method: Method, path: &str) -> RequestBuilder {
        reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("build the HTTP client")
            .request(method, format!("{}{path}", self.url()))
    }

    /// Sends a request (on the client that built it) and reads the whole response, within
    /// [`REQUEST_TIMEOUT`].
    pub async fn send(&self, request: RequestBuilder) -> Reply {
        let (client, request) = request.build_split();
        let request = request.expect("the test builds a valid request");
        let url = request.url();
        let what = match url.query() {
            Some(q) => format!("{} {}?{q}", request.method(), url.path()),
            None => format!("{} {}", request.method(), url.path()),
        };
        let round_trip = async {
            let response = client.execute(request).await?;
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let body = response.text().await?;
            Ok::<_, reqwest::Error>((status, headers, body))
        };
        let (status, headers, body) = timeout(REQUEST_TIMEOUT, round_trip)
            .await
            .unwrap_or_else(|_| panic!("{what}: no complete response within {REQUEST_TIMEOUT:?}"))
            .unwrap_or_else(|e| panic!("{what}: request failed: {e:?}"));
        Reply {
            what,
            status,
            headers,
            body,
        }
    }

    /// `GET path` with no credentials.
    pub async fn get_anonymous(&self, path: &str) -> Reply {
        self.send(self.req(Method::GET, path)).await
    }

    /// `GET path` with the `Cookie` header `cookie` (the web inbox's `notif_token=TOKEN`)
    /// and no other credentials.
    pub async fn get_with_cookie(&self, path: &str, cookie: &str) -> Reply {
        self.send(self.req(Method::GET, path).header(COOKIE, cookie))
            .await
    }

    /// `METHOD path` with `Authorization: Bearer <token>` and no body.
    pub async fn call(&self, method: Method, path: &str, token: &str) -> Reply {
        self.send(self.req(method, path).bearer_auth(token)).await
    }

    /// `GET path` as `token`.
    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.call(Method::GET, path, token).await
    }

    /// `DELETE path` as `token`.
    pub async fn delete(&self, path: &str, token: &str) -> Reply {
        self.call(Method::DELETE, path, token).await
    }

    /// `POST path` as `token` with no body (the read/unread/read-all actions).
    pub async fn post_empty(&self, path: &str, token: &str) -> Reply {
        self.call(Method::POST, path, token).await
    }

    /// `METHOD path` as `token` with a JSON body and `Content-Type: application/json`.
    pub async fn send_json(&self, method: Method, path: &str, token: &str, body: &Value) -> Reply {
        let request = self
            .req(method, path)
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_string());
        self.send(request).await
    }

    /// `POST /api/internal/notify` as `token` with `body`.
    pub async fn notify_raw(&self, token: &str, body: &Value) -> Reply {
        self.send_json(Method::POST, "/api/internal/notify", token, body)
            .await
    }

    /// Notifies with `body`, asserts `201` with a stored notification and returns it.
    pub async fn notify(&self, token: &str, body: &Value) -> Value {
        let reply = self.notify_raw(token, body).await.expect_json(201);
        assert!(
            reply["notification"].is_object(),
            "notify {body} was not delivered in-app: {reply}"
        );
        reply["notification"].clone()
    }

    /// Notifies with `body`, asserts `201` with no in-app notification (the user muted it,
    /// or it went to email only); returns the reply.
    pub async fn notify_not_in_app(&self, token: &str, body: &Value) -> Value {
        let reply = self.notify_raw(token, body).await.expect_json(201);
        assert_eq!(
            reply["notification"],
            Value::Null,
            "notify {body} must not be stored in-app: {reply}"
        );
        reply
    }

    /// Notifies the token's own user with just a title; returns the notification.
    pub async fn notify_title(&self, token: &str, title: &str) -> Value {
        self.notify(token, &json!({ "title": title })).await
    }

    /// Creates `n` notifications titled `"{prefix}{i}"` one after another (so in sequence
    /// order) as `token`; returns their ids, oldest first.
    pub async fn notify_titles(&self, token: &str, prefix: &str, n: usize) -> Vec<String> {
        let mut ids = Vec::with_capacity(n);
        for i in 0..n {
            ids.push(id_of(
                &self.notify_title(token, &format!("{prefix}{i}")).await,
            ));
        }
        ids
    }

    /// `POST /api/notifications/{id}/{action}` (`read` or `unread`) as `token`, asserting
    /// `200`; returns the notification.
    pub async fn mark(&self, token: &str, id: &str, action: &str) -> Value {
        self.post_empty(&format!("/api/notifications/{id}/{action}"), token)
            .await
            .expect_json(200)
    }

    /// `PUT /api/notifications/preferences` as `token` with `body`.
    pub async fn put_preferences(&self, token: &str, body: &Value) -> Reply {
        self.send_json(Method::PUT, PREFERENCES, token, body).await
    }

    /// Changes `token`'s preferences with `body`, asserting `200`; returns them as stored.
    pub async fn set_preferences(&self, token: &str, body: &Value) -> Value {
        self.put_preferences(token, body).await.expect_json(200)
    }

    /// Switches `token`'s in-app delivery on or off, asserting `200`; returns the preferences.
    pub async fn set_in_app(&self, token: &str, on: bool) -> Value {
        self.set_preferences(token, &json!({ "inApp": on })).await
    }

    /// `GET /api/notifications/preferences` as `token`, asserting `200`.
    pub async fn preferences(&self, token: &str) -> Value {
        self.get(PREFERENCES, token).await.expect_json(200)
    }

    /// `GET /api/notifications?query` as `token`, asserting `200`.
    pub async fn list(&self, token: &str, query: &str) -> Value {
        let path = if query.is_empty() {
            "/api/notifications".to_string()
        } else {
            format!("/api/notifications?{query}")
        };
        self.get(&path, token).await.expect_json(200)
    }

    /// Follows `nextCursor` from the first page of `query` and returns every notification id,
    /// in order. Fails if paging does not end within `max_pages`.
    pub async fn list_all_ids(&self, token: &str, query: &str, max_pages: usize) -> Vec<String> {
        let mut ids = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..max_pages {
            let mut q = query.to_string();
            if let Some(c) = &cursor {
                if !q.is_empty() {
                    q.push('&');
                }
                q.push_str(&format!("cursor={}", encode(c)));
            }
            let page = self.list(token, &q).await;
            ids.extend(ids_of(&page));
            match page["nextCursor"].as_str() {
                Some(next) => cursor = Some(next.to_string()),
                None => {
                    assert!(
                        page["nextCursor"].is_null(),
                        "nextCursor must be a string or null: {page}"
                    );
                    return ids;
                }
            }
        }
        panic!("paging {query:?} did not end within {max_pages} pages");
    }
}

/// Notifies as one token from any task: a cloneable client, URL and token, for tests that
/// notify concurrently from spawned tasks (which cannot borrow the [`TestServer`]).
#[derive(Clone)]
pub struct Notifier {
    /// The server's client (pooled connections shared by the clones).
    client: reqwest::Client,
    /// `http://ADDR/api/internal/notify`.
    url: String,
    /// The bearer token every notify carries.
    token: String,
}

impl Notifier {
    /// `POST /api/internal/notify` with `body`; asserts `201` within [`REQUEST_TIMEOUT`]
    /// and returns the stored notification's id.
    pub async fn notify(&self, body: &Value) -> String {
        let send = self
            .client
            .post(&self.url)
            .bearer_auth(&self.token)
            .json(body)
            .send();
        let response = timeout(REQUEST_TIMEOUT, send)
            .await
            .unwrap_or_else(|_| panic!("notify {body}: no answer within {REQUEST_TIMEOUT:?}"))
            .unwrap_or_else(|e| panic!("notify {body} failed: {e:?}"));
        assert_eq!(response.status(), 201, "notify {body}");
        let reply: Value = response.json().await.unwrap();
        id_of(&reply["notification"])
    }
}

impl TestServer {
    /// A [`Notifier`] for `token` on this server.
    pub fn notifier(&self, token: &str) -> Notifier {
        Notifier {
            client: self.client().clone(),
            url: format!("{}/api/internal/notify", self.url()),
            token: token.to_string(),
        }
    }
}

/// The `id`s of a list page's notifications, in order.
pub fn ids_of(page: &Value) -> Vec<String> {
    page["notifications"]
        .as_array()
        .unwrap_or_else(|| panic!("a list page has a `notifications` array: {page}"))
        .iter()
        .map(|n| id_of(n))
        .collect()
}

/// A notification's `id`.
#[track_caller]
pub fn id_of(notification: &Value) -> String {
    notification["id"]
        .as_str()
        .unwrap_or_else(|| panic!("a notification has a string id: {notification}"))
        .to_string()
}

/// Percent-encodes a query value (cursors are opaque and may hold any character).
/// Unreserved characters are kept, every other byte becomes `%XX`.
pub fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
