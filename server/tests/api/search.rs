//! `GET /api/notifications?q=` (API.md "Routes", issue 16 #5): only notifications whose
//! title, body or category contains every word, case-insensitively, in the list's order
//! and paging; `400` for an empty or over-long `q`.

use serde_json::json;

use crate::support::http::{encode, id_of, ids_of};
use crate::support::{FLAGS, TestServer};

#[tokio::test]
async fn issue16_search_matches_every_word_and_pages_like_the_list() {
    let (server, [alice, bob]) = TestServer::with_users(FLAGS, ["alice", "bob"]);
    let disk = id_of(
        &server
            .notify(
                &alice,
                &json!({"title": "Disk FULL on web-1", "body": "clean /var", "category": "ops"}),
            )
            .await,
    );
    let deploy = id_of(
        &server
            .notify(
                &alice,
                &json!({"title": "Deploy finished", "body": "web-2 is on v2"}),
            )
            .await,
    );
    server.notify_title(&alice, "unrelated").await;
    server.notify_title(&bob, "disk full for bob").await;

    let found = |q: &str| {
        let (server, alice) = (&server, &alice);
        let q = format!("q={}", encode(q));
        async move { ids_of(&server.list(alice, &q).await) }
    };
    assert_eq!(found("DISK").await, vec![disk.clone()]);
    assert_eq!(found("ops full").await, vec![disk.clone()]);
    assert_eq!(found("web on").await, [deploy.clone(), disk.clone()]);
    assert!(found("disk zz").await.is_empty());
    assert_eq!(
        server.list_all_ids(&alice, "q=web&limit=1", 5).await,
        [deploy.clone(), disk.clone()]
    );
    server.mark(&alice, &disk, "read").await;
    let unread = server.list(&alice, "q=web&unread=true").await;
    assert_eq!(ids_of(&unread), [deploy]);
    assert_eq!(
        unread["unreadCount"], 2,
        "every unread notification, not the search's"
    );

    for q in [String::new(), "é".repeat(201)] {
        server
            .get(&format!("/api/notifications?q={}", encode(&q)), &alice)
            .await
            .expect_error(400, "bad_request");
    }
    let longest = "é".repeat(200);
    let page = server
        .list(&alice, &format!("q={}", encode(&longest)))
        .await;
    assert!(ids_of(&page).is_empty());
}
