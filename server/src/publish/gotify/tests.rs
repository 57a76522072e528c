//! Gotify's formats, byte for byte: the bodies real senders produce and the answer.

use super::*;

async fn parse_ok(content_type: Option<&str>, query: &str, body: &str) -> GotifyMessage {
    parse(
        content_type,
        &Query::parse(Some(query)),
        Bytes::from(body.to_owned()),
    )
    .await
    .unwrap()
}

async fn parse_err(content_type: Option<&str>, body: &str) -> (u16, Vec<String>) {
    let err = parse(
        content_type,
        &Query::default(),
        Bytes::from(body.to_owned()),
    )
    .await
    .unwrap_err();
    let fields = match &err {
        ApiError::Validation { fields, .. } => fields.keys().cloned().collect(),
        _ => Vec::new(),
    };
    (err.status().as_u16(), fields)
}

fn draft(title: Option<&str>, message: &str, kind: Kind, click: Option<&str>) -> Draft {
    Draft {
        title: title.map(str::to_owned),
        message: Some(message.to_owned()),
        kind,
        click: click.map(str::to_owned),
        category: None,
    }
}

const JSON: Option<&str> = Some("application/json");
const FORM: Option<&str> = Some("application/x-www-form-urlencoded");

#[tokio::test]
async fn apprise_json_body() {
    // Exactly what apprise 2.3 sends for `gotify://HOST/TOKEN`.
    let body = r#"{"priority": 5, "title": "Deploy finished", "message": "web-1 is on v2.3.1"}"#;
    let m = parse_ok(JSON, "", body).await;
    let want = draft(
        Some("Deploy finished"),
        "web-1 is on v2.3.1",
        Kind::Info,
        None,
    );
    assert_eq!((m.draft, m.priority), (want, Some(5)));
}

#[tokio::test]
async fn extras_click_url_is_the_link() {
    let body = r#"{"message": "m", "priority": 9, "extras": {
        "client::display": {"contentType": "text/markdown"},
        "client::notification": {"click": {"url": "https://gotify.net"}}}}"#;
    let m = parse_ok(JSON, "", body).await;
    let want = draft(None, "m", Kind::Error, Some("https://gotify.net"));
    assert_eq!(m.draft, want);
}

#[tokio::test]
async fn urlencoded_form_and_query_fields() {
    let m = parse_ok(
        FORM,
        "token=x&priority=1",
        "title=Disk+full&message=on+%2Fvar&priority=7",
    )
    .await;
    assert_eq!(
        m.draft,
        draft(Some("Disk full"), "on /var", Kind::Warning, None)
    );
    assert_eq!(m.priority, Some(7));
    let from_query = parse_ok(None, "title=T&message=M&priority=10", "").await;
    assert_eq!(from_query.draft, draft(Some("T"), "M", Kind::Error, None));
    let extras = r#"{"client::notification":{"click":{"url":"https://x.example/1"}}}"#;
    let form = format!("message=m&extras={}", urlencode(extras));
    let m = parse_ok(FORM, "", &form).await;
    assert_eq!(m.draft.click.as_deref(), Some("https://x.example/1"));
}

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn multipart_form_as_curl_sends_it() {
    // `curl -F "title=my title" -F "message=my message" -F "priority=5"`.
    let body = "--------------------------d74496d66958873e\r\n\
        Content-Disposition: form-data; name=\"title\"\r\n\r\nmy title\r\n\
        --------------------------d74496d66958873e\r\n\
        Content-Disposition: form-data; name=\"message\"\r\n\r\nmy message\r\nline 2\r\n\
        --------------------------d74496d66958873e\r\n\
        Content-Disposition: form-data; name=\"priority\"\r\n\r\n8\r\n\
        --------------------------d74496d66958873e\r\n\
        Content-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\n\
        Content-Type: application/octet-stream\r\n\r\n\x01\x02\r\n\
        --------------------------d74496d66958873e--\r\n";
    let ct = "multipart/form-data; boundary=------------------------d74496d66958873e";
    let m = parse_ok(Some(ct), "", body).await;
    let want = draft(
        Some("my title"),
        "my message\r\nline 2",
        Kind::Warning,
        None,
    );
    assert_eq!((m.draft, m.priority), (want, Some(8)));
}

#[tokio::test]
async fn json_is_json_whatever_its_content_type() {
    // `curl -d '{…}'` sends JSON labelled as a form.
    let m = parse_ok(FORM, "", r#" {"message": "hi", "priority": "6"}"#).await;
    assert_eq!(m.draft, draft(None, "hi", Kind::Warning, None));
    let m = parse_ok(Some("text/plain"), "", r#"{"message": "hi"}"#).await;
    assert_eq!(m.priority, None);
}

#[tokio::test]
async fn malformed_bodies_are_400() {
    assert_eq!(parse_err(JSON, "{\"message\": ").await.0, 400);
    assert_eq!(parse_err(JSON, "").await.0, 400);
    assert_eq!(parse_err(Some("multipart/form-data"), "x").await.0, 400);
    let truncated = "--b\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\nhalf";
    assert_eq!(
        parse_err(Some("multipart/form-data; boundary=b"), truncated)
            .await
            .0,
        400
    );
}

#[tokio::test]
async fn rule_breaking_fields_are_422() {
    assert_eq!(parse_err(JSON, "[1]").await, (422, vec![]));
    for body in [
        r#"{"message": "m", "priority": 11}"#,
        r#"{"message": "m", "priority": -1}"#,
        r#"{"message": "m", "priority": 5.5}"#,
        r#"{"message": "m", "priority": "high"}"#,
        r#"{"message": "m", "priority": true}"#,
    ] {
        assert_eq!(
            parse_err(JSON, body).await,
            (422, vec!["priority".into()]),
            "{body}"
        );
    }
    assert_eq!(
        parse_err(FORM, "message=m&priority=x").await.1,
        ["priority"]
    );
    let both = r#"{"message": 5, "title": [], "extras": "nope"}"#;
    assert_eq!(
        parse_err(JSON, both).await.1,
        ["extras", "message", "title"]
    );
    assert_eq!(parse_err(FORM, "message=m&extras=%7Bx").await.1, ["extras"]);
}

#[tokio::test]
async fn empty_and_null_fields_are_absent() {
    let m = parse_ok(
        JSON,
        "",
        r#"{"title": null, "message": "m", "priority": null, "extras": null}"#,
    )
    .await;
    assert_eq!((m.draft.title, m.priority), (None, None));
    let m = parse_ok(FORM, "", "message=m&priority=&extras=").await;
    assert_eq!((m.priority, m.draft.click), (None, None));
}

#[test]
fn answer_in_gotifys_shape() {
    let message = GotifyMessage {
        draft: draft(None, "web-1 is on v2.3.1", Kind::Info, None),
        priority: Some(5),
    };
    let receipt = Receipt::stored(42, "web-1 is on v2.3.1");
    assert_eq!(
        serde_json::to_string(&answer(&message, &receipt)).unwrap(),
        r#"{"id":42,"appid":0,"title":"web-1 is on v2.3.1","message":"web-1 is on v2.3.1","priority":5,"date":"2026-11-24T06:19:55.123Z"}"#
    );
    let nothing_stored = Receipt {
        seq: None,
        id: None,
        ..receipt
    };
    let no_priority = GotifyMessage {
        priority: None,
        ..message
    };
    let text = serde_json::to_string(&answer(&no_priority, &nothing_stored)).unwrap();
    assert!(text.starts_with(r#"{"id":0,"appid":0,"#), "{text}");
    assert!(text.contains(r#""priority":0,"#), "{text}");
}
