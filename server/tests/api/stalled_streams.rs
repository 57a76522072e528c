//! Issue 11, point 2: streams whose clients never read keep no places. A stream that lags
//! is closed by the server at once and stops counting; one whose client stopped reading is
//! closed after a ping interval (and 5 s at least) even with room left in its buffer;
//! shutdown does not wait the whole drain for them.
//!
//! A stalled client is a raw TCP connection with a small receive buffer that sends its
//! request and never reads. The full scenario (100 stalled streams per user for 150
//! users) was run by hand; its figures are in README's limits section.

use std::time::Duration;

use serde_json::json;
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::support::TestServer;

/// Sends `count` notifications of 10 KB to each of `tokens`' users, 8 at a time.
async fn flood(server: &TestServer, tokens: &[&str], count: usize) {
    const WORKERS: usize = 8;
    let body = "x".repeat(10_000);
    let sends: Vec<(usize, String)> = (0..count)
        .flat_map(|i| tokens.iter().map(move |t| (i, t.to_string())))
        .collect();
    let sends = std::sync::Arc::new(sends);
    let mut workers = JoinSet::new();
    for worker in 0..WORKERS {
        let client = server.client().clone();
        let url = format!("{}/api/internal/notify", server.url());
        let body = body.clone();
        let sends = std::sync::Arc::clone(&sends);
        workers.spawn(async move {
            for (i, token) in sends.iter().skip(worker).step_by(WORKERS) {
                let sent = client
                    .post(&url)
                    .bearer_auth(token)
                    .json(&json!({"title": format!("flood {i}"), "body": body}))
                    .send();
                let answer = tokio::time::timeout(Duration::from_secs(10), sent)
                    .await
                    .expect("a notify was held up by the stalled streams")
                    .unwrap();
                assert_eq!(answer.status(), 201);
            }
        });
    }
    while let Some(done) = workers.join_next().await {
        done.unwrap();
    }
}

async fn stream_status(server: &TestServer, token: &str) -> u16 {
    server
        .client()
        .get(format!("{}/api/notifications/stream", server.url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Fills the server with `per_user` stalled streams for each of `users` users (exactly
/// `--max-streams`), sends events until every one lagged, and checks that each was closed
/// and stopped counting and that a new user's stream opens.
async fn stalled_streams_free_their_places(users: usize, per_user: usize, extra: &[&str]) {
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let total = (users * per_user).to_string();
    let per_user_flag = per_user.to_string();
    let mut args = vec![
        "--max-streams",
        &total,
        "--max-streams-per-user",
        &per_user_flag,
        "--ping-interval",
        "60s",
    ];
    args.extend_from_slice(extra);
    let server = TestServer::start(&args);
    let mut tokens = Vec::new();
    for user in 0..users {
        tokens.push(server.add_user(&format!("user{user}")));
    }
    let newcomer = server.add_user("newcomer");
    let started = Instant::now();
    let mut stalled = Vec::new();
    for token in &tokens {
        for _ in 0..per_user {
            stalled.push(server.stalled_stream(token).await);
        }
    }
    let want = (users * per_user) as i64;
    server
        .await_metric("notif_streams_open", want, Duration::from_secs(60))
        .await;
    let opened = started.elapsed();
    assert_eq!(
        stream_status(&server, &newcomer).await,
        503,
        "the server is full"
    );

    // Events until every stalled stream lagged: each is closed by the server at once, and
    // stops counting then, while its client still reads nothing.
    let started = Instant::now();
    let tokens: Vec<&str> = tokens.iter().map(String::as_str).collect();
    let mut sent = 0;
    while server.metric("notif_streams_open").await > 0 {
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "notif_streams_open stayed at {} after {sent} events per user (lagged: {})",
            server.metric("notif_streams_open").await,
            server.metric("notif_streams_lagged_total").await
        );
        flood(&server, &tokens, 40).await;
        sent += 40;
    }
    // Each closed for a full buffer, or, if the events came slower than a ping interval,
    // for reading nothing during one.
    let lagged = server.metric("notif_streams_lagged_total").await;
    let stalled_closed = server.metric("notif_streams_stalled_total").await;
    assert_eq!(lagged + stalled_closed, want);
    assert_eq!(stream_status(&server, &newcomer).await, 200);
    println!(
        "{users} users x {per_user} stalled streams: opened in {opened:?}; all closed by the \
         server after {sent} notifications of 10 KB per user ({:?}; {lagged} with a full \
         buffer, {stalled_closed} for reading nothing); a new user's stream opens",
        started.elapsed()
    );
    drop(stalled);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_streams_free_their_places_for_a_new_users_stream() {
    stalled_streams_free_their_places(2, 4, &["--stream-buffer", "4"]).await;
}

/// The scenario, run by hand (README, limits):
/// `cargo test -p notif-server --test api -- --ignored --nocapture stalled_streams_long_run`
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "long: 15,000 streams; run by hand"]
async fn stalled_streams_long_run() {
    stalled_streams_free_their_places(150, 100, &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_whose_client_stopped_reading_is_closed_by_the_server() {
    let server = TestServer::start(&[
        "--stream-buffer",
        "100000",
        "--stream-buffer-bytes",
        "1000000000",
        "--ping-interval",
        "500ms",
    ]);
    let alice = server.add_user("alice");
    let stalled = server.stalled_stream(&alice).await;
    server
        .await_metric("notif_streams_open", 1, Duration::from_secs(10))
        .await;
    // More than the sockets hold, far less than the stream's buffer.
    flood(&server, &[&alice], 600).await;
    // Stalled for 5 s at least, then closed at the stream's next visit (500 ms apart).
    server
        .await_metric("notif_streams_open", 0, Duration::from_secs(10))
        .await;
    assert_eq!(server.metric("notif_streams_stalled_total").await, 1);
    assert_eq!(server.metric("notif_streams_lagged_total").await, 0);
    drop(stalled);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_does_not_wait_the_drain_for_stalled_streams() {
    let mut server = TestServer::start(&[
        "--stream-buffer",
        "100000",
        "--stream-buffer-bytes",
        "1000000000",
        "--ping-interval",
        "60s",
    ]);
    let alice = server.add_user("alice");
    let mut stalled = Vec::new();
    for _ in 0..3 {
        stalled.push(server.stalled_stream(&alice).await);
    }
    server
        .await_metric("notif_streams_open", 3, Duration::from_secs(10))
        .await;
    flood(&server, &[&alice], 600).await;
    let started = Instant::now();
    let status = server.terminate().await;
    let took = started.elapsed();
    assert!(status.success(), "{status}");
    // The drain lasts 10 s; a stream still open after 1 s is closed.
    assert!(
        took < Duration::from_secs(5),
        "shutdown took {took:?} with stalled streams"
    );
    drop(stalled);
}
