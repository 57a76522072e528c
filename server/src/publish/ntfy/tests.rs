//! ntfy's formats, byte for byte: the requests real senders make and the answer.

use hyper::header::{HeaderName, HeaderValue};

use super::*;
use crate::model::Kind;

fn headers(pairs: &[(&str, &[u8])]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        let name = HeaderName::from_bytes(name.as_bytes()).unwrap();
        map.append(name, HeaderValue::from_bytes(value).unwrap());
    }
    map
}

fn topic_form(pairs: &[(&str, &[u8])], query: &str, body: &str) -> Result<Draft, u16> {
    parse_topic(
        "Backups",
        &headers(pairs),
        &Query::parse(Some(query)),
        body.as_bytes(),
    )
    .map(|m| m.draft)
    .map_err(|e| e.status().as_u16())
}

fn json_form(pairs: &[(&str, &[u8])], body: &str) -> Result<NtfyMessage, ApiError> {
    parse_json(&headers(pairs), &Query::default(), body.as_bytes(), |t| {
        ["api", "message"].contains(&t.to_ascii_lowercase().as_str())
    })
}

fn fields(err: ApiError) -> (u16, Vec<String>) {
    let status = err.status().as_u16();
    match err {
        ApiError::Validation { fields, .. } => (status, fields.into_keys().collect()),
        _ => (status, Vec::new()),
    }
}

fn draft(title: Option<&str>, message: Option<&str>, kind: Kind, click: Option<&str>) -> Draft {
    Draft {
        title: title.map(str::to_owned),
        message: message.map(str::to_owned),
        kind,
        click: click.map(str::to_owned),
        category: Some("backups".to_owned()),
    }
}

#[test]
fn ntfys_own_header_example() {
    // docs.ntfy.sh "Publishing": Title, Priority: urgent, Tags: warning,skull.
    let d = topic_form(
        &[
            ("title", b"Unauthorized access detected"),
            ("priority", b"urgent"),
            ("tags", b"warning,skull"),
        ],
        "",
        "Remote access to phils-laptop detected. Act right away.",
    );
    let want = draft(
        Some("Unauthorized access detected"),
        Some("Remote access to phils-laptop detected. Act right away."),
        Kind::Error,
        None,
    );
    assert_eq!(d, Ok(want));
}

#[test]
fn every_name_of_every_parameter() {
    for (header, value) in [("x-title", "T"), ("title", "T"), ("t", "T")] {
        let d = topic_form(&[(header, value.as_bytes())], "", "m").unwrap();
        assert_eq!(d.title.as_deref(), Some("T"), "{header}");
    }
    for query in ["t=T", "title=T", "x-title=T"] {
        assert_eq!(
            topic_form(&[], query, "m").unwrap().title.as_deref(),
            Some("T"),
            "{query}"
        );
    }
    for (query, kind) in [
        ("p=4", Kind::Warning),
        ("prio=max", Kind::Error),
        ("priority=1", Kind::Info),
    ] {
        assert_eq!(topic_form(&[], query, "m").unwrap().kind, kind, "{query}");
    }
    for query in ["ta=tada", "tag=tada", "tags=cd,tada", "x-tags=tada"] {
        assert_eq!(
            topic_form(&[], query, "m").unwrap().kind,
            Kind::Success,
            "{query}"
        );
    }
    let d = topic_form(&[("x-click", b"https://x.example/1")], "", "m").unwrap();
    assert_eq!(d.click.as_deref(), Some("https://x.example/1"));
    let d = topic_form(&[], "click=https://x.example/2", "m").unwrap();
    assert_eq!(d.click.as_deref(), Some("https://x.example/2"));
}

#[test]
fn headers_win_over_query_and_blank_is_absent() {
    let d = topic_form(&[("title", b"from header")], "title=from+query", "m").unwrap();
    assert_eq!(d.title.as_deref(), Some("from header"));
    let d = topic_form(&[("title", b"  ")], "title=from+query", "m").unwrap();
    assert_eq!(d.title.as_deref(), Some("from query"));
    let d = topic_form(&[("x-title", b""), ("t", b"")], "", "m").unwrap();
    assert_eq!(d.title, None);
}

#[test]
fn the_body_is_the_message_else_the_message_parameter() {
    let d = topic_form(&[("message", b"from header")], "", "  from body\n").unwrap();
    assert_eq!(d.message.as_deref(), Some("from body"));
    let d = topic_form(&[], "m=line+1%5Cnline+2", "").unwrap();
    assert_eq!(d.message.as_deref(), Some("line 1\nline 2"));
    assert_eq!(topic_form(&[], "", "").unwrap().message, None);
    let not_utf8 = parse_topic("t", &HeaderMap::new(), &Query::default(), b"\xff\xfe");
    assert_eq!(not_utf8.unwrap_err().status().as_u16(), 400);
}

#[test]
fn rfc2047_headers_decode() {
    let d = topic_form(
        &[
            ("title", b"=?UTF-8?B?8J+agCBEw6lwbG95?="),
            ("tags", b"=?UTF-8?Q?tada?="),
        ],
        "",
        "m",
    )
    .unwrap();
    assert_eq!(
        (d.title.as_deref(), d.kind),
        (Some("🚀 Déploy"), Kind::Success)
    );
    let raw_utf8 = topic_form(&[("title", "Déploy".as_bytes())], "", "m").unwrap();
    assert_eq!(raw_utf8.title.as_deref(), Some("Déploy"));
    assert_eq!(topic_form(&[("title", b"\xff")], "", "m"), Err(400));
}

