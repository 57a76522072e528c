//! `Idempotency-Key` on `POST /api/internal/notify` (API.md): the same key and body replays
//! the first answer and creates nothing; the same key with another body is `409`.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::http::{Reply, ids_of};
use crate::support::{FLAGS, TestServer};

/// Notifies as `token` with `Idempotency-Key: key`.
async fn notify_with_key(server: &TestServer, token: &str, key: &str, body: &Value) -> Reply {
    let request = server
        .req(Method::POST, "/api/internal/notify")
        .bearer_auth(token)
        .header("content-type", "application/json")
        .header("idempotency-key", key)
        .body(body.to_string());
    server.send(request).await
}

#[tokio::test]
async fn same_key_and_body_replays_the_first_response_and_creates_nothing() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let body = json!({"title": "Deploy finished", "type": "SUCCESS", "category": "deploy"});
    let first = notify_with_key(&server, &alice, "deploy-42", &body)
        .await
        .expect_json(201);
    for _ in 0..2 {
        let retry = notify_with_key(&server, &alice, "deploy-42", &body)
            .await
            .expect_json(201);
        assert_eq!(retry, first, "a retry returns the first response");
    }
    let page = server.list(&alice, "").await;
    assert_eq!(
        ids_of(&page).len(),
        1,
        "the retries created nothing: {page}"
    );
}

#[tokio::test]
async fn same_key_with_a_different_body_is_409() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    notify_with_key(&server, &alice, "k1", &json!({"title": "one"}))
        .await
        .expect(201);
    notify_with_key(&server, &alice, "k1", &json!({"title": "two"}))
        .await
        .expect_error(409, "idempotency_conflict");
    let page = server.list(&alice, "").await;
    assert_eq!(ids_of(&page).len(), 1);
    assert_eq!(page["notifications"][0]["title"], "one");
}

#[tokio::test]
async fn different_keys_create_separate_notifications() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let body = json!({"title": "same"});
    let a = notify_with_key(&server, &alice, "a", &body)
        .await
        .expect_json(201);
    let b = notify_with_key(&server, &alice, "b", &body)
        .await
        .expect_json(201);
    assert_ne!(a["notification"]["id"], b["notification"]["id"]);
    server.notify(&alice, &body).await;
    assert_eq!(ids_of(&server.list(&alice, "").await).len(), 3);
}

#[tokio::test]
async fn concurrent_retries_with_one_key_create_one_notification() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let body = json!({"title": "raced"});
    let replies = futures_util::future::join_all(
        (0..8).map(|_| notify_with_key(&server, &alice, "race", &body)),
    )
    .await;
    let mut ids = Vec::new();
    for reply in replies {
        ids.push(reply.expect_json(201)["notification"]["id"].clone());
    }
    assert!(
        ids.windows(2).all(|w| w[0] == w[1]),
        "one notification: {ids:?}"
    );
    assert_eq!(ids_of(&server.list(&alice, "").await).len(), 1);
}

#[tokio::test]
async fn service_retry_with_same_key_replays_for_the_same_user() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let service = server.service_token();
    let body = json!({"userId": "alice", "title": "from CI"});
    let first = notify_with_key(&server, &service, "run-7", &body)
        .await
        .expect_json(201);
    let retry = notify_with_key(&server, &service, "run-7", &body)
        .await
        .expect_json(201);
    assert_eq!(retry, first);
    assert_eq!(ids_of(&server.list(&alice, "").await).len(), 1);
}

#[tokio::test]
async fn a_replayed_notify_pushes_nothing_to_the_stream() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let (mut stream, _) = server.subscribed_stream(&alice).await;
    let body = json!({"title": "once"});
    let first = notify_with_key(&server, &alice, "once", &body)
        .await
        .expect_json(201);
    notify_with_key(&server, &alice, "once", &body)
        .await
        .expect(201);
    let next = server.notify_title(&alice, "next").await;
    assert_eq!(stream.expect_notification().await.1, first["notification"]);
    assert_eq!(
        stream.expect_notification().await.1,
        next,
        "the replay was not pushed again"
    );
}
