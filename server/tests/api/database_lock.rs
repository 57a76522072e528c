//! What the server does while another process holds SQLite's write lock (an admin command,
//! a backup tool): writes beyond the bounded queue are refused at once with `503` and
//! `Retry-After` (issue 11, point 6), and shutdown still ends (point 7).

use std::time::Duration;

use futures_util::future::join_all;
use serde_json::json;

use crate::support::{FLAGS, TestServer};

/// Takes SQLite's write lock on the server's database from another connection; it is held
/// until the connection is dropped or rolled back.
fn hold_write_lock(server: &TestServer) -> rusqlite::Connection {
    let lock = rusqlite::Connection::open(server.db()).unwrap();
    lock.execute_batch("BEGIN IMMEDIATE").unwrap();
    lock
}

#[tokio::test]
async fn issue11_point6_a_full_write_queue_is_503_with_retry_after() {
    let server = TestServer::start_sqlite(&["--write-queue", "1", "--request-timeout", "2s"]);
    let alice = server.add_user("alice");
    server.list(&alice, "").await;
    let lock = hold_write_lock(&server);
    let started = std::time::Instant::now();
    // Read-all, not notify: a notify is never cut short by the request time limit, so the
    // writes stuck behind the lock would answer only after the writer's busy timeout.
    let replies = join_all((0..12).map(|_| {
        let (server, alice) = (&server, &alice);
        async move {
            let reply = server
                .post_empty("/api/notifications/read-all", alice)
                .await;
            (reply, started.elapsed())
        }
    }))
    .await;
    let busy: Vec<_> = replies
        .iter()
        .filter(|(reply, _)| reply.header("retry-after") == Some("1"))
        .collect();
    assert!(
        busy.len() >= 9,
        "one write waits in the queue, at most two in the writer's stuck batch: {:?}",
        replies.iter().map(|(r, _)| r.status).collect::<Vec<_>>()
    );
    for (reply, after) in busy {
        assert_eq!(reply.status, 503);
        assert_eq!(reply.json()["error"]["code"], "unavailable");
        assert!(
            *after < Duration::from_secs(4),
            "refused at once, not after {after:?}"
        );
    }
    drop(lock);
    // Once the lock is gone the queue drains, and a retry gets through.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let reply = server
            .notify_raw(&alice, &json!({ "title": "after" }))
            .await;
        if reply.status == 201 {
            break;
        }
        assert_eq!(reply.status, 503, "{}", reply.body);
        assert!(
            std::time::Instant::now() < deadline,
            "still refused: {}",
            reply.body
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn issue11_point7_shutdown_ends_while_another_process_holds_the_write_lock() {
    let mut server = TestServer::start_sqlite(FLAGS);
    let alice = server.add_user("alice");
    server.notify_title(&alice, "before").await;
    let lock = hold_write_lock(&server);
    // The writer's last batch (holding the stop) cannot begin its transaction: the stop
    // must still be honoured, within the harness's bound on exiting after SIGTERM.
    server.terminate().await;
    drop(lock);
}
