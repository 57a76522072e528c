//! From a Gotify/ntfy message to notif's notification, with the adaptations `API.md` lists
//! because the sending tools cannot adapt to notif: a missing title is taken from the
//! message's first line, an over-long title or body is cut (ending in `…`), and a click URL
//! notif's `link` rule refuses is dropped. Everything else is validated as notify does.

use crate::error::ApiError;
use crate::fields::FieldErrors;
use crate::model::NewNotification;
use crate::publish::Draft;
use crate::validate::{self, BODY_MAX, TITLE_MAX};

/// What marks a cut: the text ends in it, within the limit.
pub const ELLIPSIS: char = '…';

/// The notification `draft` asks for, for `user_id`: `422` (naming the field) when it has
/// neither a title nor a message, or when its title breaks notif's title rule.
pub fn notification(draft: &Draft, user_id: String) -> Result<NewNotification, ApiError> {
    let title = draft
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let message = draft
        .message
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty());
    let (title, body) = match (title, message) {
        (Some(title), message) => (title, message),
        (None, Some(message)) => {
            let first_line = first_line(message);
            let rest_of_message = message.len() > first_line.len();
            (first_line, rest_of_message.then_some(message))
        }
        (None, None) => {
            return Err(ApiError::invalid_field(
                "message",
                "must not be empty when there is no title",
            ));
        }
    };
    let mut errors = FieldErrors::default();
    let title = validate::title(&cut(title, TITLE_MAX))
        .map_err(|problem| errors.add("title", problem))
        .ok();
    let body = body.map(|b| cut(b, BODY_MAX));
    let link = draft
        .click
        .as_deref()
        .map(str::trim)
        .and_then(|url| validate::link(url).ok());
    errors.into_result(())?;
    let Some(title) = title else {
        // A broken title was reported just above.
        return Err(ApiError::invalid_field("title", "is required"));
    };
    Ok(NewNotification {
        user_id,
        kind: draft.kind,
        title,
        body,
        link,
        category: draft.category.clone(),
    })
}

/// The message's first line, without its line break (`\n` or `\r\n`), trimmed.
fn first_line(message: &str) -> &str {
    message.lines().next().unwrap_or_default().trim()
}

/// `text` if it has at most `max` characters, else its first `max - 1` and `…`.
pub fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push(ELLIPSIS);
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;

    fn draft(title: Option<&str>, message: Option<&str>) -> Draft {
        Draft {
            title: title.map(str::to_owned),
            message: message.map(str::to_owned),
            kind: Kind::Warning,
            click: None,
            category: Some("backups".to_owned()),
        }
    }

    fn adapt(d: &Draft) -> Result<NewNotification, ApiError> {
        notification(d, "alice".to_owned())
    }

    fn field_of(err: ApiError) -> String {
        match err {
            ApiError::Validation { fields, .. } => fields.into_keys().collect::<Vec<_>>().join(","),
            other => panic!("expected 422, got {other:?}"),
        }
    }

    #[test]
    fn title_and_message_become_title_and_body() {
        let n = adapt(&draft(Some(" Backup done "), Some("3 GB\n"))).unwrap();
        assert_eq!(n.title, "Backup done");
        assert_eq!(n.body.as_deref(), Some("3 GB"));
        assert_eq!(
            (n.kind, n.category.as_deref()),
            (Kind::Warning, Some("backups"))
        );
        assert_eq!(n.user_id, "alice");
    }

    #[test]
    fn a_missing_empty_or_blank_title_takes_the_first_line() {
        for title in [None, Some(""), Some("  \t ")] {
            let n = adapt(&draft(title, Some("Disk full\r\non /var"))).unwrap();
            assert_eq!(n.title, "Disk full");
            assert_eq!(n.body.as_deref(), Some("Disk full\r\non /var"));
        }
        let one_line = adapt(&draft(None, Some("  Disk full \n"))).unwrap();
        assert_eq!(
            (one_line.title.as_str(), one_line.body),
            ("Disk full", None)
        );
    }

    #[test]
    fn nothing_to_say_is_422_on_message() {
        for message in [None, Some(""), Some(" \n ")] {
            assert_eq!(
                field_of(adapt(&draft(None, message)).unwrap_err()),
                "message"
            );
        }
        let title_only = adapt(&draft(Some("Ping"), Some(""))).unwrap();
        assert_eq!((title_only.title.as_str(), title_only.body), ("Ping", None));
    }

    #[test]
    fn long_titles_and_bodies_are_cut_with_an_ellipsis() {
        let n = adapt(&draft(Some(&"é".repeat(300)), Some(&"b".repeat(10_500)))).unwrap();
        assert_eq!(n.title.chars().count(), 200);
        assert!(n.title.ends_with("é…"));
        let body = n.body.unwrap();
        assert_eq!(body.chars().count(), 10_000);
        assert!(body.ends_with("b…"));
        let first = adapt(&draft(None, Some(&format!("{}\nmore", "t".repeat(250))))).unwrap();
        assert_eq!(first.title, format!("{}…", "t".repeat(199)));
        let exact = adapt(&draft(Some(&"x".repeat(200)), None)).unwrap();
        assert_eq!(exact.title, "x".repeat(200));
    }

    #[test]
    fn control_characters_in_a_title_are_still_refused() {
        let err = adapt(&draft(Some("\u{7}\u{7}"), Some("x"))).unwrap_err();
        assert_eq!(field_of(err), "title");
        let err = adapt(&draft(Some("a\nb"), None)).unwrap_err();
        assert_eq!(field_of(err), "title");
    }

    #[test]
    fn unusable_click_urls_are_dropped() {
        let mut d = draft(Some("t"), None);
        for (click, link) in [
            ("https://ci.example.com/1", Some("https://ci.example.com/1")),
            (" mailto:ops@example.com ", Some("mailto:ops@example.com")),
            ("geo:0,0?q=home", None),
            ("myapp://open", None),
            ("javascript:alert(1)", None),
            ("", None),
        ] {
            d.click = Some(click.to_owned());
            assert_eq!(adapt(&d).unwrap().link.as_deref(), link, "{click}");
        }
    }

    #[test]
    fn cut_counts_characters_not_bytes() {
        assert_eq!(cut("abc", 3), "abc");
        assert_eq!(cut("abcd", 3), "ab…");
        assert_eq!(cut("ééé", 2), "é…");
    }
}
