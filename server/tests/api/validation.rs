//! The notification's field rules (API.md "The notification"): each broken rule is a `422
//! validation_failed` naming the field, each edge of a rule that holds is accepted, and a
//! rejected notify stores nothing.

use serde_json::{Value, json};

use crate::support::{FLAGS, TestServer};

/// Sends each body as `token`, expects `422` naming `field`, and checks nothing was stored.
async fn assert_all_invalid(server: &TestServer, token: &str, field: &str, bodies: &[Value]) {
    for body in bodies {
        server.notify_raw(token, body).await.expect_invalid(field);
    }
}

/// Sends each body as `token` and expects `201` with a stored notification.
async fn assert_all_valid(server: &TestServer, token: &str, bodies: &[Value]) {
    for body in bodies {
        server.notify(token, body).await;
    }
}

#[tokio::test]
async fn title_rules_are_enforced() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    assert_all_invalid(
        &server,
        &alice,
        "title",
        &[
            json!({}),
            json!({"title": ""}),
            json!({"title": "   \t "}),
            json!({"title": "a".repeat(201)}),
            json!({"title": "bell\u{7}"}),
            json!({"title": "two\nlines"}),
            json!({"title": "nul\u{0}x"}),
            json!({"title": "esc\u{1b}[31mred"}),
            json!({"title": "del\u{7f}x"}),
            json!({"title": "c1\u{85}control"}),
            json!({"title": 42}),
            json!({"title": null}),
        ],
    )
    .await;
    assert_eq!(server.list(&alice, "").await["unreadCount"], 0);
}

#[tokio::test]
async fn title_of_200_characters_after_trimming_is_accepted() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    assert_all_valid(
        &server,
        &alice,
        &[
            json!({"title": "a"}),
            json!({"title": "a".repeat(200)}),
            json!({"title": "é".repeat(200)}),
            json!({"title": "🔔".repeat(200)}),
            json!({"title": format!("  {}  ", "b".repeat(200))}),
        ],
    )
    .await;
}

#[tokio::test]
async fn body_over_10000_characters_is_422() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    assert_all_invalid(
        &server,
        &alice,
        "body",
        &[
            json!({"title": "t", "body": "x".repeat(10_001)}),
            json!({"title": "t", "body": 5}),
        ],
    )
    .await;
    assert_all_valid(
        &server,
        &alice,
        &[
            json!({"title": "t", "body": "x".repeat(10_000)}),
            json!({"title": "t", "body": "é".repeat(10_000)}),
            json!({"title": "t", "body": "multi\nline\tbody"}),
        ],
    )
    .await;
}

#[tokio::test]
async fn link_must_be_absolute_http_https_or_mailto() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let long = format!("https://example.com/{}", "a".repeat(2049 - 20));
    assert_eq!(long.len(), 2049);
    assert_all_invalid(
        &server,
        &alice,
        "link",
        &[
            json!({"title": "t", "link": "/runs/42"}),
            json!({"title": "t", "link": "runs/42"}),
            json!({"title": "t", "link": "javascript:alert(1)"}),
            json!({"title": "t", "link": "JavaScript:alert(1)"}),
            json!({"title": "t", "link": "ftp://example.com/file"}),
            json!({"title": "t", "link": "data:text/html,hi"}),
            json!({"title": "t", "link": "file:///etc/passwd"}),
            json!({"title": "t", "link": ""}),
            json!({"title": "t", "link": "not a url"}),
            json!({"title": "t", "link": long}),
        ],
    )
    .await;
    let longest = format!("https://example.com/{}", "a".repeat(2048 - 20));
    assert_eq!(longest.len(), 2048);
    assert_all_valid(
        &server,
        &alice,
        &[
            json!({"title": "t", "link": "http://example.com"}),
            json!({"title": "t", "link": "https://ci.example.com/runs/42?x=1#y"}),
            json!({"title": "t", "link": "mailto:ops@example.com"}),
            json!({"title": "t", "link": longest}),
        ],
    )
    .await;
}

#[tokio::test]
async fn category_must_be_1_to_64_of_lowercase_digits_dot_underscore_dash() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    assert_all_invalid(
        &server,
        &alice,
        "category",
        &[
            json!({"title": "t", "category": ""}),
            json!({"title": "t", "category": "Deploy"}),
            json!({"title": "t", "category": "two words"}),
            json!({"title": "t", "category": "slash/y"}),
            json!({"title": "t", "category": "é"}),
            json!({"title": "t", "category": "c".repeat(65)}),
        ],
    )
    .await;
    assert_all_valid(
        &server,
        &alice,
        &[
            json!({"title": "t", "category": "a"}),
            json!({"title": "t", "category": "deploy.prod_eu-1"}),
            json!({"title": "t", "category": "c".repeat(64)}),
        ],
    )
    .await;
}

#[tokio::test]
async fn type_must_be_one_of_the_four_and_defaults_to_info() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    assert_all_invalid(
        &server,
        &alice,
        "type",
        &[
            json!({"title": "t", "type": "NOPE"}),
            json!({"title": "t", "type": ""}),
            json!({"title": "t", "type": 1}),
        ],
    )
    .await;
    for kind in ["INFO", "SUCCESS", "WARNING", "ERROR"] {
        let n = server
            .notify(&alice, &json!({"title": "t", "type": kind}))
            .await;
        assert_eq!(n["type"], kind);
    }
    let n = server.notify_title(&alice, "untyped").await;
    assert_eq!(n["type"], "INFO");
}

#[tokio::test]
async fn user_id_must_be_1_to_64_of_the_allowed_characters() {
    let server = TestServer::start(FLAGS);
    let service = server.service_token();
    assert_all_invalid(
        &server,
        &service,
        "userId",
        &[
            json!({"title": "t", "userId": ""}),
            json!({"title": "t", "userId": "has space"}),
            json!({"title": "t", "userId": "a/b"}),
            json!({"title": "t", "userId": "u".repeat(65)}),
            json!({"title": "t", "userId": 7}),
        ],
    )
    .await;
}

#[tokio::test]
async fn notify_to_an_unknown_user_is_404_unknown_user() {
    let server = TestServer::start(FLAGS);
    let service = server.service_token();
    let odd = server.add_user("Ops.Bot@example-1_x");
    for user in ["ghost", &"u".repeat(64)] {
        server
            .notify_raw(&service, &json!({"userId": user, "title": "t"}))
            .await
            .expect_error(404, "unknown_user");
    }
    let n = server
        .notify(
            &service,
            &json!({"userId": "Ops.Bot@example-1_x", "title": "t"}),
        )
        .await;
    assert_eq!(n["userId"], "Ops.Bot@example-1_x");
    assert_eq!(server.list(&odd, "").await["unreadCount"], 1);
}
