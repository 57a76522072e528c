//! Request bodies: bytes → JSON → the handlers' own notify and preferences parsing
//! (`handlers::notify::parse`, `handlers::preferences::parse_patch`) → the stored
//! notification's JSON → its SSE frame → back.

use notif_server::error::ApiError;
use notif_server::handlers::{notify, preferences};
use notif_server::model::{Notification, Principal, Scope};
use notif_server::sse::events;
use notif_server::validate;
use serde_json::Value;

/// Runs every check on one input; panics on a broken invariant.
pub fn check(data: &[u8]) {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    for principal in [
        Principal {
            token_id: 1,
            scope: Scope::User("alice".to_owned()),
            last_used_at: None,
        },
        Principal {
            token_id: 2,
            scope: Scope::Service,
            last_used_at: None,
        },
    ] {
        if let Some(notification) = notify_rules(&value, &principal) {
            frame_round_trips(&notification);
        }
    }
    preferences_rules(&value);
}

/// The notify rules as the handler applies them; the notification they accept, if any.
fn notify_rules(body: &Value, principal: &Principal) -> Option<Notification> {
    let new = match notify::parse(body, principal) {
        Ok(new) => new,
        Err(err) => {
            errors_render(err);
            return None;
        }
    };
    assert!(
        validate::user_id(&new.user_id).is_ok(),
        "user id {:?}",
        new.user_id
    );
    if let Scope::User(own) = &principal.scope {
        assert_eq!(&new.user_id, own, "a user token notifies only itself");
    }
    let title = &new.title;
    assert_eq!(title.trim(), title, "titles are stored trimmed");
    assert!(
        (1..=200).contains(&title.chars().count()),
        "title {title:?}"
    );
    assert!(!title.chars().any(char::is_control), "title {title:?}");
    if let Some(body) = &new.body {
        assert!(body.chars().count() <= 10_000);
    }
    if let Some(link) = &new.link {
        assert_link_is_web_or_mail(link);
    }
    if let Some(category) = &new.category {
        assert!(validate::category(category).is_ok(), "{category:?}");
    }
    Some(Notification {
        seq: 1,
        id: "fuzz".to_owned(),
        user_id: new.user_id,
        kind: new.kind,
        title: new.title,
        body: new.body,
        link: new.link,
        category: new.category,
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

/// A refused body is a 422 naming each field (or none, for a body that is not an object),
/// or the 403 of a user token naming another user; it renders as the contract's body.
fn errors_render(err: ApiError) {
    let body = serde_json::to_value(err.body()).expect("error bodies serialise");
    match err.status().as_u16() {
        422 => {
            assert_eq!(body["error"]["code"], "validation_failed");
            assert!(
                body["error"]["message"]
                    .as_str()
                    .is_some_and(|m| !m.is_empty()),
                "{body}"
            );
        }
        403 => assert_eq!(body["error"]["code"], "forbidden"),
        other => panic!("a body was refused with {other}: {body}"),
    }
}

/// The notification's `notification` frame reads back as the same JSON.
fn frame_round_trips(notification: &Notification) {
    let frame = events::notification(notification).expect("notifications serialise");
    let text = std::str::from_utf8(&frame).expect("frames are UTF-8");
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

/// The preferences rules as the handler applies them: what they accept names only valid
/// categories, at most 100 of them.
fn preferences_rules(body: &Value) {
    match preferences::parse_patch(body) {
        Ok(patch) => {
            assert!(patch.categories.len() <= 100);
            for name in patch.categories.keys() {
                assert!(validate::category(name).is_ok(), "{name:?}");
            }
        }
        Err(err) => errors_render(err),
    }
}
