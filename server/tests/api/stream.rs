//! `GET /api/notifications/stream` (API.md "Server-Sent Events"): headers and first bytes,
//! `unread` on connect, `notification` with its sequence as `id:`, `read`/`deleted` sync
//! events, pings, cookie auth, and resuming with `Last-Event-ID` without gap or duplicate.

use std::collections::HashSet;
use std::time::Duration;

use reqwest::Method;
use reqwest::header::COOKIE;
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::support::TestServer;
use crate::support::http::{assert_timestamp, id_of};
use crate::support::sse::{Frame, SseStream};

/// Opens a stream as `token` resuming after `last` through the `Last-Event-ID` header.
async fn resume_with_header(server: &TestServer, token: &str, last: u64) -> SseStream {
    server
        .open_stream(
            server
                .req(Method::GET, "/api/notifications/stream")
                .bearer_auth(token)
                .header("last-event-id", last.to_string()),
        )
        .await
}

/// Opens a stream as `token` resuming after `last` through `?lastEventId=`.
async fn resume_with_query(server: &TestServer, token: &str, last: u64) -> SseStream {
    server
        .open_stream(
            server
                .req(
                    Method::GET,
                    &format!("/api/notifications/stream?lastEventId={last}"),
                )
                .bearer_auth(token),
        )
        .await
}

/// Asserts the first frame of a connection is exactly `retry: 3000`.
async fn expect_retry_first(stream: &mut SseStream) {
    let first = stream.next_frame(Duration::from_secs(5)).await;
    assert_eq!(
        first,
        Frame {
            retry: Some(3000),
            ..Frame::default()
        },
        "the first frame is `retry: 3000` alone"
    );
    assert!(
        stream.first_bytes.starts_with(b"retry:"),
        "the first bytes are the retry field: {:?}",
        String::from_utf8_lossy(&stream.first_bytes)
    );
}

/// The `unreadCount` of an `unread`, `read` or `deleted` event.
#[track_caller]
fn unread_count(frame: &Frame) -> u64 {
    let data = frame.json();
    data["unreadCount"]
        .as_u64()
        .unwrap_or_else(|| panic!("event without unreadCount: {frame:?}"))
}

#[tokio::test]
async fn stream_sends_sse_headers_then_retry_3000_then_unread() {
    let (server, [alice]) = TestServer::with_users(["alice"]).await;
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
    expect_retry_first(&mut stream).await;
    let unread = stream.expect("unread").await;
    assert_eq!(unread.json(), json!({"unreadCount": 2}));
    assert_eq!(unread.id, None, "`unread` carries no id");
}

#[tokio::test]
async fn stream_delivers_own_notifications_with_increasing_sequence_ids() {
    let (server, [alice, bob]) = TestServer::with_users(["alice", "bob"]).await;
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
    let (server, [alice]) = TestServer::with_users(["alice"]).await;
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
    let (server, [alice]) = TestServer::with_users(["alice"]).await;
    let a = id_of(&server.notify_title(&alice, "a").await);
    let b = id_of(&server.notify_title(&alice, "b").await);
    let (mut stream, unread) = server.subscribed_stream(&alice).await;
    assert_eq!(unread, 2);

    server
        .post_empty(&format!("/api/notifications/{a}/read"), &alice)
        .await
        .expect(200);
    let read = stream.expect("read").await;
    assert_eq!(read.json(), json!({"ids": [a], "unreadCount": 1}));

    server
        .post_empty(&format!("/api/notifications/{a}/unread"), &alice)
        .await
        .expect(200);
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
    assert_eq!(unread_count(&all), 0);
}

fn id_of_str(value: &Value) -> String {
    value
        .as_str()
        .unwrap_or_else(|| panic!("an id string: {value}"))
        .to_string()
}

#[tokio::test]
async fn stream_sends_deleted_event() {
    let (server, [alice]) = TestServer::with_users(["alice"]).await;
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
    let (server, [alice, bob]) = TestServer::with_users(["alice", "bob"]).await;
    let bobs = id_of(&server.notify_title(&bob, "bob's").await);
    let (mut stream, _) = server.subscribed_stream(&alice).await;
    server.notify_title(&bob, "more").await;
    server
        .post_empty(&format!("/api/notifications/{bobs}/read"), &bob)
        .await
        .expect(200);
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
    let (server, [alice]) = TestServer::with_users(["alice"]).await;
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
    let (server, [alice]) = TestServer::with_users(["alice"]).await;
    let mut stream = server
        .open_stream(
            server
                .req(Method::GET, "/api/notifications/stream")
                .header(COOKIE, format!("notif_token={alice}")),
        )
        .await;
    expect_retry_first(&mut stream).await;
    stream.expect("unread").await;
    let sent = server.notify_title(&alice, "via cookie").await;
    assert_eq!(stream.expect_notification().await.1, sent);
}

