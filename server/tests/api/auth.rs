//! Authentication and scopes (API.md "Authentication"): bearer header or `notif_token`
//! cookie, the header winning; `401` with `WWW-Authenticate: Bearer`; user vs service scope.

use notif_server::router::{Access, ROUTES};
use reqwest::Method;
use reqwest::header::{AUTHORIZATION, COOKIE};
use serde_json::json;

use crate::support::http::{Reply, id_of, ids_of};
use crate::support::{FLAGS, TestServer, routes};

/// Sends every route that takes a user's token (`User` and `Either` rows of the route
/// table, `{id}` as an id no one has) through `customize` (which adds or omits credentials).
async fn call_each(
    server: &TestServer,
    customize: impl Fn(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
) -> Vec<Reply> {
    let mut replies = Vec::new();
    for route in ROUTES {
        if matches!(route.access(), Access::User | Access::Either) {
            let request = routes::request(server, route, "x1", "");
            replies.push(server.send(customize(request)).await);
        }
    }
    assert!(replies.len() >= 10, "the table has the API's routes");
    replies
}

#[track_caller]
fn assert_unauthorized(reply: Reply) {
    let challenge = reply.header("www-authenticate").unwrap_or("").to_string();
    let what = reply.what.clone();
    reply.expect_error(401, "unauthorized");
    assert!(
        challenge.starts_with("Bearer"),
        "{what} → 401 must carry `WWW-Authenticate: Bearer`, got {challenge:?}"
    );
}

#[tokio::test]
async fn every_authenticated_route_without_token_is_401_with_bearer_challenge() {
    let (server, _) = TestServer::with_users(FLAGS, ["alice"]);
    for reply in call_each(&server, |r| r).await {
        assert_unauthorized(reply);
    }
}

#[tokio::test]
async fn unknown_token_is_401_on_every_authenticated_route() {
    let (server, _) = TestServer::with_users(FLAGS, ["alice"]);
    for reply in call_each(&server, |r| r.bearer_auth("not-a-real-token")).await {
        assert_unauthorized(reply);
    }
    for reply in call_each(&server, |r| {
        r.header(COOKIE, "notif_token=not-a-real-token")
    })
    .await
    {
        assert_unauthorized(reply);
    }
}

#[tokio::test]
async fn malformed_authorization_header_is_401() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    for value in [
        alice.clone(),
        format!("Basic {alice}"),
        "Bearer".to_string(),
    ] {
        let reply = server
            .send(
                server
                    .req(Method::GET, "/api/me")
                    .header(AUTHORIZATION, value),
            )
            .await;
        assert_unauthorized(reply);
    }
}

#[tokio::test]
async fn revoked_token_is_401_while_other_tokens_keep_working() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let second = server.user_token("alice", "laptop");
    server.get("/api/me", &second).await.expect(200);
    server.revoke("laptop");
    assert_unauthorized(server.get("/api/me", &second).await);
    assert_unauthorized(server.get("/api/notifications", &second).await);
    server.get("/api/me", &alice).await.expect(200);
}

#[tokio::test]
async fn cookie_notif_token_authenticates() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let cookie = format!("theme=dark; notif_token={alice}; other=1");
    let me = server.get_with_cookie("/api/me", &cookie).await;
    assert_eq!(
        me.expect_json(200),
        json!({"userId": "alice", "scope": "user"})
    );
    let id = id_of(&server.notify_title(&alice, "for alice").await);
    let inbox = server.get_with_cookie("/api/notifications", &cookie).await;
    assert_eq!(ids_of(&inbox.expect_json(200)), [id], "alice's inbox");
}

#[tokio::test]
async fn authorization_header_wins_over_cookie() {
    let (server, [alice, bob]) = TestServer::with_users(FLAGS, ["alice", "bob"]);
    let me = server
        .send(
            server
                .req(Method::GET, "/api/me")
                .bearer_auth(&bob)
                .header(COOKIE, format!("notif_token={alice}")),
        )
        .await
        .expect_json(200);
    assert_eq!(me["userId"], "bob", "the header's user, not the cookie's");
    let with_bad_header = server
        .send(
            server
                .req(Method::GET, "/api/me")
                .bearer_auth("not-a-real-token")
                .header(COOKIE, format!("notif_token={alice}")),
        )
        .await;
    assert_unauthorized(with_bad_header);
}

