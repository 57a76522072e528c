//! Resuming a stream (API.md "Resuming"): with `Last-Event-ID` or `?lastEventId=`, every
//! missed notification that still exists comes first, in order, then `unread`, then the live
//! ones, with no gap and no duplicate, also while notifications keep arriving.

use std::time::Duration;

use serde_json::json;
use tokio::time::Instant;

use crate::support::http::id_of;
use crate::support::{FLAGS, TestServer};

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
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
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
        server.resume_stream(&alice, seen[1], true).await
    } else {
        server.resume_stream(&alice, seen[1], false).await
    };
    stream.expect_retry_first().await;
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
    assert_eq!(unread.unread_count(), 6);
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
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let seen = see_three_then_disconnect(&server, &alice).await;
    let mut stream = server.resume_stream(&alice, seen[2], false).await;
    assert_eq!(stream.next_event().await.unread_count(), 3);
    let live = server.notify_title(&alice, "live").await;
    assert_eq!(stream.expect_notification().await.1, live);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_while_notifications_keep_arriving_has_no_gap_or_duplicate() {
    const TOTAL: usize = 60;
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let seen = see_three_then_disconnect(&server, &alice).await;
    let (acked_tx, mut acked_rx) = tokio::sync::mpsc::unbounded_channel();
    let notifier = server.notifier(&alice);
    let sender = tokio::spawn(async move {
        for i in 0..TOTAL {
            let id = notifier.notify(&json!({"title": format!("race{i}")})).await;
            acked_tx.send(id).unwrap();
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
    let mut stream = server.resume_stream(&alice, seen[2], false).await;
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
