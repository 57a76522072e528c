//! The notification routes (API.md "The notification" and "Routes"): notify's answer,
//! read/unread, read-all, delete, and isolation between users.

use std::collections::HashSet;

use serde_json::json;

use crate::support::http::{assert_timestamp, id_of, ids_of};
use crate::support::{FLAGS, TestServer};

#[tokio::test]
async fn notify_answers_201_with_the_stored_notification() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let reply = server
        .notify_raw(
            &alice,
            &json!({
                "type": "SUCCESS",
                "title": "Deploy finished",
                "body": "web-1 is on v2.3.1",
                "link": "https://ci.example.com/runs/42",
                "category": "deploy",
            }),
        )
        .await
        .expect_json(201);
    let n = &reply["notification"];
    assert!(id_of(n).len() >= 8, "a collision-resistant id: {n}");
    assert_eq!(n["userId"], "alice");
    assert_eq!(n["type"], "SUCCESS");
    assert_eq!(n["title"], "Deploy finished");
    assert_eq!(n["body"], "web-1 is on v2.3.1");
    assert_eq!(n["link"], "https://ci.example.com/runs/42");
    assert_eq!(n["category"], "deploy");
    assert_eq!(n["readAt"], json!(null));
    assert!(
        n.as_object().unwrap().contains_key("readAt"),
        "readAt is present as null: {n}"
    );
    assert_timestamp(&n["createdAt"]);
    assert_eq!(reply["delivered"]["inApp"], true);
    assert!(reply["delivered"]["email"].is_boolean(), "{reply}");
    let keys: HashSet<&str> = n.as_object().unwrap().keys().map(String::as_str).collect();
    let model = HashSet::from([
        "id",
        "userId",
        "type",
        "title",
        "body",
        "link",
        "category",
        "readAt",
        "createdAt",
    ]);
    assert_eq!(keys, model, "exactly the data model's fields");
    let listed = server.list(&alice, "").await;
    assert_eq!(
        &listed["notifications"][0], n,
        "the list shows what notify returned"
    );
}

#[tokio::test]
async fn notify_without_optional_fields_stores_nulls() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let n = server.notify_title(&alice, "bare").await;
    for field in ["body", "link", "category"] {
        assert!(n[field].is_null(), "{field} must be null or absent: {n}");
    }
}

#[tokio::test]
async fn ids_are_unique_cuid2_style_strings() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let ids = server.notify_titles(&alice, "n", 30).await;
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len());
    for id in &ids {
        let cuid2_like = id.len() >= 20
            && id.starts_with(|c: char| c.is_ascii_lowercase())
            && id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        assert!(cuid2_like, "{id:?} is not a cuid2-style id");
    }
}

#[tokio::test]
async fn read_sets_read_at_once_and_unread_clears_it_idempotently() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let created = server.notify_title(&alice, "n").await;
    let id = id_of(&created);
    let first = server.mark(&alice, &id, "read").await;
    assert_eq!(first["id"], created["id"]);
    assert_eq!(first["title"], "n");
    assert_timestamp(&first["readAt"]);
    let again = server.mark(&alice, &id, "read").await;
    assert_eq!(again["readAt"], first["readAt"], "the first readAt is kept");
    assert_eq!(server.list(&alice, "").await["unreadCount"], 0);
    let cleared = server.mark(&alice, &id, "unread").await;
    assert_eq!(cleared["readAt"], json!(null));
    let still = server.mark(&alice, &id, "unread").await;
    assert_eq!(still["readAt"], json!(null));
    assert_eq!(still["createdAt"], created["createdAt"]);
    assert_eq!(server.list(&alice, "").await["unreadCount"], 1);
}

/// Asserts that reading, unreading and deleting `id` as `token` are each `404 not_found`.
async fn assert_every_action_is_404(server: &TestServer, token: &str, id: &str) {
    for action in ["read", "unread"] {
        server
            .post_empty(&format!("/api/notifications/{id}/{action}"), token)
            .await
            .expect_error(404, "not_found");
    }
    server
        .delete(&format!("/api/notifications/{id}"), token)
        .await
        .expect_error(404, "not_found");
}

#[tokio::test]
async fn read_unread_and_delete_of_unknown_id_are_404() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    server.notify_title(&alice, "n").await;
    for id in ["nope", "tz4a98xxat96iws9zmbrgj3a", "0"] {
        assert_every_action_is_404(&server, &alice, id).await;
    }
}

#[tokio::test]
async fn read_all_marks_every_unread_and_reports_counts() {
    let (server, [alice, bob]) = TestServer::with_users(FLAGS, ["alice", "bob"]);
    let ids = server.notify_titles(&alice, "n", 9).await;
    server.notify_title(&bob, "bob's").await;
    server.mark(&alice, &ids[2], "read").await;
    server.mark(&alice, &ids[5], "read").await;
    let kept = server.list(&alice, "limit=200").await["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == ids[2].as_str())
        .unwrap()["readAt"]
        .clone();
    let result = server
        .post_empty("/api/notifications/read-all", &alice)
        .await
        .expect_json(200);
    assert_eq!(result, json!({"updated": 7, "unreadCount": 0}));
    let page = server.list(&alice, "limit=200").await;
    assert_eq!(page["unreadCount"], 0);
    for n in page["notifications"].as_array().unwrap() {
        assert_timestamp(&n["readAt"]);
        if n["id"] == ids[2].as_str() {
            assert_eq!(n["readAt"], kept, "read-all keeps an earlier readAt");
        }
    }
    let again = server
        .post_empty("/api/notifications/read-all", &alice)
        .await
        .expect_json(200);
    assert_eq!(again, json!({"updated": 0, "unreadCount": 0}));
    assert_eq!(
        server.list(&bob, "").await["unreadCount"],
        1,
        "bob untouched"
    );
}

#[tokio::test]
async fn delete_answers_204_and_removes_the_notification() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let ids = server.notify_titles(&alice, "n", 3).await;
    let reply = server
        .delete(&format!("/api/notifications/{}", ids[1]), &alice)
        .await
        .expect(204);
    assert!(reply.body.is_empty(), "204 has no body: {:?}", reply.body);
    let page = server.list(&alice, "").await;
    assert_eq!(ids_of(&page), [ids[2].clone(), ids[0].clone()]);
    assert_eq!(page["unreadCount"], 2);
    server
        .delete(&format!("/api/notifications/{}", ids[1]), &alice)
        .await
        .expect_error(404, "not_found");
    server
        .post_empty(&format!("/api/notifications/{}/read", ids[1]), &alice)
        .await
        .expect_error(404, "not_found");
}

#[tokio::test]
async fn another_users_notification_is_404_and_untouched() {
    let (server, [alice, bob]) = TestServer::with_users(FLAGS, ["alice", "bob"]);
    let bobs = id_of(&server.notify_title(&bob, "bob's secret").await);
    server.notify_title(&alice, "alice's").await;
    assert_every_action_is_404(&server, &alice, &bobs).await;
    let alices = server.list(&alice, "limit=200").await;
    assert!(!ids_of(&alices).contains(&bobs));
    assert_eq!(alices["unreadCount"], 1);
    let bobs_page = server.list(&bob, "").await;
    assert_eq!(ids_of(&bobs_page), vec![bobs]);
    assert_eq!(bobs_page["notifications"][0]["readAt"], json!(null));
    assert_eq!(bobs_page["unreadCount"], 1);
}
