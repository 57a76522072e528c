//! Process lifecycle: acknowledged notifies survive SIGKILL (API.md: "The response is sent
//! only after the notification is durably committed"), and SIGTERM shuts down gracefully,
//! ending open streams and exiting 0.

use std::collections::HashSet;
use std::time::Duration;

use serde_json::json;

use crate::support::{FLAGS, TestServer};

const NOTIFIES: usize = 200;
const TASKS: usize = 8;

/// Sends `NOTIFIES` notifies as `token` from `TASKS` concurrent tasks; returns the acked ids.
async fn notify_concurrently(server: &TestServer, token: &str) -> Vec<String> {
    let mut tasks = tokio::task::JoinSet::new();
    for task in 0..TASKS {
        let notifier = server.notifier(token);
        tasks.spawn(async move {
            let mut acked = Vec::new();
            for i in (task..NOTIFIES).step_by(TASKS) {
                acked.push(
                    notifier
                        .notify(&json!({"title": format!("durable{i}")}))
                        .await,
                );
            }
            acked
        });
    }
    let mut acked = Vec::new();
    while let Some(done) = tasks.join_next().await {
        acked.extend(done.unwrap());
    }
    acked
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_notifies_survive_sigkill_and_restart() {
    let (mut server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let acked = notify_concurrently(&server, &alice).await;
    server.kill();
    server.restart();

    let stored = server.list_all_ids(&alice, "limit=200", 5).await;
    let stored: HashSet<&String> = stored.iter().collect();
    let lost: Vec<&String> = acked.iter().filter(|id| !stored.contains(id)).collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged notifications lost: {lost:?}",
        lost.len()
    );
    assert_eq!(stored.len(), NOTIFIES);

    // Sequence numbers survive too: a full replay is in order, and new ones come after it.
    let mut stream = server
        .open_stream(
            server
                .req(reqwest::Method::GET, "/api/notifications/stream")
                .bearer_auth(&alice)
                .header("last-event-id", "0"),
        )
        .await;
    let mut last = 0;
    for _ in 0..NOTIFIES {
        let (seq, _) = stream.expect_notification().await;
        assert!(seq > last, "replay in sequence order: {seq} after {last}");
        last = seq;
    }
    let unread = stream.expect("unread").await;
    assert_eq!(unread.json()["unreadCount"], NOTIFIES);
    server.notify_title(&alice, "after restart").await;
    let (seq, _) = stream.expect_notification().await;
    assert!(
        seq > last,
        "a new sequence number {seq} is above every old one ({last})"
    );
}

#[tokio::test]
async fn sigterm_ends_open_streams_and_exits_0() {
    let (mut server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let (mut stream, _) = server.subscribed_stream(&alice).await;
    server.notify_title(&alice, "before shutdown").await;
    stream.expect_notification().await;
    let status = server.terminate().await;
    assert_eq!(
        status.code(),
        Some(0),
        "exit status after SIGTERM: {status}"
    );
    stream.expect_end(Duration::from_secs(5)).await;
}

/// The handlers must be in place by the readiness line: a supervisor may stop the server
/// the moment it is ready. A few rounds each, since a late handler is a race.
#[tokio::test]
async fn idle_server_exits_0_on_sigterm_and_on_sigint_right_after_ready() {
    for signal in ["TERM", "INT", "TERM", "INT", "TERM", "INT", "TERM", "INT"] {
        let mut server = TestServer::start(FLAGS);
        let status = server.signal_and_wait(signal).await;
        assert_eq!(
            status.code(),
            Some(0),
            "exit status after SIG{signal}: {status}"
        );
    }
}
