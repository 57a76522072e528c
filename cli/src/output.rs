//! How `notif` prints data for people: an aligned table coloured by type, relative
//! times, one-line watch events, preferences. Programs use `--json` instead.
//!
//! Everything here renders to `String`s given an explicit `now` and a [`Style`], so that
//! tests check exact output. Writing to stdout (and treating a closed pipe as success)
//! is [`Out`]'s job.

use std::io::{self, IsTerminal, Write};

use chrono::{DateTime, Local, Utc};
use serde::Serialize;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::api::types::{Notification, NotificationType, Preferences};

/// Whether to colour output, and whether the reader is a person at a terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// ANSI colours on.
    pub color: bool,
    /// stdout is a terminal: print tables with relative times; else tab-separated rows.
    pub tty: bool,
}

impl Style {
    /// Detects the style of stdout: colours only on a terminal and without `NO_COLOR`
    /// (any non-empty value, per no-color.org).
    pub fn detect() -> Self {
        let tty = io::stdout().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style {
            color: tty && !no_color,
            tty,
        }
    }

    /// No colours, not a terminal.
    pub const PLAIN: Style = Style {
        color: false,
        tty: false,
    };

    /// Wraps `text` in the ANSI SGR `code` when colours are on.
    pub fn paint(&self, code: &str, text: &str) -> String {
        if self.color && !code.is_empty() {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
}

/// The SGR colour of each type: info blue, success green, warning yellow, error red.
pub fn type_color(kind: NotificationType) -> &'static str {
    match kind {
        NotificationType::Info => "34",
        NotificationType::Success => "32",
        NotificationType::Warning => "33",
        NotificationType::Error => "1;31",
    }
}

/// `now`, `42s ago`, `3m ago`, `5h ago`, `2d ago`, then the date for a month and more.
pub fn relative_time(now: DateTime<Utc>, then: DateTime<Utc>) -> String {
    let secs = (now - then).num_seconds();
    match secs {
        ..5 => "now".to_owned(),
        5..60 => format!("{secs}s ago"),
        60..3_600 => format!("{}m ago", secs / 60),
        3_600..86_400 => format!("{}h ago", secs / 3_600),
        86_400..2_592_000 => format!("{}d ago", secs / 86_400),
        _ => then.format("%Y-%m-%d").to_string(),
    }
}

/// Cuts `text` to at most `width` display columns, ending in `…` when cut. Control
/// characters become spaces so that a title cannot break the table.
pub fn truncate(text: &str, width: usize) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if clean.width() <= width {
        return clean;
    }
    let mut out = String::new();
    let mut used = 0;
    for c in clean.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// Pads `text` with spaces to `width` display columns.
fn pad(text: &str, width: usize) -> String {
    let fill = width.saturating_sub(text.width());
    format!("{text}{}", " ".repeat(fill))
}

/// The inbox as an aligned table: unread marker, type, title, category, age, id.
/// `width` is the terminal's width; the title column takes what is left.
pub fn table(items: &[Notification], now: DateTime<Utc>, style: Style, width: usize) -> String {
    let rows: Vec<[String; 4]> = items
        .iter()
        .map(|n| {
            [
                n.kind.as_str().to_owned(),
                n.category.clone().unwrap_or_default(),
                relative_time(now, n.created_at),
                n.id.clone(),
            ]
        })
        .collect();
    let col = |i: usize, header: &str| {
        rows.iter()
            .map(|r| r[i].width())
            .chain([header.width()])
            .max()
            .unwrap_or(0)
    };
    let (w_type, w_cat, w_age) = (col(0, "TYPE"), col(1, "CATEGORY"), col(2, "AGE"));
    let fixed = 2 + w_type + 2 + 2 + w_cat + 2 + w_age + 2 + col(3, "ID");
    let w_title_max = items
        .iter()
        .map(|n| n.title.width())
        .max()
        .unwrap_or(0)
        .max(5);
    let w_title = width.saturating_sub(fixed).clamp(20, 80).min(w_title_max);

    let mut out = String::new();
    let header = format!(
        "  {}  {}  {}  {}  ID",
        pad("TYPE", w_type),
        pad("TITLE", w_title),
        pad("CATEGORY", w_cat),
        pad("AGE", w_age)
    );
    out.push_str(&style.paint("2", &header));
    out.push('\n');
    for (n, [kind, category, age, id]) in items.iter().zip(rows) {
        let marker = if n.is_unread() {
            style.paint("1;36", "●")
        } else {
            " ".to_owned()
        };
        let title = pad(&truncate(&n.title, w_title), w_title);
        let title = if n.is_unread() {
            style.paint("1", &title)
        } else {
            title
        };
        out.push_str(&format!(
            "{marker} {}  {title}  {}  {}  {}\n",
            style.paint(type_color(n.kind), &pad(&kind, w_type)),
            pad(&category, w_cat),
            style.paint("2", &pad(&age, w_age)),
            style.paint("2", &id),
        ));
    }
    out
}

/// The inbox for scripts (stdout not a terminal): one tab-separated row per
/// notification: `id`, `unread`|`read`, type, title, category, created-at (RFC 3339).
pub fn plain_rows(items: &[Notification]) -> String {
    let mut out = String::new();
    for n in items {
        let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\n",
            n.id,
            if n.is_unread() { "unread" } else { "read" },
            n.kind,
            clean(&n.title),
            clean(n.category.as_deref().unwrap_or("")),
            n.created_at
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        ));
    }
    out
}

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

