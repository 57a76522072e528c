//! Issue 11, point 1: connections that never send a request are closed, and the number of
//! open connections is capped (`--max-connections`) without locking real clients out.
//!
//! Bounded versions of the checks: 200 silent sockets and 5 that send only the
//! HTTP/2 preface (the long run, 1,000 + 20, is in README's limits section).

use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::task::JoinSet;
use tokio::time::{Instant, timeout_at};

use crate::support::TestServer;

/// What a client that believes the server speaks HTTP/2 without TLS sends first.
const HTTP2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Reads until the server closes the connection (whatever it says first); `false` if it is
/// still open at `deadline`.
async fn closed_by(mut tcp: TcpStream, deadline: Instant) -> bool {
    let mut buf = [0u8; 1024];
    loop {
        match timeout_at(deadline, tcp.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => {}
        }
    }
}

/// `GET /healthz` on a connection of its own; its status, or a panic after `within`.
async fn healthz_on_a_new_connection(server: &TestServer, within: Duration) -> u16 {
    let client = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let answer = tokio::time::timeout(
        within,
        client.get(format!("{}/healthz", server.url())).send(),
    )
    .await
    .expect("/healthz answered in time")
    .expect("/healthz answered");
    answer.status().as_u16()
}

/// Opens `silent` connections that send nothing and `preface` that send only the HTTP/2
/// preface, and checks that every one is closed within 3 s past `--header-timeout`.
async fn silent_connections_are_closed(silent: usize, preface: usize, header_timeout: Duration) {
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let timeout_flag = format!("{}ms", header_timeout.as_millis());
    let server = TestServer::start(&["--header-timeout", &timeout_flag]);
    let started = Instant::now();
    let mut sockets = Vec::new();
    for _ in 0..silent {
        sockets.push(TcpStream::connect(server.addr()).await.unwrap());
    }
    for _ in 0..preface {
        let mut tcp = TcpStream::connect(server.addr()).await.unwrap();
        tcp.write_all(HTTP2_PREFACE).await.unwrap();
        sockets.push(tcp);
    }
    let opened = started.elapsed();
    // Each was accepted by now or is about to be; the last one connected last.
    let deadline = Instant::now() + header_timeout + Duration::from_secs(3);
    let mut waits = JoinSet::new();
    for tcp in sockets {
        waits.spawn(closed_by(tcp, deadline));
    }
    let mut still_open = 0;
    while let Some(closed) = waits.join_next().await {
        still_open += usize::from(!closed.unwrap());
    }
    let all_closed = started.elapsed();
    assert_eq!(
        still_open,
        0,
        "of {} connections that sent no request, {still_open} were still open 3 s past \
         --header-timeout {header_timeout:?}",
        silent + preface
    );
    println!(
        "{silent} silent + {preface} HTTP/2-preface-only connections: opened in {opened:?}, \
         all closed {all_closed:?} after the first opened (--header-timeout {header_timeout:?})"
    );
    assert_eq!(
        healthz_on_a_new_connection(&server, Duration::from_secs(5)).await,
        200
    );
    // Only the client's own pooled connection stays; the health check's own connection may
    // take a moment to be seen closed.
    server
        .await_metric("notif_connections_open", 1, Duration::from_secs(5))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_connections_are_closed_within_the_header_timeout() {
    silent_connections_are_closed(200, 5, Duration::from_secs(1)).await;
}

/// The figures, run by hand (README, limits):
/// `cargo test -p notif-server --test api -- --ignored --nocapture silent_connections_long_run`
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "long: 1,000 + 20 sockets; run by hand"]
async fn silent_connections_long_run() {
    silent_connections_are_closed(1000, 20, Duration::from_secs(3)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_past_max_connections_are_closed_while_healthz_answers() {
    let server = TestServer::start(&["--max-connections", "20", "--header-timeout", "60s"]);
    let mut sockets = Vec::new();
    for _ in 0..30 {
        sockets.push(TcpStream::connect(server.addr()).await.unwrap());
    }
    // The ten past the cap each made room by closing the oldest silent connection.
    let deadline = Instant::now() + Duration::from_secs(5);
    let rest = sockets.split_off(10);
    for (i, tcp) in sockets.into_iter().enumerate() {
        assert!(
            closed_by(tcp, deadline).await,
            "silent connection {i} was still open with 30 opened and --max-connections 20"
        );
    }
    for _ in 0..5 {
        assert_eq!(
            healthz_on_a_new_connection(&server, Duration::from_secs(5)).await,
            200
        );
    }
    // The ten past the cap, and the first /healthz (each later one found the room the one
    // before it left).
    let evicted = server.metric("notif_connections_evicted_total").await;
    assert!(evicted >= 11, "{evicted} evicted");
    assert!(server.metric("notif_connections_open").await <= 20);
    drop(rest);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_connection_past_max_connections_is_closed_at_once_when_all_are_busy() {
    let server = TestServer::start(&["--max-connections", "3"]);
    let alice = server.add_user("alice");
    let mut streams = Vec::new();
    for _ in 0..3 {
        let stream = server.stream_response(&alice).await;
        assert_eq!(stream.status(), 200);
        streams.push(stream);
    }
    // Every connection is busy with a stream: the new one is closed before any request.
    let refused = TcpStream::connect(server.addr()).await.unwrap();
    assert!(
        closed_by(refused, Instant::now() + Duration::from_secs(5)).await,
        "a connection past --max-connections 3 (all busy) was kept open"
    );
    drop(streams.pop());
    // The closed stream's place is free once the server notices; until then a request may
    // itself be refused.
    let deadline = Instant::now() + Duration::from_secs(10);
    let text = loop {
        let answer = server
            .client()
            .get(format!("{}/metrics", server.url()))
            .send()
            .await;
        if let Ok(answer) = answer {
            break answer.text().await.unwrap();
        }
        assert!(Instant::now() < deadline, "no room after a stream closed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let refused: u64 = text
        .lines()
        .find_map(|l| {
            l.strip_prefix("notif_connections_refused_total ")?
                .parse()
                .ok()
        })
        .unwrap();
    assert!(refused >= 1, "the refused connection is counted:\n{text}");
}