#[tokio::test]
async fn me_reports_user_scope_and_user_id() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let me = server.get("/api/me", &alice).await.expect_json(200);
    assert_eq!(me, json!({"userId": "alice", "scope": "user"}));
}

#[tokio::test]
async fn me_reports_service_scope_with_null_user() {
    let server = TestServer::start(FLAGS);
    let service = server.service_token();
    let me = server.get("/api/me", &service).await.expect_json(200);
    assert_eq!(me, json!({"userId": null, "scope": "service"}));
}

#[tokio::test]
async fn service_token_on_inbox_routes_is_403() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let service = server.service_token();
    let id = id_of(&server.notify_title(&alice, "hello").await);
    let read = format!("/api/notifications/{id}/read");
    let unread = format!("/api/notifications/{id}/unread");
    let one = format!("/api/notifications/{id}");
    for (method, path) in [
        (Method::GET, "/api/notifications"),
        (Method::POST, read.as_str()),
        (Method::POST, unread.as_str()),
        (Method::POST, "/api/notifications/read-all"),
        (Method::DELETE, one.as_str()),
        (Method::GET, "/api/notifications/preferences"),
        (Method::GET, "/api/notifications/stream"),
    ] {
        server
            .call(method, path, &service)
            .await
            .expect_error(403, "forbidden");
    }
    server
        .put_preferences(&service, &json!({"inApp": false}))
        .await
        .expect_error(403, "forbidden");
    let list = server.list(&alice, "").await;
    assert_eq!(list["notifications"][0]["readAt"], json!(null));
    assert_eq!(list["unreadCount"], 1, "the service token changed nothing");
}

#[tokio::test]
async fn user_token_notifying_another_user_is_403() {
    let (server, [alice, bob]) = TestServer::with_users(FLAGS, ["alice", "bob"]);
    server
        .notify_raw(&alice, &json!({"userId": "bob", "title": "hi"}))
        .await
        .expect_error(403, "forbidden");
    // Not `unknown_user`: a user token must not learn which users exist.
    server
        .notify_raw(&alice, &json!({"userId": "ghost", "title": "hi"}))
        .await
        .expect_error(403, "forbidden");
    assert_eq!(server.list(&bob, "").await["unreadCount"], 0);
    assert_eq!(server.list(&alice, "").await["unreadCount"], 0);
}

#[tokio::test]
async fn user_token_may_notify_itself_with_or_without_user_id() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let implicit = server.notify_title(&alice, "implicit").await;
    assert_eq!(implicit["userId"], "alice");
    let explicit = server
        .notify(&alice, &json!({"userId": "alice", "title": "explicit"}))
        .await;
    assert_eq!(explicit["userId"], "alice");
    assert_eq!(server.list(&alice, "").await["unreadCount"], 2);
}

#[tokio::test]
async fn service_token_notifies_any_user_and_must_name_one() {
    let (server, [alice, bob]) = TestServer::with_users(FLAGS, ["alice", "bob"]);
    let service = server.service_token();
    for (user, token) in [("alice", &alice), ("bob", &bob)] {
        let n = server
            .notify(&service, &json!({"userId": user, "title": "from CI"}))
            .await;
        assert_eq!(n["userId"], user);
        assert_eq!(server.list(token, "").await["unreadCount"], 1);
    }
    server
        .notify_raw(&service, &json!({"title": "to nobody"}))
        .await
        .expect_invalid("userId");
}

#[tokio::test]
async fn tokens_are_stored_only_as_hashes() {
    // The SQLite file and its journals, byte for byte (PostgreSQL stores the same columns).
    let server = TestServer::start_sqlite(FLAGS);
    let alice = server.add_user("alice");
    let service = server.service_token();
    server.get("/api/me", &alice).await.expect(200);
    server.get("/api/me", &service).await.expect(200);
    let mut stored = Vec::new();
    for suffix in ["", "-wal", "-journal"] {
        let path = format!("{}{suffix}", server.db().display());
        stored.extend(std::fs::read(path).unwrap_or_default());
    }
    assert!(!stored.is_empty(), "the database has content");
    for token in [&alice, &service] {
        assert!(
            !stored.windows(token.len()).any(|w| w == token.as_bytes()),
            "a token appears in clear in the database files"
        );
    }
}
