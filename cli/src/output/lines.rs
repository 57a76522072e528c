//! Line-oriented output for people: one line per `notif watch` event, and the
//! preferences of `notif prefs`.

use chrono::Local;
use unicode_width::UnicodeWidthStr;

use super::{Style, pad, truncate, type_color};
use crate::api::types::{Notification, Preferences};

/// One line of `notif watch`: local time, type, title, first line of the body, link, id.
pub fn watch_line(n: &Notification, style: Style) -> String {
    let time = n
        .created_at
        .with_timezone(&Local)
        .format("%H:%M:%S")
        .to_string();
    let mut line = format!(
        "{} {} {}",
        style.paint("2", &time),
        style.paint(type_color(n.kind), &pad(n.kind.as_str(), 7)),
        style.paint("1", &truncate(&n.title, 200)),
    );
    if let Some(body) = n
        .body
        .as_deref()
        .and_then(|b| b.lines().next())
        .filter(|b| !b.is_empty())
    {
        line.push_str(&format!(" — {}", truncate(body, 120)));
    }
    if let Some(link) = &n.link {
        line.push_str(&format!("  {}", style.paint("4", link)));
    }
    if let Some(category) = &n.category {
        line.push_str(&format!("  [{category}]"));
    }
    line.push_str(&format!("  {}", style.paint("2", &n.id)));
    line
}

/// Preferences as aligned lines: global flags, then one line per category. A category
/// value that equals the global one is shown as inherited (`off (global)`): the
/// server reports effective values, so one set to the same value as the global flag
/// cannot be told apart from one left unset.
pub fn preferences(p: &Preferences) -> String {
    let on = |b: bool| if b { "on" } else { "off" };
    let value = |own: Option<bool>, global: bool| match own {
        Some(v) if v != global => on(v).to_owned(),
        _ => format!("{} (global)", on(global)),
    };
    let mut out = format!("in-app  {}\nemail   {}\n", on(p.in_app), on(p.email));
    if !p.categories.is_empty() {
        let w = p.categories.keys().map(|k| k.width()).max().unwrap_or(0);
        out.push_str("categories:\n");
        for (name, c) in &p.categories {
            out.push_str(&format!(
                "  {}  in-app {:<12}  email {}\n",
                pad(name, w),
                value(c.in_app, p.in_app),
                value(c.email, p.email)
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::{CategoryPreferences, NotificationType};
    use crate::output::fixtures::note;

    #[test]
    fn watch_line_has_title_body_link_and_id() {
        let mut a = note("abc123", NotificationType::Info, "Build", true, 0);
        a.body = Some("first\nsecond".into());
        a.link = Some("https://x".into());
        let line = watch_line(&a, Style::PLAIN);
        assert!(
            line.ends_with("INFO    Build — first  https://x  abc123"),
            "{line}"
        );
    }

    #[test]
    fn preferences_tell_own_values_from_inherited_ones() {
        let mut p = Preferences {
            in_app: false,
            email: true,
            categories: Default::default(),
        };
        // As the server reports `prefs set --category deploy --email off` after
        // `prefs set --in-app off`: in-app is the inherited global value.
        p.categories.insert(
            "deploy".into(),
            CategoryPreferences {
                in_app: Some(false),
                email: Some(false),
            },
        );
        p.categories.insert(
            "ci".into(),
            CategoryPreferences {
                in_app: Some(true),
                email: None,
            },
        );
        assert_eq!(
            preferences(&p),
            "in-app  off\nemail   on\ncategories:\n  \
             ci      in-app on            email on (global)\n  \
             deploy  in-app off (global)  email off\n"
        );
    }
}