/// Connects, sees three notifications, disconnects; returns their sequence numbers.
async fn see_three_then_disconnect(server: &TestServer, token: &str) -> Vec<u64> {
    let (mut stream, _) = server.subscribed_stream(token).await;
    let mut seqs = Vec::new();
    for i in 0..3 {
        server.notify_title(token, &format!("seen{i}")).await;
        seqs.push(stream.expect_notification().await.0);
    }
    seqs
}

/// Resume scenario shared by the header and query forms: missed notifications come back in
/// order (a deleted one skipped), then `unread`, then live ones, with no duplicate.
async fn assert_resume_replays_then_goes_live(query_form: bool) {
    let (server, [alice]) = TestServer::with_users(["alice"]).await;
    let seen = see_three_then_disconnect(&server, &alice).await;
    let mut missed = Vec::new();
    for i in 0..4 {
        missed.push(server.notify_title(&alice, &format!("missed{i}")).await);
    }
    let gone = id_of(&missed.remove(1));
    server
        .delete(&format!("/api/notifications/{gone}"), &alice)
        .await
        .expect(204);

    // The client saw up to the second one: the third is replayed too.
    let mut stream = if query_form {
        resume_with_query(&server, &alice, seen[1]).await
    } else {
        resume_with_header(&server, &alice, seen[1]).await
    };
    expect_retry_first(&mut stream).await;
    let (seq, third) = stream.expect_notification().await;
    assert_eq!((seq, third["title"].clone()), (seen[2], json!("seen2")));
    let mut last = seq;
    for expected in &missed {
        let (seq, replayed) = stream.expect_notification().await;
        assert_eq!(&replayed, expected, "missed notifications replay in order");
        assert!(seq > last);
        last = seq;
    }
    let unread = stream.expect("unread").await;
    assert_eq!(unread_count(&unread), 6);
    let live = server.notify_title(&alice, "live").await;
    let (seq, streamed) = stream.expect_notification().await;
    assert_eq!(streamed, live, "then live ones, with no duplicate");
    assert!(seq > last);
}

#[tokio::test]
async fn resume_with_last_event_id_header_replays_missed_then_live() {
    assert_resume_replays_then_goes_live(false).await;
}

#[tokio::test]
async fn resume_with_last_event_id_query_replays_missed_then_live() {
    assert_resume_replays_then_goes_live(true).await;
}

#[tokio::test]
async fn resume_from_the_latest_id_replays_nothing() {
    let (server, [alice]) = TestServer::with_users(["alice"]).await;
    let seen = see_three_then_disconnect(&server, &alice).await;
    let mut stream = resume_with_header(&server, &alice, seen[2]).await;
    assert_eq!(unread_count(&stream.next_event().await), 3);
    let live = server.notify_title(&alice, "live").await;
    assert_eq!(stream.expect_notification().await.1, live);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_while_notifications_keep_arriving_has_no_gap_or_duplicate() {
    const TOTAL: usize = 60;
    let (server, [alice]) = TestServer::with_users(["alice"]).await;
    let seen = see_three_then_disconnect(&server, &alice).await;
    let (acked_tx, mut acked_rx) = tokio::sync::mpsc::unbounded_channel();
    let client = server.client().clone();
    let url = format!("{}/api/internal/notify", server.url());
    let token = alice.clone();
    let sender = tokio::spawn(async move {
        for i in 0..TOTAL {
            let response = client
                .post(&url)
                .bearer_auth(&token)
                .json(&json!({"title": format!("race{i}")}))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 201);
            let body: Value = response.json().await.unwrap();
            acked_tx.send(id_of(&body["notification"])).unwrap();
        }
    });
    // Reconnect while notifications are being committed.
    let mut acked = Vec::new();
    while acked.len() < 10 {
        acked.push(
            acked_rx
                .recv()
                .await
                .expect("the sender acks notifications"),
        );
    }
    let mut stream = resume_with_header(&server, &alice, seen[2]).await;
    let mut received = Vec::new();
    let mut last = seen[2];
    let mut unread_events = 0;
    let deadline = Instant::now() + Duration::from_secs(15);
    while received.len() < TOTAL {
        assert!(
            Instant::now() < deadline,
            "received {} of {TOTAL} notifications",
            received.len()
        );
        let frame = stream.next_event().await;
        match frame.kind() {
            Some("notification") => {
                let seq = frame.seq();
                assert!(
                    seq > last,
                    "seq {seq} after {last}: a duplicate or out of order"
                );
                last = seq;
                received.push(id_of(&frame.json()));
            }
            Some("unread") => unread_events += 1,
            other => panic!("unexpected event {other:?}: {frame:?}"),
        }
    }
    if unread_events == 0 {
        // Everything was replayed: `unread` follows the replay.
        stream.expect("unread").await;
        unread_events += 1;
    }
    sender.await.unwrap();
    while let Some(id) = acked_rx.recv().await {
        acked.push(id);
    }
    assert_eq!(
        received, acked,
        "every acknowledged notification exactly once, in order"
    );
    assert_eq!(unread_events, 1, "one `unread` per connection");
}
