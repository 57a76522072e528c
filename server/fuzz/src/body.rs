//! Request bodies: bytes → JSON → the notify and preferences field rules → the stored
//! notification's JSON → its SSE frame → back.
//!
//! The handlers' own `parse` functions are private, so this walks the same public pieces
//! they are made of (`serde_json`, `fields::FieldErrors`, `validate::*`, `hub::HubEvent`)
//! the way `handlers::notify::parse` and `handlers::preferences::parse_patch` do.

use notif_server::error::ApiError;
use notif_server::fields::FieldErrors;
use notif_server::hub::HubEvent;
use notif_server::model::{Kind, Notification};
use notif_server::validate;
use serde_json::{Map, Value};

/// Runs every check on one input; panics on a broken invariant.
pub fn check(data: &[u8]) {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let Some(object) = value.as_object() else {
        return;
    };
    if let Some(notification) = notify(object) {
        frame_round_trips(&notification);
    }
    preferences(object);
}

/// The notify rules; the notification they accept, if any.
fn notify(object: &Map<String, Value>) -> Option<Notification> {
    let mut errors = FieldErrors::default();
    let user_id = errors.optional_str(object, "userId", validate::user_id);
    let title = errors.optional_str(object, "title", validate::title);
    let kind = errors.optional_str(object, "type", validate::kind);
    let body = errors.optional_str(object, "body", validate::body);
    let link = errors.optional_str(object, "link", validate::link);
    let category = errors.optional_str(object, "category", validate::category);
    if let Some(user) = &user_id {
        assert!((1..=64).contains(&user.len()), "user id {user:?}");
    }
    if let Some(title) = &title {
        assert_eq!(title.trim(), title, "titles are stored trimmed");
        assert!(
            (1..=200).contains(&title.chars().count()),
            "title {title:?}"
        );
        assert!(!title.chars().any(char::is_control), "title {title:?}");
    }
    if let Some(link) = &link {
        assert_link_is_web_or_mail(link);
    }
    if let Some(category) = &category {
        assert!(validate::category(category).is_ok(), "{category:?}");
    }
    errors_render(errors.into_result(()));
    Some(Notification {
        seq: 1,
        id: "fuzz".to_owned(),
        user_id: user_id.unwrap_or_else(|| "alice".to_owned()),
        kind: kind.unwrap_or(Kind::Info),
        title: title?,
        body,
        link,
        category,
        read_at: None,
        created_at: 0,
    })
}

/// An accepted link is, as a browser reads it, an http, https or mailto URL of at most
/// 2,048 characters, and holds no control character (a terminal or a log would act on
/// one; a valid URL string has none).
fn assert_link_is_web_or_mail(link: &str) {
    assert!(link.chars().count() <= 2_048);
    // What a browser does first to an href: drop tabs and newlines anywhere, then
    // leading and trailing C0 controls and spaces.
    let seen: String = link
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let seen = seen.trim_matches(|c: char| c <= ' ').to_ascii_lowercase();
    assert!(
        ["http:", "https:", "mailto:"]
            .iter()
            .any(|s| seen.starts_with(s)),
        "link {link:?} is not http, https or mailto"
    );
    assert!(
        !link.chars().any(char::is_control),
        "link {link:?} holds a control character"
    );
}

/// A 422 renders as the contract's error body, naming each field.
fn errors_render(result: Result<(), ApiError>) {
    if let Err(err) = result {
        assert_eq!(err.status().as_u16(), 422);
        let body = serde_json::to_value(err.body()).expect("error bodies serialise");
        assert_eq!(body["error"]["code"], "validation_failed");
        assert!(body["error"]["fields"].is_object(), "{body}");
    }
}

/// The notification's `notification` frame reads back as the same JSON.
fn frame_round_trips(notification: &Notification) {
    let frame = HubEvent::Created(notification.clone()).frame();
    let text = std::str::from_utf8(&frame.bytes).expect("frames are UTF-8");
    assert!(text.ends_with("\n\n"), "{text:?}");
    let body = text.strip_suffix("\n\n").unwrap_or(text);
    assert!(!body.contains("\n\n") && !body.contains('\r'), "{text:?}");
    let data: Vec<&str> = body
        .lines()
        .filter_map(|line| line.strip_prefix("data: "))
        .collect();
    let parsed: Value = serde_json::from_str(&data.join("\n")).expect("data is JSON");
    let expected = serde_json::to_value(notification).expect("notifications serialise");
    assert_eq!(parsed, expected);
}

/// The preferences rules: each category name checked, each channel a bool.
fn preferences(object: &Map<String, Value>) {
    let mut errors = FieldErrors::default();
    errors.optional_bool(object, "inApp", "inApp");
    errors.optional_bool(object, "email", "email");
    if let Some(Value::Object(categories)) = object.get("categories") {
        for (name, entry) in categories {
            let field = format!("categories.{name}");
            if let Err(problem) = validate::category(name) {
                errors.add(&field, format!("category name {problem}"));
                continue;
            }
            if let Value::Object(channels) = entry {
                errors.optional_bool(channels, "inApp", &format!("{field}.inApp"));
                errors.optional_bool(channels, "email", &format!("{field}.email"));
            }
        }
    }
    errors_render(errors.into_result(()));
}
