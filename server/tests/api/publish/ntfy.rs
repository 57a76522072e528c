//! ntfy's publishing: `POST`/`PUT /{topic}` with the message as the body and ntfy's headers
//! or query parameters, `POST`/`PUT /` with ntfy's JSON, type from priority and tags, the
//! topic as category, ntfy's answer, reserved names, and the errors.

use reqwest::{Method, RequestBuilder};
use serde_json::{Value, json};

use super::senders::curl;
use super::{Setup, assert_backup_failed, assert_fields, keys_of};
use crate::support::http::id_of;

impl Setup {
    /// Sends `request` (which must succeed) and returns alice's newest notification.
    async fn publish(&self, request: RequestBuilder) -> Value {
        self.send(request).await.expect(200);
        self.newest(&self.alice).await
    }
}

#[tokio::test]
async fn ntfys_documented_example_reaches_the_inbox_and_the_stream() {
    let setup = Setup::start();
    let (mut stream, _) = setup.server.subscribed_stream(&setup.alice).await;
    // docs.ntfy.sh "Publishing": title, priority and tags as headers, the message as the
    // body; the token as Basic with an empty user name, as ntfy's docs show (`-u :tk_…`).
    let (status, answer) = curl(&[
        "-u",
        &format!(":{}", setup.alice),
        "-H",
        "Title: Unauthorized access detected",
        "-H",
        "Priority: urgent",
        "-H",
        "Tags: warning,skull",
        "-d",
        "Remote access to phils-laptop detected. Act right away.",
        &format!("{}/phil_alerts", setup.server.url()),
    ])
    .await;
    assert_eq!(status, 200, "{answer}");
    let (_, streamed) = stream.expect_notification().await;
    let listed = setup.newest(&setup.alice).await;
    assert_eq!(streamed, listed);
    assert_fields(
        &listed,
        "ERROR",
        "Unauthorized access detected",
        Some("Remote access to phils-laptop detected. Act right away."),
        None,
        Some("phil_alerts"),
    );
    // ntfy's shape: its string id is the notification's id.
    let answer: Value = serde_json::from_str(&answer).unwrap();
    let keys = keys_of(&answer);
    assert_eq!(keys, ["event", "id", "message", "time", "title", "topic"]);
    assert_eq!(answer["id"].as_str(), Some(id_of(&listed).as_str()));
    assert_eq!(answer["event"], "message");
    assert_eq!(answer["topic"], "phil_alerts");
    assert_eq!(answer["title"], "Unauthorized access detected");
    assert!(
        answer["time"].as_i64().is_some_and(|t| t > 1_700_000_000),
        "{answer}"
    );
}

#[tokio::test]
async fn each_priority_and_each_tag_gives_its_type() {
    let setup = Setup::start();
    for (priority, kind) in [
        ("1", "INFO"),
        ("min", "INFO"),
        ("2", "INFO"),
        ("low", "INFO"),
        ("3", "INFO"),
        ("default", "INFO"),
        ("4", "WARNING"),
        ("high", "WARNING"),
        ("5", "ERROR"),
        ("max", "ERROR"),
        ("urgent", "ERROR"),
    ] {
        let by_header = setup
            .as_alice(Method::POST, "/prio")
            .header("X-Priority", priority)
            .body("m");
        assert_eq!(
            setup.publish(by_header).await["type"],
            kind,
            "X-Priority: {priority}"
        );
        let by_query = setup
            .as_alice(Method::PUT, &format!("/prio?p={priority}"))
            .body("m");
        assert_eq!(setup.publish(by_query).await["type"], kind, "?p={priority}");
    }
    for (tag, kind) in [
        ("info", "INFO"),
        ("information_source", "INFO"),
        ("success", "SUCCESS"),
        ("white_check_mark", "SUCCESS"),
        ("heavy_check_mark", "SUCCESS"),
        ("tada", "SUCCESS"),
        ("warning", "WARNING"),
        ("error", "ERROR"),
        ("x", "ERROR"),
        ("rotating_light", "ERROR"),
        ("skull", "ERROR"),
    ] {
        // A tag decides over the priority.
        let request = setup
            .as_alice(Method::POST, "/tags")
            .header("Priority", if kind == "ERROR" { "1" } else { "5" })
            .header("Tags", format!("cd,{tag}"))
            .body("m");
        assert_eq!(setup.publish(request).await["type"], kind, "Tags: {tag}");
    }
    let most_severe = setup
        .as_alice(Method::POST, "/tags?tags=tada,warning,info")
        .body("m");
    assert_eq!(setup.publish(most_severe).await["type"], "WARNING");
}

