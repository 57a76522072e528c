//! Operations routes (API.md "Operations"): `/healthz`, `/metrics` in Prometheus text
//! format, and `/api/openapi.json` as OpenAPI 3.1 of the contract.

use serde_json::Value;

use crate::support::{FLAGS, TestServer};

#[tokio::test]
async fn healthz_is_200_ok_without_auth() {
    let server = TestServer::start(FLAGS);
    let reply = server.get_anonymous("/healthz").await.expect(200);
    assert_eq!(reply.body.trim(), "ok");
}

/// Whether `line` is a Prometheus sample: `name{labels} value [timestamp]`.
fn is_sample(line: &str) -> bool {
    let name_end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .unwrap_or(line.len());
    let (name, rest) = line.split_at(name_end);
    let rest = match rest.strip_prefix('{') {
        Some(labels) => match labels.rfind('}') {
            Some(end) => &labels[end + 1..],
            None => return false,
        },
        None => rest,
    };
    let mut parts = rest.split_whitespace();
    let value_ok = parts
        .next()
        .is_some_and(|v| v.parse::<f64>().is_ok() || ["+Inf", "-Inf", "NaN"].contains(&v));
    !name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit()) && value_ok
}

#[tokio::test]
async fn metrics_are_prometheus_text_with_request_counts() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    server.notify_title(&alice, "counted").await;
    server.list(&alice, "").await;
    server.get("/api/nope", &alice).await.expect(404);
    let reply = server.get_anonymous("/metrics").await.expect(200);
    let content_type = reply.header("content-type").unwrap_or("").to_string();
    assert!(
        content_type.starts_with("text/plain"),
        "content type {content_type:?}"
    );
    let mut samples = Vec::new();
    for line in reply.body.lines().filter(|l| !l.trim().is_empty()) {
        if line.starts_with('#') {
            assert!(
                line.starts_with("# HELP ")
                    || line.starts_with("# TYPE ")
                    || line.starts_with("# "),
                "bad comment line {line:?}"
            );
            continue;
        }
        assert!(is_sample(line), "not a Prometheus sample line: {line:?}");
        samples.push(line);
    }
    assert!(
        reply.body.contains("# TYPE "),
        "typed metrics:\n{}",
        reply.body
    );
    let counted = samples.iter().any(|line| {
        let value = line
            .split_whitespace()
            .nth(1)
            .and_then(|v| v.parse::<f64>().ok());
        line.split(['{', ' '])
            .next()
            .is_some_and(|name| name.contains("request"))
            && value.is_some_and(|v| v >= 1.0)
    });
    assert!(counted, "no non-zero request count in:\n{}", reply.body);
}

#[tokio::test]
async fn openapi_json_is_openapi_3_1_describing_every_route() {
    let server = TestServer::start(FLAGS);
    let reply = server.get_anonymous("/api/openapi.json").await.expect(200);
    assert!(
        reply
            .header("content-type")
            .unwrap_or("")
            .starts_with("application/json"),
        "{:?}",
        reply.header("content-type")
    );
    let doc: Value = reply.json();
    let version = doc["openapi"].as_str().unwrap_or("");
    assert!(version.starts_with("3.1"), "openapi version {version:?}");
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    let routes: [(&str, &[&str]); 12] = [
        ("/api/notifications", &["get"]),
        ("/api/notifications/{id}/read", &["post"]),
        ("/api/notifications/{id}/unread", &["post"]),
        ("/api/notifications/read-all", &["post"]),
        ("/api/notifications/{id}", &["delete"]),
        ("/api/notifications/preferences", &["get", "put"]),
        ("/api/internal/notify", &["post"]),
        ("/api/notifications/stream", &["get"]),
        ("/api/me", &["get"]),
        ("/healthz", &["get"]),
        ("/metrics", &["get"]),
        ("/api/openapi.json", &["get"]),
    ];
    for (path, methods) in routes {
        let item = &doc["paths"][path];
        assert!(item.is_object(), "openapi.json lacks path {path}");
        for method in methods {
            assert!(
                item[method].is_object(),
                "openapi.json lacks {method} {path}"
            );
        }
    }
}
