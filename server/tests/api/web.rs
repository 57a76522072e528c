//! The web inbox's server side (API.md "Browser sessions", the stream's opening `id:`):
//! sessions from a token or a one-time code, logging out, sign-in links, the page and its
//! files with their Content-Security-Policy.

use reqwest::Method;
use reqwest::header::{CONTENT_TYPE, COOKIE, ORIGIN};
use serde_json::{Value, json};

use crate::support::http::Reply;
use crate::support::{FLAGS, TestServer};

/// `POST /api/session` with `body` (and `origin`, when given).
async fn sign_in(server: &TestServer, body: &Value, origin: Option<&str>) -> Reply {
    let mut request = server
        .req(Method::POST, "/api/session")
        .header(CONTENT_TYPE, "application/json")
        .body(body.to_string());
    if let Some(origin) = origin {
        request = request.header(ORIGIN, origin);
    }
    server.send(request).await
}

/// The session token a `Set-Cookie` answer opened.
fn session_of(reply: &Reply) -> String {
    let cookie = reply.header("set-cookie").unwrap_or_default();
    let value = cookie.split(';').next().unwrap_or_default();
    value
        .strip_prefix("notif_token=")
        .unwrap_or_else(|| panic!("not the session cookie: {cookie:?}"))
        .to_owned()
}

/// A one-time code from `POST /api/session/links` as `token`.
async fn login_code(server: &TestServer, token: &str) -> String {
    let link = server
        .post_empty("/api/session/links", token)
        .await
        .expect_json(201);
    let url = link["url"].as_str().unwrap();
    let prefix = format!("{}/login#", server.url());
    url.strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("{url} is not under {prefix}"))
        .to_owned()
}

#[tokio::test]
async fn a_user_token_opens_a_session_in_an_http_only_strict_cookie() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let reply = sign_in(&server, &json!({"token": alice}), None).await;
    let session = session_of(&reply);
    assert_eq!(
        reply.header("set-cookie").unwrap(),
        format!("notif_token={session}; HttpOnly; SameSite=Strict; Path=/")
    );
    reply.expect(204);
    assert_ne!(session, alice, "the session is a new token");
    let me = server.get("/api/me", &session).await.expect_json(200);
    assert_eq!(me, json!({"userId": "alice", "scope": "user"}));
    assert!(server.admin(&["token", "list"]).contains("web session"));
}

#[tokio::test]
async fn an_https_public_url_makes_the_cookie_secure() {
    let server = TestServer::start(&["--public-url", "https://notif.example.com"]);
    let alice = server.add_user("alice");
    let reply = sign_in(&server, &json!({"token": alice}), None).await;
    assert!(reply.header("set-cookie").unwrap().ends_with("; Secure"));
    let link = server
        .post_empty("/api/session/links", &alice)
        .await
        .expect_json(201);
    assert!(
        link["url"]
            .as_str()
            .unwrap()
            .starts_with("https://notif.example.com/login#")
    );
}

#[tokio::test]
async fn bad_credentials_open_no_session() {
    let (server, [_alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let service = server.service_token();
    for body in [
        json!({"token": "ntf_unknown"}),
        json!({"token": service}),
        json!({"code": "not-a-code"}),
        // Valid for the schema (not empty), yet no token: refused like any bad one.
        json!({"token": " "}),
        json!({"code": "\t"}),
    ] {
        let reply = sign_in(&server, &body, None).await;
        assert!(reply.header("set-cookie").is_none());
        reply.expect_error(401, "unauthorized");
    }
    sign_in(&server, &json!({}), None)
        .await
        .expect_error(422, "validation_failed");
    sign_in(&server, &json!({"token": "a", "code": "b"}), None)
        .await
        .expect_error(422, "validation_failed");
}

#[tokio::test]
async fn a_login_code_works_once() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let link = server
        .post_empty("/api/session/links", &alice)
        .await
        .expect_json(201);
    let expires = chrono::DateTime::parse_from_rfc3339(link["expiresAt"].as_str().unwrap())
        .unwrap()
        .timestamp_millis();
    let in_five_minutes = chrono::Utc::now().timestamp_millis() + 5 * 60 * 1000;
    assert!((in_five_minutes - expires).abs() < 60_000, "{link}");
    let code = login_code(&server, &alice).await;
    let first = sign_in(&server, &json!({"code": code}), None).await;
    let session = session_of(&first);
    first.expect(204);
    server.get("/api/me", &session).await.expect(200);
    sign_in(&server, &json!({"code": code}), None)
        .await
        .expect_error(401, "unauthorized");
    let service = server.service_token();
    server
        .post_empty("/api/session/links", &service)
        .await
        .expect_error(403, "forbidden");
    assert!(
        !server.log().contains(&code),
        "a code never reaches the log"
    );
}

#[tokio::test]
async fn logging_out_revokes_the_session_and_clears_the_cookie() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let session = session_of(&sign_in(&server, &json!({"token": alice}), None).await);
    let cookie = format!("notif_token={session}");
    let reply = server
        .send(
            server
                .req(Method::DELETE, "/api/session")
                .header(COOKIE, &cookie)
                .header(ORIGIN, server.url()),
        )
        .await;
    assert_eq!(
        reply.header("set-cookie").unwrap(),
        "notif_token=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"
    );
    reply.expect(204);
    let by_cookie = server.get_with_cookie("/api/me", &cookie).await;
    by_cookie.expect_error(401, "unauthorized");
    server.get("/api/me", &alice).await.expect(200);
}

