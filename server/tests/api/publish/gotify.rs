//! Gotify's `POST /message`: JSON, urlencoded and multipart bodies, priority → type, the
//! click URL in `extras`, the adaptations, Gotify's answer, and the errors.

use reqwest::Method;
use serde_json::{Value, json};

use super::{Setup, assert_fields, keys_of};
use crate::support::http::assert_timestamp;

/// `POST /message` as `token` (as `X-Gotify-Key`) with a JSON body.
async fn post_json(setup: &Setup, token: &str, body: &Value) -> crate::support::http::Reply {
    setup
        .send(
            setup
                .req(Method::POST, "/message")
                .header("X-Gotify-Key", token)
                .header("content-type", "application/json")
                .body(body.to_string()),
        )
        .await
}

#[tokio::test]
async fn a_json_message_reaches_the_inbox_and_the_stream_and_gotify_gets_its_answer() {
    let setup = Setup::start();
    let (mut stream, _) = setup.server.subscribed_stream(&setup.alice).await;
    let body = json!({"title": "Deploy finished", "message": "web-1 is on v2.3.1", "priority": 5});
    let answer = post_json(&setup, &setup.alice, &body)
        .await
        .expect_json(200);
    let (seq, streamed) = stream.expect_notification().await;
    let listed = setup.newest(&setup.alice).await;
    assert_eq!(streamed, listed, "the stream and the list agree");
    assert_fields(
        &listed,
        "INFO",
        "Deploy finished",
        Some("web-1 is on v2.3.1"),
        None,
        None,
    );
    // Gotify's shape: its numeric id is the stream's sequence number.
    let keys = keys_of(&answer);
    assert_eq!(
        keys,
        ["appid", "date", "id", "message", "priority", "title"]
    );
    assert_eq!(answer["id"], json!(seq));
    assert_eq!(answer["appid"], 0);
    assert_eq!(answer["title"], "Deploy finished");
    assert_eq!(answer["message"], "web-1 is on v2.3.1");
    assert_eq!(answer["priority"], 5);
    assert_timestamp(&answer["date"]);
    assert_eq!(answer["date"], listed["createdAt"]);
}

#[tokio::test]
async fn each_priority_band_gives_its_type() {
    let setup = Setup::start();
    for (priority, kind) in [
        (Value::Null, "INFO"),
        (json!(0), "INFO"),
        (json!(5), "INFO"),
        (json!(6), "WARNING"),
        (json!(8), "WARNING"),
        (json!(9), "ERROR"),
        (json!(10), "ERROR"),
    ] {
        let body = json!({"message": format!("priority {priority}"), "priority": priority});
        post_json(&setup, &setup.alice, &body).await.expect(200);
        let n = setup.newest(&setup.alice).await;
        assert_eq!(
            (n["title"].as_str(), n["type"].as_str()),
            (Some(&*format!("priority {priority}")), Some(kind))
        );
    }
}

#[tokio::test]
async fn gotifys_documented_curl_forms_work() {
    let setup = Setup::start();
    let url = setup.server.url();
    // gotify.net "Push messages": `curl "…/message?token=<apptoken>" -F "title=…" -F …`.
    let n = setup
        .curled(&[
            &format!("{url}/message?token={}", setup.alice),
            "-F",
            "title=my title",
            "-F",
            "message=my message",
            "-F",
            "priority=5",
        ])
        .await;
    assert_fields(&n, "INFO", "my title", Some("my message"), None, None);
    // An urlencoded form (`curl -d`), priority 7.
    let n = setup
        .curled(&[
            &format!("{url}/message?token={}", setup.alice),
            "-d",
            "title=Disk%20almost%20full&message=%2Fvar%20is%20at%2091%25&priority=7",
        ])
        .await;
    assert_eq!(
        (n["type"].as_str(), n["body"].as_str()),
        (Some("WARNING"), Some("/var is at 91%"))
    );
    // gotify.net "Message Extras": JSON with X-Gotify-Key and a click URL.
    let extras = r#"{"title": "Build 42 failed", "message": "see the log", "priority": 9,
        "extras": {"client::notification": {"click": {"url": "https://ci.example.com/runs/42"}}}}"#;
    let n = setup
        .curled(&[
            "-X",
            "POST",
            &format!("{url}/message"),
            "-H",
            "accept: application/json",
            "-H",
            "Content-Type: application/json",
            "-H",
            &format!("X-Gotify-Key: {}", setup.alice),
            "-d",
            extras,
        ])
        .await;
    assert_fields(
        &n,
        "ERROR",
        "Build 42 failed",
        Some("see the log"),
        Some("https://ci.example.com/runs/42"),
        None,
    );
}