#[tokio::test]
async fn the_title_comes_from_a_header_the_query_or_the_first_line() {
    let setup = Setup::start();
    let cases = [
        (
            setup
                .as_alice(Method::POST, "/t")
                .header("Title", "From the header"),
            "From the header",
        ),
        (
            setup
                .as_alice(Method::POST, "/t")
                .header("X-Title", "From X-Title"),
            "From X-Title",
        ),
        (
            setup.as_alice(Method::POST, "/t?title=From+the+query"),
            "From the query",
        ),
        (setup.as_alice(Method::POST, "/t?t=From%20t"), "From t"),
        // ntfy allows RFC 2047 in headers, for text outside ASCII.
        (
            setup
                .as_alice(Method::POST, "/t")
                .header("Title", "=?UTF-8?B?8J+agCBEw6lwbG95w6k=?="),
            "🚀 Déployé",
        ),
        (
            setup
                .as_alice(Method::POST, "/t")
                .header("Title", "=?UTF-8?Q?Caf=C3=A9_ouvert?="),
            "Café ouvert",
        ),
        // An empty title is none: the first line is the title.
        (
            setup.as_alice(Method::POST, "/t").header("Title", ""),
            "First line",
        ),
    ];
    for (request, title) in cases {
        let n = setup.publish(request.body("First line\nsecond line")).await;
        assert_eq!(n["title"], title);
        assert_eq!(n["body"], "First line\nsecond line");
    }
    // One line and no title: that line is the title, and there is no body.
    let n = setup
        .publish(setup.as_alice(Method::POST, "/t").body("Backup done\n"))
        .await;
    assert_eq!(
        (n["title"].as_str(), &n["body"]),
        (Some("Backup done"), &Value::Null)
    );
    // The click URL is the link, the topic (lower-cased) the category.
    let request = setup
        .as_alice(Method::PUT, "/Deploys")
        .header("Click", "https://ci.example.com/runs/7")
        .body("Deploy 7 done");
    let n = setup.publish(request).await;
    assert_eq!(
        (&n["link"], &n["category"]),
        (&json!("https://ci.example.com/runs/7"), &json!("deploys"))
    );
}