#[tokio::test]
async fn another_sites_page_cannot_sign_the_browser_in() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let reply = sign_in(
        &server,
        &json!({"token": alice}),
        Some("http://evil.example"),
    )
    .await;
    assert!(reply.header("set-cookie").is_none());
    reply.expect_error(403, "forbidden");
    sign_in(&server, &json!({"token": alice}), Some(&server.url()))
        .await
        .expect(204);
}

#[tokio::test]
async fn the_page_and_its_files_are_served_with_a_strict_policy() {
    let server = TestServer::start(FLAGS);
    for (path, content_type) in [
        ("/", "text/html; charset=utf-8"),
        ("/login", "text/html; charset=utf-8"),
        ("/assets/app.js", "text/javascript; charset=utf-8"),
        ("/assets/style.css", "text/css; charset=utf-8"),
        ("/embed/notif-bell.js", "text/javascript; charset=utf-8"),
    ] {
        let reply = server.get_anonymous(path).await;
        assert_eq!(reply.header("content-type"), Some(content_type), "{path}");
        let policy = reply.header("content-security-policy").unwrap_or_default();
        assert!(
            policy.starts_with("default-src 'none'; script-src 'self';")
                && !policy.contains("unsafe"),
            "{path}: {policy}"
        );
        reply.expect(200);
    }
    let page = server.get_anonymous("/").await.body;
    for reference in page
        .split(['"', '\''])
        .filter(|s| s.starts_with("/assets/"))
    {
        server.get_anonymous(reference).await.expect(200);
    }
    server
        .get_anonymous("/assets/nope.js")
        .await
        .expect_error(404, "not_found");
}

#[tokio::test]
async fn the_opening_unread_event_carries_the_users_highest_sequence() {
    let (server, [alice, bob]) = TestServer::with_users(FLAGS, ["alice", "bob"]);
    let mut fresh = server.stream(&alice).await;
    fresh.expect_retry_first().await;
    assert_eq!(fresh.expect("unread").await.id.as_deref(), Some("0"));
    drop(fresh);

    server.notify_title(&alice, "one").await;
    let (mut live, _) = server.subscribed_stream(&alice).await;
    server.notify_title(&alice, "two").await;
    let (highest, _) = live.expect_notification().await;
    server.notify_title(&bob, "bob's, later").await;
    let mut stream = server.stream(&alice).await;
    stream.expect_retry_first().await;
    let unread = stream.expect("unread").await;
    assert_eq!(unread.id, Some(highest.to_string()));
    assert_eq!(unread.json(), json!({"unreadCount": 2}));

    // Resuming from it replays nothing and then goes on live.
    let mut resumed = server.resume_stream(&alice, highest, false).await;
    resumed.expect_retry_first().await;
    assert_eq!(resumed.expect("unread").await.id, Some(highest.to_string()));
    server.notify_title(&alice, "three").await;
    let (seq, three) = resumed.expect_notification().await;
    assert!(seq > highest);
    assert_eq!(three["title"], "three");
}

#[tokio::test]
async fn guessing_at_sign_in_counts_against_the_failed_authentication_limit() {
    let server = TestServer::start(&["--auth-failure-limit", "3"]);
    let alice = server.add_user("alice");
    server.get("/api/me", &alice).await.expect(200);
    let mut statuses = Vec::new();
    for guess in 0..6 {
        let body = json!({"code": format!("guess-{guess}")});
        statuses.push(sign_in(&server, &body, None).await.status);
    }
    assert_eq!(statuses[0], 401, "{statuses:?}");
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    // A token that authenticated before still works from this address.
    server.get("/api/me", &alice).await.expect(200);
}
