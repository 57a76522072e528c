//! Issue 15: a stream is written outside hyper once its response is decided. On the raw
//! wire its head is what hyper sent (plus `connection: close`) and its body is chunked; an
//! answer hyper wrote before it on the same connection arrives whole; a client that closes
//! its end frees its place at once, without waiting for a ping; shutdown ends the stream
//! with the last chunk and closes the connection.

use std::time::Duration;

use notif_tests::chunked::Chunked;
use notif_tests::probe::read_until_closed;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{FLAGS, TestServer};

const LIMIT: Duration = Duration::from_secs(10);

/// Asks for `token`'s stream on a raw connection, after sending `before` on it.
async fn raw_stream_after(server: &TestServer, token: &str, before: &str) -> TcpStream {
    let mut tcp = TcpStream::connect(server.addr()).await.unwrap();
    let request = format!(
        "{before}GET /api/notifications/stream HTTP/1.1\r\nHost: {}\r\nAuthorization: \
         Bearer {token}\r\n\r\n",
        server.addr()
    );
    tcp.write_all(request.as_bytes()).await.unwrap();
    tcp
}

/// Asks for `token`'s stream on a raw connection.
async fn raw_stream(server: &TestServer, token: &str) -> TcpStream {
    raw_stream_after(server, token, "").await
}

/// Reads the response's head; returns it (without the blank line) and the bytes after it.
async fn read_head(tcp: &mut TcpStream) -> (String, Vec<u8>) {
    let mut received = Vec::new();
    let read = async {
        loop {
            if let Some(end) = received.windows(4).position(|w| w == b"\r\n\r\n") {
                let rest = received.split_off(end + 4);
                received.truncate(end);
                return (String::from_utf8(received).unwrap(), rest);
            }
            let mut buf = [0u8; 1024];
            let n = tcp.read(&mut buf).await.unwrap();
            assert!(n > 0, "closed before the head's end");
            received.extend_from_slice(&buf[..n]);
        }
    };
    tokio::time::timeout(LIMIT, read).await.unwrap()
}

#[tokio::test]
async fn a_stream_s_head_on_the_raw_wire_is_hyper_s_with_connection_close() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let mut tcp = raw_stream(&server, &alice).await;
    let (head, mut rest) = read_head(&mut tcp).await;
    let mut lines = head.split("\r\n");
    assert_eq!(lines.next(), Some("HTTP/1.1 200 OK"), "{head}");
    let headers: Vec<&str> = lines.collect();
    for line in [
        "content-type: text/event-stream",
        "cache-control: no-cache",
        "x-accel-buffering: no",
        "x-content-type-options: nosniff",
        "referrer-policy: no-referrer",
        "connection: close",
        "transfer-encoding: chunked",
    ] {
        assert!(headers.contains(&line), "no {line:?} in {head}");
    }
    assert!(
        headers.iter().any(|line| line.starts_with("date: ")),
        "{head}"
    );
    assert!(
        !headers
            .iter()
            .any(|line| line.starts_with("content-length")),
        "{head}"
    );
    // The body: chunks, the first of them the retry line.
    let first = b"D\r\nretry: 3000\n\n\r\n";
    while rest.len() < first.len() {
        let mut buf = [0u8; 1024];
        let n = tokio::time::timeout(LIMIT, tcp.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert!(n > 0, "closed after the head");
        rest.extend_from_slice(&buf[..n]);
    }
    assert_eq!(&rest[..first.len()], first);
}

#[tokio::test]
async fn an_answer_pipelined_before_the_stream_reaches_the_client_whole_first() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let healthz = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    let mut tcp = raw_stream_after(&server, &alice, healthz).await;
    let (head, rest) = read_head(&mut tcp).await;
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(head.contains("\r\ncontent-length: 2"), "{head}");
    let mut after = rest;
    while !after.windows(4).any(|w| w == b"\r\n\r\n") {
        let mut buf = [0u8; 1024];
        let n = tokio::time::timeout(LIMIT, tcp.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert!(n > 0, "closed after the first answer");
        after.extend_from_slice(&buf[..n]);
    }
    let after = String::from_utf8_lossy(&after);
    assert!(
        after.starts_with("okHTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"),
        "{after}"
    );
}

#[tokio::test]
async fn a_client_that_closes_its_end_frees_its_place_without_waiting_for_a_ping() {
    let server = TestServer::start(&["--ping-interval", "1h", "--max-streams-per-user", "1"]);
    let alice = server.add_user("alice");
    let mut tcp = raw_stream(&server, &alice).await;
    read_head(&mut tcp).await;
    server.await_metric("notif_streams_open", 1, LIMIT).await;
    let refused = server.stream_response(&alice).await;
    assert_eq!(refused.status(), 429, "the user's one place is taken");
    drop(tcp);
    server.await_metric("notif_streams_open", 0, LIMIT).await;
    let reopened = server.stream_response(&alice).await;
    assert_eq!(reopened.status(), 200);
}

#[tokio::test]
async fn shutdown_ends_a_taken_over_stream_with_its_last_chunk_then_closes() {
    let (mut server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let mut tcp = raw_stream(&server, &alice).await;
    let (_, rest) = read_head(&mut tcp).await;
    server.await_metric("notif_streams_open", 1, LIMIT).await;
    let status = server.terminate().await;
    assert_eq!(status.code(), Some(0), "{status}");
    let mut body = rest;
    body.extend(read_until_closed(&mut tcp, LIMIT).await);
    let mut chunked = Chunked::default();
    let mut payload = Vec::new();
    chunked.feed(&body, &mut payload).unwrap();
    assert!(chunked.is_done(), "no last chunk in {body:?}");
    let payload = String::from_utf8(payload).unwrap();
    assert!(payload.starts_with("retry: 3000\n\n"), "{payload}");
    assert!(payload.contains("event: unread\n"), "{payload}");
}
