//! The inbox routes (API.md "Routes"): notify's answer, the list's order, limit, cursor paging
//! and filters, read/unread, read-all, delete, and isolation between users.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::support::TestServer;
use crate::support::http::{assert_timestamp, encode, id_of, ids_of};

/// Creates `n` notifications titled `"{prefix}{i}"` one after another; returns their ids,
/// oldest first.
async fn create_sequentially(
    server: &TestServer,
    token: &str,
    prefix: &str,
    n: usize,
) -> Vec<String> {
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        ids.push(id_of(
            &server.notify_title(token, &format!("{prefix}{i}")).await,
        ));
    }
    ids
}

/// Marks `id` read as `token`, asserting `200`; returns the notification.
async fn read(server: &TestServer, token: &str, id: &str) -> Value {
    server
        .post_empty(&format!("/api/notifications/{id}/read"), token)
        .await
        .expect_json(200)
}

/// Marks `id` unread as `token`, asserting `200`; returns the notification.
async fn unread(server: &TestServer, token: &str, id: &str) -> Value {
    server
        .post_empty(&format!("/api/notifications/{id}/unread"), token)
        .await
        .expect_json(200)
}

#[tokio::test]
async fn notify_answers_201_with_the_stored_notification() {
    let (server, [alice]) = TestServer::with_users(["alice"]).await;
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
    let (server, [alice]) = TestServer::with_users(["alice"]).await;
    let n = server.notify_title(&alice, "bare").await;
    for field in ["body", "link", "category"] {
        assert!(n[field].is_null(), "{field} must be null or absent: {n}");
    }
}

