//! `GET /api/notifications/stream` (API.md "Server-Sent Events"): headers and first bytes,
//! `unread` on connect, `notification` with its sequence as `id:`, `read`/`deleted` sync
//! events, pings, and cookie auth.

use std::collections::HashSet;
use std::time::Duration;

use reqwest::Method;
use reqwest::header::COOKIE;
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::support::http::{assert_timestamp, id_of};
use crate::support::{FLAGS, TestServer};

#[tokio::test]
async fn stream_sends_sse_headers_then_retry_3000_then_unread() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    server.notify_title(&alice, "one").await;
    server.notify_title(&alice, "two").await;
    let mut stream = server.stream(&alice).await;
    let header = |name: &str| {
        stream
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    assert!(header("content-type").starts_with("text/event-stream"));
    assert!(
        header("cache-control").contains("no-cache"),
        "{:?}",
        header("cache-control")
    );
    assert_eq!(header("x-accel-buffering"), "no");
    assert!(header("content-encoding").is_empty(), "never compressed");
    stream.expect_retry_first().await;
    let unread = stream.expect("unread").await;
    assert_eq!(unread.json(), json!({"unreadCount": 2}));
    let id = unread.id.as_deref().unwrap_or_default().parse::<u64>();
    assert!(
        id.is_ok_and(|id| id > 0),
        "`unread` carries the highest sequence so far: {:?}",
        unread.id
    );
}

#[tokio::test]
async fn stream_delivers_own_notifications_with_increasing_sequence_ids() {
    let (server, [alice, bob]) = TestServer::with_users(FLAGS, ["alice", "bob"]);
    let (mut stream, unread) = server.subscribed_stream(&alice).await;
    assert_eq!(unread, 0);
    let mut last = 0;
    for i in 0..3 {
        server.notify_title(&bob, "bob's").await;
        let sent = server
            .notify(
                &alice,
                &json!({"title": format!("n{i}"), "type": "WARNING", "category": "ci"}),
            )
            .await;
        let (seq, streamed) = stream.expect_notification().await;
        assert_eq!(streamed, sent, "the event's data is the notification");
        assert!(seq > last, "sequence ids grow: {seq} after {last}");
        last = seq;
    }
}

#[tokio::test]
async fn every_open_stream_of_a_user_receives_the_notification() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let (mut first, _) = server.subscribed_stream(&alice).await;
    let (mut second, _) = server.subscribed_stream(&alice).await;
    let sent = server.notify_title(&alice, "both").await;
    let (seq1, n1) = first.expect_notification().await;
    let (seq2, n2) = second.expect_notification().await;
    assert_eq!((seq1, &n1), (seq2, &sent));
    assert_eq!(n2, sent);
}

#[tokio::test]
async fn stream_sends_read_events_for_read_unread_and_read_all() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let a = id_of(&server.notify_title(&alice, "a").await);
    let b = id_of(&server.notify_title(&alice, "b").await);
    let (mut stream, unread) = server.subscribed_stream(&alice).await;
    assert_eq!(unread, 2);

    server.mark(&alice, &a, "read").await;
    let read = stream.expect("read").await;
    assert_eq!(read.json(), json!({"ids": [a], "unreadCount": 1}));

    server.mark(&alice, &a, "unread").await;
    let unread = stream.expect("read").await;
    assert_eq!(unread.json(), json!({"ids": [a], "unreadCount": 2}));

    server
        .post_empty("/api/notifications/read-all", &alice)
        .await
        .expect(200);
    let all = stream.expect("read").await;
    let ids: HashSet<String> = all.json()["ids"]
        .as_array()
        .unwrap_or_else(|| panic!("`read` has ids: {all:?}"))
        .iter()
        .map(id_of_str)
        .collect();
    assert_eq!(ids, HashSet::from([a, b]));
    assert_eq!(all.unread_count(), 0);
}

fn id_of_str(value: &Value) -> String {
    value
        .as_str()
        .unwrap_or_else(|| panic!("an id string: {value}"))
        .to_string()
}

#[tokio::test]
async fn stream_sends_deleted_event() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let a = id_of(&server.notify_title(&alice, "a").await);
    server.notify_title(&alice, "b").await;
    let (mut stream, _) = server.subscribed_stream(&alice).await;
    server
        .delete(&format!("/api/notifications/{a}"), &alice)
        .await
        .expect(204);
    let deleted = stream.expect("deleted").await;
    assert_eq!(deleted.json(), json!({"id": a, "unreadCount": 1}));
}

#[tokio::test]
async fn other_users_actions_send_nothing_to_my_stream() {
    let (server, [alice, bob]) = TestServer::with_users(FLAGS, ["alice", "bob"]);
    let bobs = id_of(&server.notify_title(&bob, "bob's").await);
    let (mut stream, _) = server.subscribed_stream(&alice).await;
    server.notify_title(&bob, "more").await;
    server.mark(&bob, &bobs, "read").await;
    server
        .delete(&format!("/api/notifications/{bobs}"), &bob)
        .await
        .expect(204);
    let mine = server.notify_title(&alice, "mine").await;
    let (_, next) = stream.expect_notification().await;
    assert_eq!(next, mine, "nothing of bob's came first");
}

#[tokio::test]
async fn stream_pings_at_the_configured_interval() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let (mut stream, _) = server.subscribed_stream(&alice).await;
    let started = Instant::now();
    let mut pings = 0;
    while pings < 3 {
        let frame = stream.next_frame(Duration::from_secs(2)).await;
        if frame.kind() == Some("ping") {
            let data = frame.json();
            assert_timestamp(&data["time"]);
            assert_eq!(frame.id, None, "pings carry no id");
            pings += 1;
        }
    }
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(3),
        "3 pings at a 200ms interval took {took:?}"
    );
}

#[tokio::test]
async fn stream_accepts_the_notif_token_cookie() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let mut stream = server
        .open_stream(
            server
                .req(Method::GET, "/api/notifications/stream")
                .header(COOKIE, format!("notif_token={alice}")),
        )
        .await;
    stream.expect_retry_first().await;
    stream.expect("unread").await;
    let sent = server.notify_title(&alice, "via cookie").await;
    assert_eq!(stream.expect_notification().await.1, sent);
}
