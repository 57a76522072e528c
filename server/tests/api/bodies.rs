//! Request bodies (API.md "Conventions"): `Content-Type: application/json` or 415, at most
//! 64 KiB or 413, malformed JSON or UTF-8 is 400, and a rejected body never leaves a
//! keep-alive connection silently unusable.

use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, RequestBuilder};
use serde_json::json;

use crate::support::{FLAGS, TestServer};

/// The routes that take a JSON body.
const BODY_ROUTES: [(Method, &str); 2] = [
    (Method::POST, NOTIFY),
    (Method::PUT, "/api/notifications/preferences"),
];

/// Bodies that are not one JSON value.
const MALFORMED_JSON: [&str; 5] = [
    "{",
    "{\"title\": }",
    "not json",
    "",
    "{\"title\": \"a\"} trailing",
];

/// The route most of these requests go to.
const NOTIFY: &str = "/api/internal/notify";
/// The content type the API takes.
const JSON: Option<&str> = Some("application/json");

/// `request` as `token` with `body`, sent as `content_type` (`None`: no such header).
fn with_body(
    request: RequestBuilder,
    token: &str,
    content_type: Option<&str>,
    body: impl Into<reqwest::Body>,
) -> RequestBuilder {
    let request = request.bearer_auth(token).body(body);
    match content_type {
        Some(content_type) => request.header(CONTENT_TYPE, content_type),
        None => request,
    }
}

#[tokio::test]
async fn body_without_json_content_type_is_415() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let body = json!({"title": "hi"}).to_string();
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
    ] {
        for (method, path) in BODY_ROUTES {
            let request = with_body(server.req(method, path), &alice, content_type, body.clone());
            server
                .send(request)
                .await
                .expect_error(415, "unsupported_media_type");
        }
    }
    assert_eq!(server.list(&alice, "").await["unreadCount"], 0);
}

/// API.md: "Requests with a body must send `Content-Type: application/json` (else `415`)",
/// for every route, including those that take no body.
#[tokio::test]
async fn body_on_an_action_route_without_json_content_type_is_415() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let id = crate::support::http::id_of(&server.notify_title(&alice, "n").await);
    for path in [
        format!("/api/notifications/{id}/read"),
        "/api/notifications/read-all".to_string(),
    ] {
        let request = with_body(
            server.req(Method::POST, &path),
            &alice,
            Some("text/plain"),
            "read it",
        );
        server
            .send(request)
            .await
            .expect_error(415, "unsupported_media_type");
    }
    assert_eq!(server.list(&alice, "").await["unreadCount"], 1);
}

#[tokio::test]
async fn json_content_type_with_charset_is_accepted() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let request = with_body(
        server.req(Method::POST, NOTIFY),
        &alice,
        Some("application/json; charset=utf-8"),
        json!({"title": "hi"}).to_string(),
    );
    server.send(request).await.expect(201);
}

#[tokio::test]
async fn body_over_64_kib_is_413() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let body = format!(
        "{{\"title\": \"big\", \"body\": \"{}\"}}",
        "x".repeat(64 * 1024)
    );
    let request = with_body(server.req_alone(Method::POST, NOTIFY), &alice, JSON, body);
    server
        .send(request)
        .await
        .expect_error(413, "payload_too_large");
    assert_eq!(server.list(&alice, "").await["unreadCount"], 0);
}

#[tokio::test]
async fn chunked_body_over_64_kib_is_413() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let mut body = b"{\"title\": \"big\", \"body\": \"".to_vec();
    body.resize(70 * 1024, b'x');
    body.extend_from_slice(b"\"}");
    // A stream body has no Content-Length: the limit must hold while reading.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        body.chunks(4096).map(|c| Ok(c.to_vec())).collect();
    let stream = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));
    let request = with_body(server.req_alone(Method::POST, NOTIFY), &alice, JSON, stream);
    server
        .send(request)
        .await
        .expect_error(413, "payload_too_large");
}

#[tokio::test]
async fn body_of_exactly_64_kib_is_accepted() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let json = json!({"title": "padded"}).to_string();
    // JSON allows whitespace: pad a valid body to exactly the limit.
    let body = format!("{json}{}", " ".repeat(64 * 1024 - json.len()));
    assert_eq!(body.len(), 64 * 1024);
    let request = with_body(server.req(Method::POST, NOTIFY), &alice, JSON, body);
    server.send(request).await.expect(201);
}

