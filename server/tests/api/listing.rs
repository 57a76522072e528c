//! `GET /api/notifications` (API.md "Routes"): unread first then newest first, `limit`,
//! cursor paging without gaps or repeats (also while notifications arrive), the `unread`,
//! `type` and `category` filters, and `unreadCount`.

use serde_json::json;

use crate::support::http::{encode, id_of, ids_of};
use crate::support::{FLAGS, TestServer};

#[tokio::test]
async fn list_orders_unread_first_then_newest_first() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let ids = server.notify_titles(&alice, "n", 6).await;
    server.mark(&alice, &ids[1], "read").await;
    server.mark(&alice, &ids[3], "read").await;
    // Reading an older one later must not move it ahead of newer read ones.
    server.mark(&alice, &ids[0], "read").await;
    let page = server.list(&alice, "").await;
    let expected = [5, 4, 2, 3, 1, 0].map(|i| ids[i].clone());
    assert_eq!(ids_of(&page), expected);
    assert_eq!(page["unreadCount"], 3);
    assert_eq!(page["nextCursor"], json!(null));
}

#[tokio::test]
async fn empty_inbox_lists_nothing() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let page = server.list(&alice, "").await;
    assert_eq!(
        page,
        json!({"notifications": [], "unreadCount": 0, "nextCursor": null})
    );
}

#[tokio::test]
async fn limit_defaults_to_50_and_caps_a_page() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let service = server.service_token();
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
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let ids = server.notify_titles(&alice, "n", 23).await;
    for i in [0, 4, 5, 11, 17, 22] {
        server.mark(&alice, &ids[i], "read").await;
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
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let ids = server.notify_titles(&alice, "old", 20).await;
    for id in &ids[..8] {
        server.mark(&alice, id, "read").await;
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
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let ids = server.notify_titles(&alice, "n", 9).await;
    for i in [1, 2, 6] {
        server.mark(&alice, &ids[i], "read").await;
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
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let mut errors = Vec::new();
    let mut infos = Vec::new();
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
        } else {
            infos.insert(0, id.clone());
        }
        if category == "deploy" {
            deploys.insert(0, id.clone());
        }
        if kind == "ERROR" && category == "deploy" {
            deploy_errors.insert(0, id);
        }
    }
    let uncategorised = server.notify_title(&alice, "uncategorised").await;
    infos.insert(0, id_of(&uncategorised));
    let by_type = server.list(&alice, "type=ERROR").await;
    assert_eq!(ids_of(&by_type), errors);
    // INFO, the default type (not given), pages like the others.
    assert_eq!(
        server.list_all_ids(&alice, "type=INFO&limit=2", 10).await,
        infos
    );
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
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let ids = server.notify_titles(&alice, "n", 7).await;
    server.mark(&alice, &ids[3], "read").await;
    let page = server.list(&alice, "limit=2").await;
    assert_eq!(ids_of(&page).len(), 2);
    assert_eq!(page["unreadCount"], 6);
}