#[tokio::test]
async fn ids_are_unique_cuid2_style_strings() {
    let (server, [alice]) = TestServer::with_users(["alice"]).await;
    let ids = create_sequentially(&server, &alice, "n", 30).await;
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
async fn list_orders_unread_first_then_newest_first() {
    let (server, [alice]) = TestServer::with_users(["alice"]).await;
    let ids = create_sequentially(&server, &alice, "n", 6).await;
    read(&server, &alice, &ids[1]).await;
    read(&server, &alice, &ids[3]).await;
    // Reading an older one later must not move it ahead of newer read ones.
    read(&server, &alice, &ids[0]).await;
    let page = server.list(&alice, "").await;
    let expected = [5, 4, 2, 3, 1, 0].map(|i| ids[i].clone());
    assert_eq!(ids_of(&page), expected);
    assert_eq!(page["unreadCount"], 3);
    assert_eq!(page["nextCursor"], json!(null));
}

#[tokio::test]
async fn empty_inbox_lists_nothing() {
    let (server, [alice]) = TestServer::with_users(["alice"]).await;
    let page = server.list(&alice, "").await;
    assert_eq!(
        page,
        json!({"notifications": [], "unreadCount": 0, "nextCursor": null})
    );
}

#[tokio::test]
async fn limit_defaults_to_50_and_caps_a_page() {
    let (server, [alice]) = TestServer::with_users(["alice"]).await;
    let service = server.service_token().await;
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..6 {
        let client = server.client().clone();
        let url = format!("{}/api/internal/notify", server.url());
        let service = service.clone();
        tasks.spawn(async move {
            for i in 0..35 {
                let response = client
                    .post(&url)
                    .bearer_auth(&service)
                    .json(&json!({"userId": "alice", "title": format!("w{worker}-{i}")}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), 201);
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
    let default = server.list(&alice, "").await;
    assert_eq!(ids_of(&default).len(), 50);
    assert!(default["nextCursor"].is_string());
    assert_eq!(default["unreadCount"], 210);
    let one = server.list(&alice, "limit=1").await;
    assert_eq!(ids_of(&one), ids_of(&default)[..1]);
    let max = server.list(&alice, "limit=200").await;
    assert_eq!(ids_of(&max).len(), 200);
    assert_eq!(ids_of(&max)[..50], ids_of(&default));
    let rest = server
        .list(
            &alice,
            &format!(
                "limit=200&cursor={}",
                encode(max["nextCursor"].as_str().unwrap())
            ),
        )
        .await;
    assert_eq!(ids_of(&rest).len(), 10);
    assert_eq!(rest["nextCursor"], json!(null));
}

#[tokio::test]
async fn cursor_pages_through_the_order_without_gaps_or_repeats() {
    let (server, [alice]) = TestServer::with_users(["alice"]).await;
    let ids = create_sequentially(&server, &alice, "n", 23).await;
    for i in [0, 4, 5, 11, 17, 22] {
        read(&server, &alice, &ids[i]).await;
    }
    let whole = ids_of(&server.list(&alice, "limit=200").await);
    assert_eq!(whole.len(), 23);
    for limit in [1, 4, 5, 22, 23] {
        let paged = server
            .list_all_ids(&alice, &format!("limit={limit}"), 30)
            .await;
        assert_eq!(paged, whole, "paging with limit={limit}");
    }
}

#[tokio::test]
async fn cursor_paging_has_no_gaps_or_repeats_while_notifications_arrive() {
    let (server, [alice]) = TestServer::with_users(["alice"]).await;
    let ids = create_sequentially(&server, &alice, "old", 20).await;
    for id in &ids[..8] {
        read(&server, &alice, id).await;
    }
    let before = ids_of(&server.list(&alice, "limit=200").await);
    let mut seen = Vec::new();
    let mut page = server.list(&alice, "limit=3").await;
    let mut round = 0;
    loop {
        seen.extend(ids_of(&page));
        let Some(cursor) = page["nextCursor"].as_str().map(str::to_string) else {
            break;
        };
        // New notifications land at the head of the order, before the cursor.
        server.notify_title(&alice, &format!("new{round}")).await;
        round += 1;
        assert!(round < 20, "paging did not end");
        page = server
            .list(&alice, &format!("limit=3&cursor={}", encode(&cursor)))
            .await;
    }
    assert_eq!(
        seen, before,
        "pages = the order as it was when paging began"
    );
    assert_eq!(server.list(&alice, "").await["unreadCount"], 12 + round);
}

#[tokio::test]
async fn unread_filter_lists_only_unread_and_pages() {
    let (server, [alice]) = TestServer::with_users(["alice"]).await;
    let ids = create_sequentially(&server, &alice, "n", 9).await;
    for i in [1, 2, 6] {
        read(&server, &alice, &ids[i]).await;
    }
    let expected: Vec<String> = [8, 7, 5, 4, 3, 0].iter().map(|&i| ids[i].clone()).collect();
    let page = server.list(&alice, "unread=true").await;
    assert_eq!(ids_of(&page), expected);
    assert_eq!(page["unreadCount"], 6);
    assert!(
        page["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["readAt"].is_null())
    );
    assert_eq!(
        server.list_all_ids(&alice, "unread=true&limit=4", 5).await,
        expected
    );
    let all = server.list(&alice, "unread=false").await;
    assert_eq!(ids_of(&all).len(), 9, "unread=false does not filter");
}

#[tokio::test]
async fn type_and_category_filters_select_and_unread_count_stays_global() {
    let (server, [alice]) = TestServer::with_users(["alice"]).await;
    let mut errors = Vec::new();
    let mut deploys = Vec::new();
    let mut deploy_errors = Vec::new();
    for i in 0..12 {
        let kind = if i % 3 == 0 { "ERROR" } else { "INFO" };
        let category = if i % 2 == 0 { "deploy" } else { "ci" };
        let n = server
            .notify(
                &alice,
                &json!({"title": format!("n{i}"), "type": kind, "category": category}),
            )
            .await;
        let id = id_of(&n);
        if kind == "ERROR" {
            errors.insert(0, id.clone());
        }
        if category == "deploy" {
            deploys.insert(0, id.clone());
        }
        if kind == "ERROR" && category == "deploy" {
            deploy_errors.insert(0, id);
        }
    }
    server.notify_title(&alice, "uncategorised").await;
    let by_type = server.list(&alice, "type=ERROR").await;
    assert_eq!(ids_of(&by_type), errors);
    assert_eq!(by_type["unreadCount"], 13, "unreadCount counts all unread");
    let by_category = server.list(&alice, "category=deploy").await;
    assert_eq!(ids_of(&by_category), deploys);
    assert_eq!(by_category["unreadCount"], 13);
    assert_eq!(
        server
            .list_all_ids(&alice, "category=deploy&limit=2", 10)
            .await,
        deploys
    );
    let both = server.list(&alice, "type=ERROR&category=deploy").await;
    assert_eq!(ids_of(&both), deploy_errors);
    assert_eq!(
        ids_of(&server.list(&alice, "category=nothing").await),
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn unread_count_counts_all_unread_not_just_the_page() {
    let (server, [alice]) = TestServer::with_users(["alice"]).await;
    let ids = create_sequentially(&server, &alice, "n", 7).await;
    read(&server, &alice, &ids[3]).await;
    let page = server.list(&alice, "limit=2").await;
    assert_eq!(ids_of(&page).len(), 2);
    assert_eq!(page["unreadCount"], 6);
}

#[tokio::test]
async fn read_sets_read_at_once_and_unread_clears_it_idempotently() {
    let (server, [alice]) = TestServer::with_users(["alice"]).await;
    let created = server.notify_title(&alice, "n").await;
    let id = id_of(&created);
    let first = read(&server, &alice, &id).await;
    assert_eq!(first["id"], created["id"]);
    assert_eq!(first["title"], "n");
    assert_timestamp(&first["readAt"]);
    let again = read(&server, &alice, &id).await;
    assert_eq!(again["readAt"], first["readAt"], "the first readAt is kept");
    assert_eq!(server.list(&alice, "").await["unreadCount"], 0);
    let cleared = unread(&server, &alice, &id).await;
    assert_eq!(cleared["readAt"], json!(null));
    let still = unread(&server, &alice, &id).await;
    assert_eq!(still["readAt"], json!(null));
    assert_eq!(still["createdAt"], created["createdAt"]);
    assert_eq!(server.list(&alice, "").await["unreadCount"], 1);
}

#[tokio::test]
async fn read_unread_and_delete_of_unknown_id_are_404() {
    let (server, [alice]) = TestServer::with_users(["alice"]).await;
    server.notify_title(&alice, "n").await;
    for id in ["nope", "tz4a98xxat96iws9zmbrgj3a", "0"] {
        for action in ["read", "unread"] {
            server
                .post_empty(&format!("/api/notifications/{id}/{action}"), &alice)
                .await
                .expect_error(404, "not_found");
        }
        server
            .delete(&format!("/api/notifications/{id}"), &alice)
            .await
            .expect_error(404, "not_found");
    }
}

#[tokio::test]
async fn read_all_marks_every_unread_and_reports_counts() {
    let (server, [alice, bob]) = TestServer::with_users(["alice", "bob"]).await;
    let ids = create_sequentially(&server, &alice, "n", 9).await;
    server.notify_title(&bob, "bob's").await;
    read(&server, &alice, &ids[2]).await;
    read(&server, &alice, &ids[5]).await;
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
    let (server, [alice]) = TestServer::with_users(["alice"]).await;
    let ids = create_sequentially(&server, &alice, "n", 3).await;
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
    let (server, [alice, bob]) = TestServer::with_users(["alice", "bob"]).await;
    let bobs = id_of(&server.notify_title(&bob, "bob's secret").await);
    server.notify_title(&alice, "alice's").await;
    for action in ["read", "unread"] {
        server
            .post_empty(&format!("/api/notifications/{bobs}/{action}"), &alice)
            .await
            .expect_error(404, "not_found");
    }
    server
        .delete(&format!("/api/notifications/{bobs}"), &alice)
        .await
        .expect_error(404, "not_found");
    let alices = server.list(&alice, "limit=200").await;
    assert!(!ids_of(&alices).contains(&bobs));
    assert_eq!(alices["unreadCount"], 1);
    let bobs_page = server.list(&bob, "").await;
    assert_eq!(ids_of(&bobs_page), vec![bobs]);
    assert_eq!(bobs_page["notifications"][0]["readAt"], json!(null));
    assert_eq!(bobs_page["unreadCount"], 1);
}
