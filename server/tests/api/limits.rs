//! Issue 7's limits and protections: rate limiting, stream caps, header size, slow clients,
//! housekeeping, security headers, CORS, and the database file's mode.

use std::time::Duration;

use notif_tests::probe::read_until_closed;
use notif_tests::server::admin_on;
use reqwest::Method;
use serde_json::json;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::time::timeout;

use crate::support::http::{Reply, id_of};
use crate::support::{FLAGS, TestServer};

#[tokio::test]
async fn a_token_over_its_rate_gets_429_with_retry_after() {
    let server = TestServer::start(&["--rate-limit", "1", "--rate-burst", "3"]);
    let alice = server.add_user("alice");
    for i in 0..3 {
        server.notify_title(&alice, &format!("n{i}")).await;
    }
    let reply = server
        .notify_raw(&alice, &json!({"title": "one too many"}))
        .await;
    let retry_after: u64 = reply
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry_after), "{retry_after}");
    reply.expect_error(429, "rate_limited");
    // Lists are limited on the same token; another token has its own bucket.
    server
        .get("/api/notifications", &alice)
        .await
        .expect_error(429, "rate_limited");
    let other = server.user_token("alice", "second");
    server.get("/api/notifications", &other).await.expect(200);
}

#[tokio::test]
async fn streams_are_capped_per_user_and_in_all() {
    let server = TestServer::start(&["--max-streams-per-user", "1", "--max-streams", "2"]);
    let [alice, bob, carol] = [
        server.add_user("alice"),
        server.add_user("bob"),
        server.add_user("carol"),
    ];
    let open = |token: String| {
        let client = server.client().clone();
        let url = format!("{}/api/notifications/stream", server.url());
        async move { client.get(url).bearer_auth(token).send().await.unwrap() }
    };
    let first = open(alice.clone()).await;
    assert_eq!(first.status(), 200);
    let second = open(alice.clone()).await;
    assert_eq!(second.status(), 429);
    assert!(second.headers().contains_key("retry-after"));
    let body: serde_json::Value = second.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    let bobs = open(bob).await;
    assert_eq!(bobs.status(), 200);
    let full = open(carol).await;
    assert_eq!(full.status(), 503);
    let body: serde_json::Value = full.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unavailable");
    drop(first);
    // The closed stream frees its place once the server notices the disconnect.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let again = open(alice.clone()).await;
        if again.status() == 200 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the place was never freed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn an_oversized_request_head_is_refused() {
    let server = TestServer::start(FLAGS);
    let mut tcp = TcpStream::connect(server.addr()).await.unwrap();
    let huge = "x".repeat(100 * 1024);
    let request = format!("GET /healthz HTTP/1.1\r\nHost: a\r\nX-Big: {huge}\r\n\r\n");
    let _ = tcp.write_all(request.as_bytes()).await;
    let answer = read_until_closed(&mut tcp, Duration::from_secs(10)).await;
    let head = String::from_utf8_lossy(&answer);
    assert!(head.starts_with("HTTP/1.1 431"), "{head}");
}

/// A raw connection to `server` on which `bytes` were sent.
async fn connect_and_write(server: &TestServer, bytes: &[u8]) -> TcpStream {
    let mut tcp = TcpStream::connect(server.addr()).await.unwrap();
    tcp.write_all(bytes).await.unwrap();
    tcp
}

#[tokio::test]
async fn a_slow_loris_is_cut_off() {
    let server = TestServer::start(&["--header-timeout", "300ms"]);
    let mut tcp = connect_and_write(&server, b"GET /healthz HTTP/1.1\r\nHost: a\r\n").await;
    // Never finishes its headers: the server must hang up on it.
    read_until_closed(&mut tcp, Duration::from_secs(5)).await;
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let server = TestServer::start(&["--header-timeout", "300ms"]);
    let mut tcp = connect_and_write(&server, b"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n").await;
    let answer = read_until_closed(&mut tcp, Duration::from_secs(5)).await;
    assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"));
}

#[tokio::test]
async fn a_user_keeps_at_most_max_per_user_notifications_newest_first() {
    let server = TestServer::start(&["--max-per-user", "5"]);
    let alice = server.add_user("alice");
    for i in 0..8 {
        server.notify_title(&alice, &format!("n{i}")).await;
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let page = server.list(&alice, "").await;
        let titles: Vec<&str> = page["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["title"].as_str().unwrap())
            .collect();
        if titles.len() == 5 {
            assert_eq!(titles, ["n7", "n6", "n5", "n4", "n3"]);
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "still {titles:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn read_notifications_past_the_retention_are_deleted() {
    let server = TestServer::start(&["--retention", "300ms"]);
    let alice = server.add_user("alice");
    let old = id_of(&server.notify_title(&alice, "old and read").await);
    server.mark(&alice, &old, "read").await;
    server.notify_title(&alice, "unread stays").await;
    // Retention is about time passing: let it pass, then give the writer a quiet moment.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        server.notify_title(&alice, "tick").await;
        let page = server.list(&alice, "").await;
        let titles: Vec<String> = page["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["title"].as_str().unwrap().to_owned())
            .collect();
        if !titles.iter().any(|t| t == "old and read") {
            assert!(titles.iter().any(|t| t == "unread stays"), "{titles:?}");
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "still {titles:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn responses_carry_security_headers_and_inbox_data_is_not_cached() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let list = server.get("/api/notifications", &alice).await.expect(200);
    assert_eq!(list.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(list.header("cache-control"), Some("no-store"));
    let error = server.get("/api/notifications", "bad").await.expect(401);
    assert_eq!(error.header("x-content-type-options"), Some("nosniff"));
    let stream = server.stream_response(&alice).await;
    assert_eq!(stream.headers()["cache-control"], "no-cache");
    assert_eq!(stream.headers()["x-content-type-options"], "nosniff");
}

/// A CORS preflight from a page on `origin` for `GET path`.
async fn preflight(server: &TestServer, path: &str, origin: &str) -> Reply {
    let request = server
        .req(Method::OPTIONS, path)
        .header("origin", origin)
        .header("access-control-request-method", "GET");
    server.send(request).await
}

/// `GET /api/notifications` as `token` from a page on `origin`, asserting `200`.
async fn list_from(server: &TestServer, token: &str, origin: &str) -> Reply {
    let request = server
        .req(Method::GET, "/api/notifications")
        .header("origin", origin)
        .bearer_auth(token);
    server.send(request).await.expect(200)
}

#[tokio::test]
async fn without_cors_configured_another_origin_cannot_read_a_stream() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let stream = server
        .client()
        .get(format!("{}/api/notifications/stream", server.url()))
        .header("origin", "https://evil.example")
        .header("cookie", format!("notif_token={alice}"))
        .send()
        .await
        .unwrap();
    assert!(
        stream
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    let preflight = preflight(&server, "/api/notifications/stream", "https://evil.example").await;
    assert_eq!(preflight.header("access-control-allow-origin"), None);
}

#[tokio::test]
async fn a_configured_origin_may_read_with_credentials() {
    let server = TestServer::start(&["--cors-origin", "https://app.example"]);
    let alice = server.add_user("alice");
    let app = "https://app.example";
    let preflight = preflight(&server, "/api/notifications", app)
        .await
        .expect(204);
    assert_eq!(preflight.header("access-control-allow-origin"), Some(app));
    let list = list_from(&server, &alice, app).await;
    assert_eq!(list.header("access-control-allow-origin"), Some(app));
    assert_eq!(
        list.header("access-control-allow-credentials"),
        Some("true")
    );
    let other = list_from(&server, &alice, "https://evil.example").await;
    assert_eq!(other.header("access-control-allow-origin"), None);
}

#[cfg(unix)]
#[tokio::test]
async fn the_database_file_is_private_to_its_owner() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("fresh.db");
    admin_on(&db, &["user", "add", "alice"]);
    let mode = std::fs::metadata(&db).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{mode:o}");
    let wal = dir.path().join("fresh.db-wal");
    if wal.exists() {
        assert_eq!(
            std::fs::metadata(&wal).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}

#[tokio::test]
async fn a_request_that_takes_too_long_is_answered_503_but_a_notify_waits_for_its_commit() {
    let server = TestServer::start_sqlite(&["--request-timeout", "300ms"]);
    let alice = server.add_user("alice");
    // Another process holds SQLite's write lock, so the writer waits (its busy timeout is 5 s).
    let lock = rusqlite::Connection::open(server.db()).unwrap();
    lock.execute_batch("BEGIN IMMEDIATE").unwrap();
    let started = std::time::Instant::now();
    let reply = server
        .post_empty("/api/notifications/read-all", &alice)
        .await;
    let waited = started.elapsed();
    let body = reply.expect_error(503, "unavailable");
    assert!(
        body["message"].as_str().unwrap().contains("longer than"),
        "{body}"
    );
    assert!(waited < Duration::from_secs(3), "answered after {waited:?}");

    // A notify is not cut short: it answers once its write has committed.
    let release = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(800)).await;
        lock.execute_batch("ROLLBACK").unwrap();
    });
    let reply = server.notify_raw(&alice, &json!({"title": "waited"})).await;
    reply.expect(201);
    release.await.unwrap();
    let page = server.list(&alice, "").await;
    assert_eq!(page["notifications"][0]["title"], "waited");
}

#[tokio::test]
async fn a_revoked_token_loses_its_open_stream() {
    let server = TestServer::start(&["--ping-interval", "100ms"]);
    let alice = server.add_user("alice");
    let watcher = server.user_token("alice", "watcher");
    let mut stream = server
        .client()
        .get(format!("{}/api/notifications/stream", server.url()))
        .bearer_auth(&watcher)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    server.revoke("watcher");
    server.notify_title(&alice, "not for a revoked token").await;
    let mut seen = String::new();
    let ended = timeout(Duration::from_secs(10), async {
        while let Some(chunk) = stream.chunk().await.unwrap_or(None) {
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
    })
    .await;
    assert!(
        ended.is_ok(),
        "the stream stayed open after its token was revoked:\n{seen}"
    );
}

/// Reads `stream` into `seen` until it holds `needle`; false after 10 s without it.
async fn read_until(stream: &mut reqwest::Response, seen: &mut String, needle: &str) -> bool {
    let read = async {
        while !seen.contains(needle) {
            let chunk = stream
                .chunk()
                .await
                .unwrap()
                .expect("the stream stays open");
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
    };
    timeout(Duration::from_secs(10), read).await.is_ok()
}

#[tokio::test]
async fn a_last_event_id_beyond_this_database_still_gets_live_notifications() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    server.notify_title(&alice, "before").await;
    let mut stream = server
        .client()
        .get(format!("{}/api/notifications/stream", server.url()))
        .bearer_auth(&alice)
        // Beyond any sequence number here, whatever each start of the server skips.
        .header("last-event-id", "1000000000000")
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    let mut seen = String::new();
    assert!(
        read_until(&mut stream, &mut seen, "event: unread").await,
        "{seen}"
    );
    assert!(
        !seen.contains("before"),
        "nothing above 1000000000000 exists to replay: {seen}"
    );
    server.notify_title(&alice, "live one").await;
    assert!(
        read_until(&mut stream, &mut seen, "live one").await,
        "the live notification never came:\n{seen}"
    );
}

#[tokio::test]
async fn the_cookie_is_refused_from_a_foreign_origin() {
    let server = TestServer::start(&["--cors-origin", "https://app.example"]);
    let alice = server.add_user("alice");
    let read_all = |origin: Option<&'static str>| {
        let mut request = server
            .client()
            .post(format!("{}/api/notifications/read-all", server.url()))
            .header("cookie", format!("notif_token={alice}"));
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        async move { request.send().await.unwrap().status() }
    };
    assert_eq!(read_all(Some("https://evil.example")).await, 403);
    assert_eq!(read_all(Some("https://app.example")).await, 200);
    assert_eq!(
        read_all(None).await,
        403,
        "a change with the cookie and no Origin: see cross_site.rs"
    );
    // A bearer token is not sent by browsers on their own: any origin may use one.
    let bearer = server
        .client()
        .post(format!("{}/api/notifications/read-all", server.url()))
        .header("origin", "https://evil.example")
        .bearer_auth(&alice)
        .send()
        .await
        .unwrap();
    assert_eq!(bearer.status(), 200);
}

#[tokio::test]
async fn tokens_never_reach_the_log() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let unknown = "ntf_this-token-is-not-known-to-the-server-000000000";
    server.notify_title(&alice, "logged?").await;
    server.get("/api/notifications", unknown).await.expect(401);
    server
        .client()
        .get(format!("{}/api/notifications", server.url()))
        .header("cookie", format!("notif_token={alice}"))
        .send()
        .await
        .unwrap();
    server
        .put_preferences(&alice, &json!({"inApp": "x"}))
        .await
        .expect(422);
    let log = server.log();
    assert!(!log.is_empty(), "the server logs something to check");
    for token in [alice.as_str(), unknown] {
        assert!(!log.contains(token), "a token is in the log:\n{log}");
    }
}
