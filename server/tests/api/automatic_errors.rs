//! Requests whose head hyper refuses before notif sees them (a request line that does not
//! parse, a head over 64 KiB or over 1,024 header lines) are answered like every other
//! error: the contract's body, the security headers, `Connection: close` (issue 16, bug 7).
//! Raw TCP, since an HTTP client will not send such heads.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

use crate::support::{FLAGS, TestServer};

/// One answer read off the wire.
struct Answer {
    status: u16,
    /// Header names lower-cased; a repeated header keeps its last value.
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

impl Answer {
    /// `bytes` split into status, headers and body (everything after the head).
    fn parse(bytes: &[u8]) -> Answer {
        let text = String::from_utf8_lossy(bytes);
        let (head, body) = text
            .split_once("\r\n\r\n")
            .unwrap_or_else(|| panic!("no whole head in {text:?}"));
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap();
        let status = status_line
            .strip_prefix("HTTP/1.1 ")
            .and_then(|rest| rest.get(..3))
            .and_then(|code| code.parse().ok())
            .unwrap_or_else(|| panic!("not a status line: {status_line:?}"));
        let headers = lines
            .map(|line| {
                let (name, value) = line.split_once(':').unwrap();
                (name.to_ascii_lowercase(), value.trim().to_owned())
            })
            .collect();
        Answer {
            status,
            headers,
            body: body.as_bytes().to_vec(),
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    /// Asserts that this is the contract's error answer `status`/`code`, with the security
    /// headers and `Connection: close`; returns its message.
    fn expect_error(&self, status: u16, code: &str) -> String {
        assert_eq!(self.status, status, "{:?}", self.headers);
        for (name, value) in [
            ("content-type", "application/json"),
            ("x-content-type-options", "nosniff"),
            ("referrer-policy", "no-referrer"),
            ("cache-control", "no-store"),
            ("connection", "close"),
        ] {
            assert_eq!(
                self.header(name),
                Some(value),
                "{name} in {:?}",
                self.headers
            );
        }
        let length = self.body.len().to_string();
        assert_eq!(self.header("content-length"), Some(length.as_str()));
        let body: Value = serde_json::from_slice(&self.body).unwrap();
        assert_eq!(body["error"]["code"], code, "{body}");
        body["error"]["message"].as_str().unwrap().to_owned()
    }
}

/// Sends `request` on a new connection and returns everything the server writes until it
/// closes the connection. The server may close before it has read all of a head it
/// refuses, so a failed write is not an error here.
async fn exchange(server: &TestServer, request: &[u8]) -> Vec<u8> {
    let mut tcp = TcpStream::connect(server.addr()).await.unwrap();
    let _ = tcp.write_all(request).await;
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    let read = async {
        loop {
            match tcp.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buf[..n]),
            }
        }
    };
    timeout(Duration::from_secs(10), read)
        .await
        .expect("the server closes the connection in time");
    received
}

/// A `GET /healthz` head with `extra` header lines, asking to close after the answer.
fn healthz_with(extra: &str) -> Vec<u8> {
    format!("GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n{extra}\r\n").into_bytes()
}

#[tokio::test]
async fn a_malformed_request_line_gets_the_error_body_and_headers() {
    let server = TestServer::start(FLAGS);
    let answer = Answer::parse(&exchange(&server, b"NOT HTTP AT ALL\r\n\r\n").await);
    answer.expect_error(400, "bad_request");
    let bad_header = healthz_with("No Colon Here\r\n");
    let answer = Answer::parse(&exchange(&server, &bad_header).await);
    answer.expect_error(400, "bad_request");
}

#[tokio::test]
async fn a_malformed_request_after_a_good_one_on_the_same_connection() {
    let server = TestServer::start(FLAGS);
    let received = exchange(
        &server,
        b"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\nGARBAGE\r\n\r\n",
    )
    .await;
    // The first answer's body is `ok` (its length says 2); the second answer follows it.
    let first = Answer::parse(&received);
    assert_eq!(first.status, 200);
    assert_eq!(first.header("content-length"), Some("2"));
    let (ok, second) = first.body.split_at(2);
    assert_eq!(ok, b"ok");
    Answer::parse(second).expect_error(400, "bad_request");
}

#[tokio::test]
async fn a_head_over_64_kib_gets_431_with_the_error_body() {
    let server = TestServer::start(FLAGS);
    let big = format!("X-Big: {}\r\n", "x".repeat(65 * 1024));
    let answer = Answer::parse(&exchange(&server, &healthz_with(&big)).await);
    let message = answer.expect_error(431, "request_header_fields_too_large");
    assert!(message.contains("65536 bytes"), "{message}");
    // A request target that long is refused the same way (the head limit comes first; the
    // parser's own 414 applies only to targets over 65,534 bytes).
    let long_target = format!("GET /{} HTTP/1.1\r\nHost: a\r\n\r\n", "a".repeat(65 * 1024));
    let answer = Answer::parse(&exchange(&server, long_target.as_bytes()).await);
    answer.expect_error(431, "request_header_fields_too_large");
}

#[tokio::test]
async fn a_request_with_150_headers_is_served() {
    let server = TestServer::start(FLAGS);
    let headers: String = (0..150).map(|i| format!("X-Header-{i}: {i}\r\n")).collect();
    let answer = Answer::parse(&exchange(&server, &healthz_with(&headers)).await);
    assert_eq!(answer.status, 200, "{:?}", answer.headers);
    assert_eq!(answer.body, b"ok");
}

#[tokio::test]
async fn more_than_1024_header_lines_get_431_with_the_error_body() {
    let server = TestServer::start(FLAGS);
    let headers: String = (0..1030).map(|i| format!("X-{i}: v\r\n")).collect();
    let answer = Answer::parse(&exchange(&server, &healthz_with(&headers)).await);
    let message = answer.expect_error(431, "request_header_fields_too_large");
    assert!(message.contains("1024 header lines"), "{message}");
}