#[tokio::test]
async fn malformed_json_is_400_bad_request() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    for body in MALFORMED_JSON {
        for (method, path) in BODY_ROUTES {
            let request = with_body(server.req(method, path), &alice, JSON, body);
            server.send(request).await.expect_error(400, "bad_request");
        }
    }
}

#[tokio::test]
async fn body_that_is_not_utf8_is_400_bad_request() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let mut body = b"{\"title\": \"bad ".to_vec();
    body.extend_from_slice(&[0xff, 0xfe, 0xc3]);
    body.extend_from_slice(b"\"}");
    let request = with_body(server.req(Method::POST, NOTIFY), &alice, JSON, body);
    server.send(request).await.expect_error(400, "bad_request");
}

/// Reads one HTTP/1.1 response with a `Content-Length` body from `tcp`; returns its head
/// (lower-cased) or `None` if the connection closed first.
async fn read_response(tcp: &mut tokio::net::TcpStream) -> Option<String> {
    use tokio::io::AsyncReadExt;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let read = async {
        loop {
            if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buf[..end]).to_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .map(|v| v.trim().parse().unwrap())
                    .unwrap_or(0);
                if buf.len() >= end + 4 + length {
                    return Some(head);
                }
            }
            match tcp.read(&mut chunk).await {
                Ok(0) | Err(_) => return None,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), read)
        .await
        .expect("a response or a close within 10s")
}

/// A rejected request whose body the server did not read must not leave the connection in
/// a state a keep-alive client cannot see: either the response says `Connection: close`, or
/// the next request on the same connection is answered.
#[tokio::test]
async fn early_error_responses_keep_the_connection_usable_or_say_close() {
    use tokio::io::AsyncWriteExt;
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let big = format!(
        "{{\"title\": \"big\", \"body\": \"{}\"}}",
        "x".repeat(70 * 1024)
    );
    // Under the limit but large enough not to arrive with the head.
    let mid = format!(
        "{{\"title\": \"mid\", \"body\": \"{}\"}}",
        "x".repeat(60_000)
    );
    let notify = "POST /api/internal/notify";
    let cases = [
        (
            notify,
            alice.as_str(),
            "application/json",
            big.as_str(),
            "413",
        ),
        (
            notify,
            alice.as_str(),
            "text/plain",
            "{\"title\": \"t\"}",
            "415",
        ),
        (notify, alice.as_str(), "text/plain", mid.as_str(), "415"),
        (
            notify,
            "not-a-real-token",
            "application/json",
            mid.as_str(),
            "401",
        ),
        (
            "POST /api/nope",
            alice.as_str(),
            "application/json",
            mid.as_str(),
            "404",
        ),
        (
            "PUT /api/internal/notify",
            alice.as_str(),
            "application/json",
            mid.as_str(),
            "405",
        ),
        (
            "PUT /api/notifications/preferences",
            alice.as_str(),
            "application/json",
            "{",
            "400",
        ),
    ];
    let mut broken = Vec::new();
    for (request_line, token, content_type, body, status) in cases {
        let mut tcp = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
        let request = format!(
            "{request_line} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}",
            server.addr(),
            body.len()
        );
        tcp.write_all(request.as_bytes()).await.unwrap();
        let head = read_response(&mut tcp)
            .await
            .unwrap_or_else(|| panic!("no {status} response"));
        assert!(head.starts_with(&format!("http/1.1 {status}")), "{head}");
        if head
            .lines()
            .any(|l| l.starts_with("connection:") && l.contains("close"))
        {
            continue;
        }
        let next = format!("GET /healthz HTTP/1.1\r\nHost: {}\r\n\r\n", server.addr());
        let _ = tcp.write_all(next.as_bytes()).await;
        match read_response(&mut tcp).await {
            Some(second) => assert!(second.starts_with("http/1.1 200"), "{second}"),
            None => broken.push(format!("{request_line} → {status}")),
        }
    }
    assert!(
        broken.is_empty(),
        "after these responses, sent without `Connection: close`, the server closed the \
         connection, so a keep-alive client's next request on it fails: {broken:?}"
    );
}
