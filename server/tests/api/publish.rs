//! Publishing as tools that speak Gotify or ntfy do (API.md, "Publishing from tools that
//! speak Gotify or ntfy"), end to end: each form sent to the real server, by hand, by `curl`
//! as those projects document it, and by apprise (a real sending library, from PyPI), then
//! read back through `GET /api/notifications` and an open stream.

mod apprise;
mod credentials;
mod gotify;
mod ntfy;
mod senders;

use reqwest::{Method, RequestBuilder};
use serde_json::Value;

use crate::support::http::Reply;
use crate::support::{FLAGS, TestServer};

/// A server with the users alice and bob, their tokens, and a service token.
struct Setup {
    server: TestServer,
    alice: String,
    bob: String,
    service: String,
}

impl Setup {
    fn start() -> Setup {
        let (server, [alice, bob]) = TestServer::with_users(FLAGS, ["alice", "bob"]);
        let service = server.service_token();
        Setup {
            server,
            alice,
            bob,
            service,
        }
    }

    /// `method path` on this server, no credentials added.
    fn req(&self, method: Method, path: &str) -> RequestBuilder {
        self.server.req(method, path)
    }

    /// `method path` as alice, with her token as a bearer token.
    fn as_alice(&self, method: Method, path: &str) -> RequestBuilder {
        self.req(method, path).bearer_auth(&self.alice)
    }

    /// Sends `request` and reads the answer.
    async fn send(&self, request: RequestBuilder) -> Reply {
        self.server.send(request).await
    }

    /// The newest notification in `token`'s inbox (the inbox must not be empty).
    async fn newest(&self, token: &str) -> Value {
        let page = self.server.list(token, "").await;
        let first = page["notifications"][0].clone();
        assert!(first.is_object(), "the inbox is empty: {page}");
        first
    }

    /// Runs `curl ARGS` (a sender's documented example), expects `200`, and returns alice's
    /// newest notification.
    async fn curled(&self, args: &[&str]) -> Value {
        let (status, answer) = senders::curl(args).await;
        assert_eq!(status, 200, "{answer}");
        self.newest(&self.alice).await
    }

    /// How many notifications `token`'s user has.
    async fn count(&self, token: &str) -> usize {
        let page = self.server.list(token, "limit=200").await;
        page["notifications"].as_array().map_or(0, Vec::len)
    }
}

/// What apprise's `ntfy://` test and its hand-made twin (apprise's headers, sent by hand)
/// both create.
#[track_caller]
fn assert_backup_failed(n: &Value) {
    assert_fields(
        n,
        "ERROR",
        "Backup failed",
        Some("disk full"),
        Some("https://x.example/1"),
        Some("backups"),
    );
}

/// The field names of an answer object, in order (the senders' answers have a fixed shape).
fn keys_of(answer: &Value) -> Vec<&str> {
    let object = answer.as_object().expect("the answer is a JSON object");
    object.keys().map(String::as_str).collect()
}

/// Asserts a notification's type, title, body, link and category.
#[track_caller]
fn assert_fields(
    n: &Value,
    kind: &str,
    title: &str,
    body: Option<&str>,
    link: Option<&str>,
    category: Option<&str>,
) {
    let text = |field: &str| n[field].as_str();
    assert_eq!(
        (
            text("type"),
            text("title"),
            text("body"),
            text("link"),
            text("category")
        ),
        (Some(kind), Some(title), body, link, category),
        "{n}"
    );
}