/// Preferences as aligned lines: global flags, then one line per category.
pub fn preferences(p: &Preferences) -> String {
    let on = |b: bool| if b { "on" } else { "off" };
    let opt = |b: Option<bool>| b.map_or("(global)", on);
    let mut out = format!("in-app  {}\nemail   {}\n", on(p.in_app), on(p.email));
    if !p.categories.is_empty() {
        let w = p.categories.keys().map(|k| k.width()).max().unwrap_or(0);
        out.push_str("categories:\n");
        for (name, c) in &p.categories {
            out.push_str(&format!(
                "  {}  in-app {:<8}  email {}\n",
                pad(name, w),
                opt(c.in_app),
                opt(c.email)
            ));
        }
    }
    out
}

/// stdout for commands: plain text or JSON, with the detected [`Style`].
#[derive(Debug, Clone, Copy)]
pub struct Out {
    /// Colours and terminal-ness of stdout.
    pub style: Style,
    /// `--json` was given.
    pub json: bool,
}

impl Out {
    /// Writes `text` as is (it should end in a newline), flushing so that `watch` lines
    /// show at once. A closed pipe surfaces as `io::ErrorKind::BrokenPipe`, which the
    /// binary treats as success.
    pub fn text(&self, text: &str) -> io::Result<()> {
        let mut stdout = io::stdout().lock();
        stdout.write_all(text.as_bytes())?;
        stdout.flush()
    }

    /// Writes `value` as pretty JSON, or as one line when `line` (for JSON lines).
    pub fn json<T: Serialize>(&self, value: &T, line: bool) -> io::Result<()> {
        let mut text = if line {
            serde_json::to_string(value)
        } else {
            serde_json::to_string_pretty(value)
        }
        .map_err(io::Error::other)?;
        text.push('\n');
        self.text(&text)
    }

    /// The terminal's width in columns (80 when unknown).
    pub fn width(&self) -> usize {
        match crossterm::terminal::size() {
            Ok((w, _)) if w > 0 => usize::from(w),
            _ => 80,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::CategoryPreferences;
    use chrono::TimeZone;

    fn at(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + secs, 0).single().unwrap()
    }

    fn note(
        id: &str,
        kind: NotificationType,
        title: &str,
        unread: bool,
        created: i64,
    ) -> Notification {
        Notification {
            id: id.into(),
            user_id: "alice".into(),
            kind,
            title: title.into(),
            body: None,
            link: None,
            category: None,
            read_at: if unread { None } else { Some(at(created)) },
            created_at: at(created),
        }
    }

    #[test]
    fn relative_times() {
        let now = at(0);
        assert_eq!(relative_time(now, at(-2)), "now");
        assert_eq!(relative_time(now, at(5)), "now");
        assert_eq!(relative_time(now, at(-42)), "42s ago");
        assert_eq!(relative_time(now, at(-180)), "3m ago");
        assert_eq!(relative_time(now, at(-5 * 3600)), "5h ago");
        assert_eq!(relative_time(now, at(-2 * 86_400)), "2d ago");
        assert_eq!(relative_time(now, at(-40 * 86_400)), "2026-12-06");
    }

    #[test]
    fn truncate_counts_display_width() {
        assert_eq!(truncate("hello", 5), "hello");
        assert_eq!(truncate("hello world", 6), "hello…");
        assert_eq!(truncate("日本語です", 5), "日本…");
        assert_eq!(truncate("a\tb", 5), "a b");
    }

    #[test]
    fn table_is_aligned_and_plain_without_colour() {
        let mut a = note(
            "aaaaaaaaaaaa",
            NotificationType::Success,
            "Deploy finished",
            true,
            -180,
        );
        a.category = Some("deploy".into());
        let b = note(
            "bbbbbbbbbbbb",
            NotificationType::Error,
            "Disk full",
            false,
            -7200,
        );
        let out = table(&[a, b], at(0), Style::PLAIN, 100);
        #[rustfmt::skip]
        let expected = [
            "  TYPE     TITLE            CATEGORY  AGE     ID",
            "● SUCCESS  Deploy finished  deploy    3m ago  aaaaaaaaaaaa",
            "  ERROR    Disk full                  2h ago  bbbbbbbbbbbb",
            "",
        ].join("\n");
        assert_eq!(out, expected);
    }

    #[test]
    fn table_colours_types_when_asked() {
        let a = note("aaaaaa", NotificationType::Warning, "Careful", true, 0);
        let out = table(
            &[a],
            at(0),
            Style {
                color: true,
                tty: true,
            },
            100,
        );
        assert!(out.contains("\x1b[33mWARNING\x1b[0m"), "{out:?}");
    }

    #[test]
    fn plain_rows_are_tab_separated() {
        let mut a = note("aaaaaa", NotificationType::Info, "Hi\tthere", false, 0);
        a.category = Some("ci".into());
        assert_eq!(
            plain_rows(&[a]),
            "aaaaaa\tread\tINFO\tHi there\tci\t2027-01-15T08:00:00.000Z\n"
        );
    }

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
    fn preferences_list_categories() {
        let mut p = Preferences {
            in_app: true,
            email: false,
            categories: Default::default(),
        };
        p.categories.insert(
            "deploy".into(),
            CategoryPreferences {
                in_app: Some(false),
                email: None,
            },
        );
        assert_eq!(
            preferences(&p),
            "in-app  on\nemail   off\ncategories:\n  deploy  in-app off       email (global)\n"
        );
    }
}
