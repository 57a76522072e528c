//! Issue 11, point 10: the served OpenAPI document states every rule the server enforces.
//! For each field with a rule, sample values (the edges of each rule, and the ones a
//! schema-driven fuzzer found) are judged twice: by the document's schema (pattern, lengths,
//! bounds) and by the server (accepted or refused). The two verdicts must agree. CI also runs
//! schemathesis against the document (`.ci/schemathesis`).

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::http::Reply;
use crate::support::{FLAGS, TestServer};

/// Whether `value` is valid by `schema` (a string or integer schema: `pattern`, `minLength`,
/// `maxLength`, `minimum`, `maximum`; a schema with `anyOf` is valid by any branch).
fn schema_accepts(schema: &Value, value: &str) -> bool {
    if let Some(branches) = schema["anyOf"].as_array() {
        return branches.iter().any(|b| schema_accepts(b, value));
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec!["string"],
    };
    if types.contains(&"integer") {
        let Ok(n) = value.parse::<i64>() else {
            return false;
        };
        return schema["minimum"].as_i64().is_none_or(|min| n >= min)
            && schema["maximum"].as_i64().is_none_or(|max| n <= max);
    }
    let len = value.chars().count() as u64;
    let pattern_ok = schema["pattern"].as_str().is_none_or(|p| {
        regex::Regex::new(p)
            .unwrap_or_else(|e| panic!("pattern {p:?} is no regex: {e}"))
            .is_match(value)
    });
    pattern_ok
        && schema["minLength"].as_u64().is_none_or(|min| len >= min)
        && schema["maxLength"].as_u64().is_none_or(|max| len <= max)
}

/// The document's schema at a JSON pointer.
fn schema<'a>(doc: &'a Value, pointer: &str) -> &'a Value {
    doc.pointer(pointer)
        .unwrap_or_else(|| panic!("openapi.json has nothing at {pointer}"))
}

/// Collects every sample on which the document and the server disagree.
struct Verdicts(Vec<String>);

impl Verdicts {
    fn judge(&mut self, field: &str, value: &str, by_schema: bool, reply: &Reply, refused: u16) {
        let by_server = match reply.status {
            s if s == refused => false,
            s if (200..300).contains(&s) => true,
            _ => panic!(
                "{field} {value:?}: unexpected {} {}",
                reply.status, reply.body
            ),
        };
        if by_schema != by_server {
            self.0.push(format!(
                "{field} {value:?}: the document says {}, the server answers {} {}",
                if by_schema { "valid" } else { "invalid" },
                reply.status,
                reply.body
            ));
        }
    }
}

