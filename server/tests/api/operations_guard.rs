//! Issue 16 (the parts in the router's area): every answer the server writes itself carries
//! the security headers (the CORS preflight too); `--cors-origin` takes a comma list with
//! spaces; `/metrics` can be protected with `--metrics-token`.

use reqwest::Method;

use crate::support::http::Reply;
use crate::support::{FLAGS, TestServer};

/// A CORS preflight for `GET /api/notifications` from `origin`.
async fn preflight(server: &TestServer, origin: &str) -> Reply {
    server
        .send(
            server
                .req(Method::OPTIONS, "/api/notifications")
                .header("origin", origin)
                .header("access-control-request-method", "GET"),
        )
        .await
}

#[tokio::test]
async fn issue16_a_cors_preflight_carries_the_security_headers() {
    let server = TestServer::start(&["--cors-origin", "https://a.example"]);
    let reply = preflight(&server, "https://a.example").await.expect(204);
    assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(reply.header("referrer-policy"), Some("no-referrer"));
    assert_eq!(reply.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn issue16_cors_origins_may_be_separated_by_a_comma_and_spaces() {
    let server = TestServer::start(&["--cors-origin", "https://a.example, https://b.example"]);
    for origin in ["https://a.example", "https://b.example"] {
        let reply = preflight(&server, origin).await.expect(204);
        assert_eq!(reply.header("access-control-allow-origin"), Some(origin));
    }
}

#[tokio::test]
async fn issue16_metrics_can_require_a_token() {
    let server = TestServer::start(&["--metrics-token", "scrape-secret"]);
    let anonymous = server.get_anonymous("/metrics").await;
    assert_eq!(anonymous.header("www-authenticate"), Some("Bearer"));
    anonymous.expect_error(401, "unauthorized");
    server
        .send(server.req(Method::GET, "/metrics").bearer_auth("wrong"))
        .await
        .expect_error(401, "unauthorized");
    let scraped = server
        .send(
            server
                .req(Method::GET, "/metrics")
                .bearer_auth("scrape-secret"),
        )
        .await
        .expect(200);
    assert!(scraped.body.contains("# TYPE"), "{}", scraped.body);
    // Without the flag, /metrics stays public.
    let open = TestServer::start(FLAGS);
    open.send(open.req(Method::GET, "/metrics"))
        .await
        .expect(200);
}