#[test]
fn tags_override_priority_and_the_most_severe_wins() {
    let d = topic_form(&[("priority", b"5"), ("tags", b"tada")], "", "m").unwrap();
    assert_eq!(d.kind, Kind::Success);
    let d = topic_form(
        &[("priority", b"1"), ("tags", b"tada, warning ,cd")],
        "",
        "m",
    )
    .unwrap();
    assert_eq!(d.kind, Kind::Warning);
    let d = topic_form(&[("priority", b"high"), ("tags", b"cd")], "", "m").unwrap();
    assert_eq!(d.kind, Kind::Warning);
}

#[test]
fn a_bad_priority_parameter_is_400() {
    assert_eq!(topic_form(&[("priority", b"6")], "", "m"), Err(400));
    assert_eq!(topic_form(&[], "p=urgentest", "m"), Err(400));
    // HTTP's own Priority header (RFC 9218), added by proxies, is not ntfy's.
    assert_eq!(
        topic_form(&[("priority", b"u=3, i")], "", "m")
            .unwrap()
            .kind,
        Kind::Info
    );
}

#[test]
fn apprise_json_with_priority_tags_and_click_as_headers() {
    // Exactly what apprise 2.3 sends for `ntfy://alice:TOKEN@HOST/backups?priority=max&…`.
    let m = json_form(
        &[
            ("x-priority", b"max"),
            ("x-click", b"https://x.example/1"),
            ("x-tags", b"skull,warning"),
        ],
        r#"{"topic": "backups", "title": "T", "message": "B"}"#,
    )
    .unwrap();
    assert_eq!(m.topic, "backups");
    assert_eq!(
        m.draft,
        draft(
            Some("T"),
            Some("B"),
            Kind::Error,
            Some("https://x.example/1")
        )
    );
}

#[test]
fn json_fields_win_over_headers() {
    let body = r#"{"topic": "Backups", "title": "J", "message": "JM", "priority": 4,
        "tags": ["tada"], "click": "https://j.example", "attach": "x", "actions": []}"#;
    let m = json_form(
        &[
            ("title", b"H"),
            ("message", b"HM"),
            ("priority", b"bogus"),
            ("tags", b"skull"),
            ("click", b"https://h.example"),
        ],
        body,
    )
    .unwrap();
    assert_eq!(
        (m.topic.as_str(), m.draft.category.as_deref()),
        ("Backups", Some("backups"))
    );
    assert_eq!(
        m.draft,
        draft(
            Some("J"),
            Some("JM"),
            Kind::Success,
            Some("https://j.example")
        )
    );
    let empty_title = json_form(
        &[("title", b"H")],
        r#"{"topic": "b", "title": "", "message": "m"}"#,
    );
    assert_eq!(empty_title.unwrap().draft.title.as_deref(), Some("H"));
    let zero = json_form(
        &[("priority", b"4")],
        r#"{"topic": "b", "message": "m", "priority": 0}"#,
    );
    assert_eq!(zero.unwrap().draft.kind, Kind::Warning);
}

#[test]
fn bad_json_bodies() {
    assert_eq!(
        fields(json_form(&[], "{\"topic\": ").unwrap_err()),
        (400, vec![])
    );
    assert_eq!(
        fields(json_form(&[], "just text").unwrap_err()),
        (400, vec![])
    );
    assert_eq!(fields(json_form(&[], "[]").unwrap_err()), (422, vec![]));
    for (body, field) in [
        (r#"{"message": "m"}"#, "topic"),
        (r#"{"topic": "a b", "message": "m"}"#, "topic"),
        (r#"{"topic": "API", "message": "m"}"#, "topic"),
        (r#"{"topic": "t", "priority": 6}"#, "priority"),
        (r#"{"topic": "t", "priority": "loud"}"#, "priority"),
        (r#"{"topic": "t", "tags": [1]}"#, "tags"),
        (r#"{"topic": "t", "title": 5}"#, "title"),
    ] {
        assert_eq!(
            fields(json_form(&[], body).unwrap_err()),
            (422, vec![field.into()]),
            "{body}"
        );
    }
    let bad_header = json_form(
        &[("priority", b"loud")],
        r#"{"topic": "t", "message": "m"}"#,
    );
    assert_eq!(fields(bad_header.unwrap_err()), (400, vec![]));
}

#[test]
fn topics_have_ntfys_shape() {
    assert!(is_topic("backups_2-x"));
    assert!(is_topic(&"a".repeat(64)));
    for not in ["", "a.b", "a b", "é", &"a".repeat(65)] {
        assert!(!is_topic(not), "{not}");
    }
}

#[test]
fn answer_in_ntfys_shape() {
    let message = NtfyMessage {
        draft: draft(None, Some("Backup successful 😀"), Kind::Info, None),
        topic: "Backups".into(),
    };
    let receipt = Receipt::stored(3, "Backup successful 😀");
    assert_eq!(
        serde_json::to_string(&answer(&message, &receipt)).unwrap(),
        r#"{"id":"tz4a98xxat96iws9zmbrgj3a","time":1795501195,"event":"message","topic":"Backups","title":"Backup successful 😀","message":"Backup successful 😀"}"#
    );
}