#[tokio::test]
async fn point10_the_openapi_document_states_the_rules_the_server_enforces() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let doc = server
        .get_anonymous("/api/openapi.json")
        .await
        .expect_json(200);
    let mut verdicts = Verdicts(Vec::new());

    let title = schema(&doc, "/components/schemas/NotifyRequest/properties/title");
    let long = "t".repeat(200);
    let too_long = "t".repeat(201);
    let padded = format!("  {long}\t\n");
    for value in [
        "Deploy finished",
        "  trimmed  ",
        "\ttabs and line breaks around\r\n",
        "\u{85}next-line around\u{2028}",
        "é",
        long.as_str(),
        padded.as_str(),
        too_long.as_str(),
        "",
        "   ",
        "\t\n",
        "a\u{1}b",
        "tab\tinside",
        "new\nline",
        "c1\u{9f}control",
        "del\u{7f}",
    ] {
        let reply = server.notify_raw(&alice, &json!({ "title": value })).await;
        verdicts.judge("title", value, schema_accepts(title, value), &reply, 422);
    }

    let link = schema(&doc, "/components/schemas/NotifyRequest/properties/link");
    let long_link = format!("https://e.com/{}", "a".repeat(2034));
    let too_long_link = format!("https://e.com/{}", "a".repeat(2035));
    for value in [
        "https://ci.example.com/runs/42?x=1#top",
        "http://localhost:8080/",
        "HTTPS://EXAMPLE.COM",
        "mailto:ops@example.com",
        "mailto:",
        "http://a-b.c-d.example:65535",
        long_link.as_str(),
        too_long_link.as_str(),
        "javascript:alert(1)",
        "ftp://example.com",
        "/relative",
        "https://",
        "https://x.com/\u{1b}[31m",
        "",
    ] {
        let reply = server
            .notify_raw(&alice, &json!({ "title": "t", "link": value }))
            .await;
        verdicts.judge("link", value, schema_accepts(link, value), &reply, 422);
    }

    let category = schema(&doc, "/components/schemas/Category");
    let long_category = "c".repeat(64);
    let too_long_category = "c".repeat(65);
    for value in [
        "deploy.prod_1-x",
        long_category.as_str(),
        too_long_category.as_str(),
        "",
        "Deploy",
        "de ploy",
    ] {
        let reply = server
            .notify_raw(&alice, &json!({ "title": "t", "category": value }))
            .await;
        verdicts.judge(
            "category",
            value,
            schema_accepts(category, value),
            &reply,
            422,
        );
    }

    let key = schema(&doc, "/components/parameters/IdempotencyKey/schema");
    let long_key = "k".repeat(255);
    let too_long_key = "k".repeat(256);
    for value in ["abc-123 x", "~!", long_key.as_str(), too_long_key.as_str()] {
        let reply = server
            .send(
                server
                    .req(Method::POST, "/api/internal/notify")
                    .bearer_auth(&alice)
                    .header("idempotency-key", value)
                    .json(&json!({ "title": "keyed" })),
            )
            .await;
        verdicts.judge(
            "Idempotency-Key",
            value,
            schema_accepts(key, value),
            &reply,
            400,
        );
    }

    for _ in 0..3 {
        server.notify_title(&alice, "paged").await;
    }
    let next = server.list(&alice, "limit=1").await["nextCursor"]
        .as_str()
        .expect("a second page")
        .to_owned();
    let cursor = schema(&doc, "/components/parameters/Cursor/schema");
    let limit = schema(&doc, "/components/parameters/Limit/schema");
    let other_version = "djIuMS40Mg"; // base64url of "v2.1.42"
    let most_digits = "djEuMC45OTk5OTk5OTk5OTk5OTk5OTk5"; // "v1.0.9999999999999999999"
    let too_many_digits = "djEuMC4xMDAwMDAwMDAwMDAwMDAwMDAwMA"; // "v1.0.10000000000000000000"
    for (name, value, param) in [
        ("cursor", next.as_str(), cursor),
        ("cursor", "", cursor),
        ("cursor", "abc", cursor),
        ("cursor", "djEuMS40Mg", cursor),
        ("cursor", other_version, cursor),
        ("cursor", most_digits, cursor),
        ("cursor", too_many_digits, cursor),
        ("cursor", "djEuMS40Mg==", cursor),
        ("limit", "1", limit),
        ("limit", "200", limit),
        ("limit", "0", limit),
        ("limit", "201", limit),
        ("limit", "-1", limit),
        ("limit", "ten", limit),
    ] {
        let reply = server
            .send(
                server
                    .req(Method::GET, "/api/notifications")
                    .bearer_auth(&alice)
                    .query(&[(name, value)]),
            )
            .await;
        verdicts.judge(name, value, schema_accepts(param, value), &reply, 400);
    }

    assert!(
        verdicts.0.is_empty(),
        "the document and the server disagree:\n{}",
        verdicts.0.join("\n")
    );
}

#[tokio::test]
async fn point10_the_document_names_both_security_schemes_and_every_error_body() {
    let (server, _) = TestServer::with_users(FLAGS, ["alice"]);
    let doc = server
        .get_anonymous("/api/openapi.json")
        .await
        .expect_json(200);
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["cookie"]["in"], "cookie");
    assert_eq!(schemes["cookie"]["name"], "notif_token");
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            for (status, response) in operation["responses"].as_object().unwrap() {
                if !status.starts_with('4') && !status.starts_with('5') {
                    continue;
                }
                let response = match response["$ref"].as_str() {
                    Some(reference) => doc
                        .pointer(reference.trim_start_matches('#'))
                        .unwrap_or_else(|| panic!("{reference} is not in the document")),
                    None => response,
                };
                assert_eq!(
                    response["content"]["application/json"]["schema"]["$ref"],
                    "#/components/schemas/Error",
                    "{method} {path} {status}"
                );
            }
        }
    }
}