#[tokio::test]
async fn the_contracts_adaptations_apply() {
    let setup = Setup::start();
    // No title: the first line is the title, and the whole message the body.
    let body = json!({"title": "", "message": "Backup failed\ndisk full on /var"});
    post_json(&setup, &setup.alice, &body).await.expect(200);
    let n = setup.newest(&setup.alice).await;
    assert_eq!(
        (n["title"].as_str(), n["body"].as_str()),
        (
            Some("Backup failed"),
            Some("Backup failed\ndisk full on /var")
        )
    );
    // Over-long title and body are cut, ending in "…"; an app-scheme click URL is dropped.
    let body = json!({"title": "t".repeat(250), "message": "b".repeat(12_000),
        "extras": {"client::notification": {"click": {"url": "geo:48.85,2.35"}}}});
    let answer = post_json(&setup, &setup.alice, &body)
        .await
        .expect_json(200);
    let n = setup.newest(&setup.alice).await;
    assert_eq!(n["title"], format!("{}…", "t".repeat(199)));
    assert_eq!(n["body"], format!("{}…", "b".repeat(9_999)));
    assert_eq!(n["link"], Value::Null);
    assert_eq!(answer["title"], n["title"]);
}

#[tokio::test]
async fn malformed_and_rule_breaking_bodies_are_refused() {
    let setup = Setup::start();
    let raw = |content_type: &str, body: &str| {
        setup
            .req(Method::POST, "/message")
            .header("X-Gotify-Key", &setup.alice)
            .header("content-type", content_type)
            .body(body.to_owned())
    };
    let json_type = "application/json";
    setup
        .send(raw(json_type, "{\"message\": "))
        .await
        .expect_error(400, "bad_request");
    setup
        .send(raw(json_type, "[1, 2]"))
        .await
        .expect_error(422, "validation_failed");
    for priority in ["11", "-1", "\"high\"", "5.5"] {
        let body = format!(r#"{{"message": "m", "priority": {priority}}}"#);
        setup
            .send(raw(json_type, &body))
            .await
            .expect_invalid("priority");
    }
    let form = "application/x-www-form-urlencoded";
    for (content_type, body, field) in [
        (form, "message=m&priority=loud", "priority"),
        (form, "message=m&extras=%7Bnot%20json", "extras"),
        // Nothing to say: no title and an empty message.
        (json_type, r#"{"message": "  "}"#, "message"),
        (form, "title=&message=", "message"),
        // A control character in a title is still refused.
        (json_type, r#"{"title": "\u0007", "message": "m"}"#, "title"),
    ] {
        setup
            .send(raw(content_type, body))
            .await
            .expect_invalid(field);
    }
    let half = "--b\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\nhalf";
    setup
        .send(raw("multipart/form-data; boundary=b", half))
        .await
        .expect_error(400, "bad_request");
    setup
        .send(raw("multipart/form-data", "x"))
        .await
        .expect_error(400, "bad_request");
    // Over 64 KiB.
    let big = format!(r#"{{"message": "{}"}}"#, "x".repeat(70_000));
    setup
        .send(raw(json_type, &big))
        .await
        .expect_error(413, "payload_too_large");
    assert_eq!(
        setup.count(&setup.alice).await,
        0,
        "nothing refused was stored"
    );
}
