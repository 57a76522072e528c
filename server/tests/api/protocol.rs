//! HTTP-level rules of API.md "Conventions" for routes and queries: unknown routes (404),
//! wrong methods (405 with `Allow`), malformed or out-of-range query parameters and
//! `Last-Event-ID` (400), all with the contract's error body.

use reqwest::Method;

use crate::support::{FLAGS, TestServer};

/// Paths no route matches (`/` is one that does: ntfy tools publish there, and it serves the
/// web inbox).
const UNKNOWN_PATHS: [&str; 8] = [
    "/api",
    "/api/nope",
    "/api/notifications/x1/read/more",
    "/api/notifications/x1/bogus",
    "/api/internal",
    "/healthz/extra",
    "/assets/nope.js",
    "/login/extra",
];

#[tokio::test]
async fn unknown_route_is_404_not_found() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    for path in UNKNOWN_PATHS {
        // With a token or none: no route, so no access rule.
        for reply in [
            server.get(path, &alice).await,
            server.get_anonymous(path).await,
        ] {
            reply.expect_error(404, "not_found");
        }
    }
}

#[tokio::test]
async fn wrong_method_on_known_path_is_405_with_allow() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let cases: [(Method, &str, &[&str]); 8] = [
        (Method::DELETE, "/api/notifications", &["GET"]),
        (Method::GET, "/api/notifications/x1/read", &["POST"]),
        (Method::PUT, "/api/notifications/x1/unread", &["POST"]),
        (Method::GET, "/api/notifications/read-all", &["POST"]),
        (
            Method::POST,
            "/api/notifications/preferences",
            &["GET", "PUT"],
        ),
        (Method::GET, "/api/internal/notify", &["POST"]),
        (Method::POST, "/api/notifications/stream", &["GET"]),
        (Method::POST, "/healthz", &["GET"]),
    ];
    for (method, path, allowed) in cases {
        let reply = server.call(method, path, &alice).await;
        let allow = reply.header("allow").unwrap_or("").to_uppercase();
        let what = reply.what.clone();
        reply.expect_error(405, "method_not_allowed");
        for m in allowed {
            assert!(
                allow.split(',').any(|a| a.trim() == *m),
                "{what} → 405 must list {m} in `Allow`, got {allow:?}"
            );
        }
    }
}

#[tokio::test]
async fn delete_only_path_answers_get_with_405_allow_delete() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let reply = server.get("/api/notifications/x1", &alice).await;
    let allow = reply.header("allow").unwrap_or("").to_uppercase();
    reply.expect_error(405, "method_not_allowed");
    assert!(allow.contains("DELETE"), "Allow: {allow:?}");
}

#[tokio::test]
async fn malformed_or_out_of_range_list_query_is_400() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    for query in [
        "limit=0",
        "limit=201",
        "limit=-1",
        "limit=abc",
        "limit=",
        "cursor=not-a-cursor",
        "unread=maybe",
        "type=NOPE",
        "category=Not%20Valid",
        "category=",
    ] {
        server
            .get(&format!("/api/notifications?{query}"), &alice)
            .await
            .expect_error(400, "bad_request");
    }
}

#[tokio::test]
async fn limit_bounds_1_and_200_are_accepted() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    for query in ["limit=1", "limit=200", "unread=true", "unread=false"] {
        server.list(&alice, query).await;
    }
}

#[tokio::test]
async fn bad_last_event_id_is_400() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    for value in ["abc", "1.5", "-1", "12x"] {
        let request = server
            .req(Method::GET, "/api/notifications/stream")
            .bearer_auth(&alice)
            .header("last-event-id", value);
        server.send(request).await.expect_error(400, "bad_request");
        server
            .get(
                &format!(
                    "/api/notifications/stream?lastEventId={}",
                    crate::support::http::encode(value)
                ),
                &alice,
            )
            .await
            .expect_error(400, "bad_request");
    }
}
