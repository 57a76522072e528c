//! Issue 11, point 8: API.md's cross-site protection. A cookie-authenticated request that
//! changes state needs an `Origin` that is the server's own or allowed by `--cors-origin`, or
//! `Sec-Fetch-Site: same-origin`; else `403 forbidden`. Bearer requests are not affected.

use reqwest::Method;

use crate::support::{FLAGS, TestServer};

/// `POST /api/notifications/read-all` with alice's cookie and these extra headers; the status.
async fn read_all(server: &TestServer, cookie_token: &str, headers: &[(&str, &str)]) -> u16 {
    let mut request = server
        .req(Method::POST, "/api/notifications/read-all")
        .header("cookie", format!("notif_token={cookie_token}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let reply = server.send(request).await;
    if reply.status == 403 {
        reply.expect_error(403, "forbidden");
        return 403;
    }
    reply.status
}

#[tokio::test]
async fn point8_a_cookie_change_needs_the_servers_origin_or_same_origin_fetch_metadata() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let own = server.url();
    assert_eq!(
        read_all(&server, &alice, &[]).await,
        403,
        "no Origin, no Sec-Fetch-Site"
    );
    assert_eq!(
        read_all(&server, &alice, &[("sec-fetch-site", "cross-site")]).await,
        403
    );
    assert_eq!(
        read_all(&server, &alice, &[("origin", "https://evil.example")]).await,
        403
    );
    assert_eq!(
        read_all(
            &server,
            &alice,
            &[
                ("origin", "https://evil.example"),
                ("sec-fetch-site", "same-origin")
            ]
        )
        .await,
        403,
        "another origin is refused whatever Sec-Fetch-Site says"
    );
    assert_eq!(read_all(&server, &alice, &[("origin", &own)]).await, 200);
    assert_eq!(
        read_all(&server, &alice, &[("sec-fetch-site", "same-origin")]).await,
        200
    );
    // Every state-changing method, not only POST.
    let put = server
        .send(
            server
                .req(Method::PUT, "/api/notifications/preferences")
                .header("cookie", format!("notif_token={alice}"))
                .header("content-type", "application/json")
                .body(r#"{"email": false}"#),
        )
        .await;
    put.expect_error(403, "forbidden");
    // Reading with the cookie needs neither (EventSource and plain navigation send none).
    let list = server
        .send(
            server
                .req(Method::GET, "/api/notifications")
                .header("cookie", format!("notif_token={alice}")),
        )
        .await;
    list.expect(200);
    // Bearer requests are not affected.
    server
        .post_empty("/api/notifications/read-all", &alice)
        .await
        .expect(200);
}

#[tokio::test]
async fn point8_the_public_url_and_cors_origins_are_allowed_origins() {
    let server = TestServer::start(&[
        "--public-url",
        "https://notif.example.com/",
        "--cors-origin",
        "https://app.example",
    ]);
    let alice = server.add_user("alice");
    for origin in ["https://notif.example.com", "https://app.example"] {
        assert_eq!(
            read_all(&server, &alice, &[("origin", origin)]).await,
            200,
            "{origin}"
        );
    }
    assert_eq!(
        read_all(&server, &alice, &[("origin", "http://notif.example.com")]).await,
        403,
        "the scheme is part of the origin"
    );
}