#[tokio::test]
async fn ntfys_json_body_whatever_its_content_type() {
    let setup = Setup::start();
    let url = setup.server.url();
    // docs.ntfy.sh "Publish as JSON": `curl -d '{…}'` sends it as a form.
    let n = setup.curled(&[
        "-H",
        &format!("Authorization: Bearer {}", setup.alice),
        &url,
        "-d",
        r#"{"topic": "mytopic", "message": "Disk space is low at 5.1 GB", "title": "Low disk space alert",
            "tags": ["warning", "cd"], "priority": 4, "attach": "https://filesrv.lan/space.jpg",
            "filename": "diskspace.jpg", "click": "https://homecamera.lan/xasds1h2xsSsa/",
            "actions": [{"action": "view", "label": "Admin panel", "url": "https://filesrv.lan/admin"}]}"#,
    ])
    .await;
    assert_fields(
        &n,
        "WARNING",
        "Low disk space alert",
        Some("Disk space is low at 5.1 GB"),
        Some("https://homecamera.lan/xasds1h2xsSsa/"),
        Some("mytopic"),
    );
    // As apprise sends it: title and message in JSON, priority, tags and click as headers.
    let request = setup
        .as_alice(Method::POST, "/")
        .header("content-type", "application/json")
        .header("X-Priority", "max")
        .header("X-Tags", "skull,warning")
        .header("X-Click", "https://x.example/1")
        .body(r#"{"topic": "Backups", "title": "Backup failed", "message": "disk full"}"#);
    let n = setup.publish(request).await;
    assert_backup_failed(&n);
    // A JSON field wins over its header; PUT works as POST.
    let request = setup
        .as_alice(Method::PUT, "/")
        .header("Title", "from the header")
        .header("Priority", "5")
        .body(r#"{"topic": "t", "title": "from JSON", "message": "m", "priority": 2}"#);
    let n = setup.publish(request).await;
    assert_eq!(
        (n["title"].as_str(), n["type"].as_str()),
        (Some("from JSON"), Some("INFO"))
    );
}

#[tokio::test]
async fn the_servers_own_names_are_not_topics_and_other_answers_are_unchanged() {
    let setup = Setup::start();
    let post = |path: &str| setup.as_alice(Method::POST, path).body("m");
    setup
        .send(post("/api"))
        .await
        .expect_error(404, "not_found");
    // The web inbox's sign-in page (GET only) and folders: the server's own, never topics.
    setup
        .send(post("/login"))
        .await
        .expect_error(405, "method_not_allowed");
    for folder in ["/assets", "/embed"] {
        setup
            .send(post(folder))
            .await
            .expect_error(404, "not_found");
    }
    let reply = setup.send(post("/healthz")).await;
    assert_eq!(reply.header("allow"), Some("GET"));
    reply.expect_error(405, "method_not_allowed");
    setup
        .send(post("/metrics"))
        .await
        .expect_error(405, "method_not_allowed");
    setup
        .send(post("/favicon.ico"))
        .await
        .expect_error(404, "not_found");
    for method in [Method::GET, Method::DELETE] {
        setup
            .send(setup.as_alice(method, "/backups"))
            .await
            .expect_error(404, "not_found");
    }
    setup
        .send(setup.req(Method::GET, "/nope"))
        .await
        .expect_error(404, "not_found");
    setup
        .send(setup.req(Method::GET, "/healthz"))
        .await
        .expect(200);
    let json_topic = r#"{"topic": "healthz", "message": "m"}"#;
    setup
        .send(setup.as_alice(Method::POST, "/").body(json_topic))
        .await
        .expect_invalid("topic");
    assert_eq!(setup.count(&setup.alice).await, 0);
}

#[tokio::test]
async fn bad_requests_are_refused_with_the_contracts_errors() {
    let setup = Setup::start();
    let post = |path: &str| setup.as_alice(Method::POST, path);
    setup
        .send(post("/t").body(""))
        .await
        .expect_invalid("message");
    setup
        .send(post("/t").header("Title", " ").body(" \n "))
        .await
        .expect_invalid("message");
    setup
        .send(post("/t").header("Priority", "6").body("m"))
        .await
        .expect_error(400, "bad_request");
    setup
        .send(post("/t?priority=loud").body("m"))
        .await
        .expect_error(400, "bad_request");
    setup
        .send(post("/t").body(vec![0xff_u8, 0xfe]))
        .await
        .expect_error(400, "bad_request");
    let not_utf8 = reqwest::header::HeaderValue::from_bytes(b"caf\xe9").unwrap();
    setup
        .send(post("/t").header("Title", not_utf8).body("m"))
        .await
        .expect_error(400, "bad_request");
    setup
        .send(post("/").body("{\"topic\": "))
        .await
        .expect_error(400, "bad_request");
    setup
        .send(post("/").body(r#"{"message": "no topic"}"#))
        .await
        .expect_invalid("topic");
    setup
        .send(post("/").body(r#"{"topic": "t", "priority": 9}"#))
        .await
        .expect_invalid("priority");
    setup
        .send(post("/t").body("x".repeat(70_000)))
        .await
        .expect_error(413, "payload_too_large");
    assert_eq!(
        setup.count(&setup.alice).await,
        0,
        "nothing refused was stored"
    );
    // Too long for notif, not for the sender: cut, not refused; a bad click URL dropped.
    let request = post("/t")
        .header("Click", "myapp://open")
        .body("b".repeat(10_050));
    let n = setup.publish(request).await;
    assert_eq!(n["title"], format!("{}…", "b".repeat(199)));
    assert_eq!((&n["body"], &n["link"]), (&Value::Null, &Value::Null));
}
