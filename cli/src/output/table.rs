//! The inbox as people read it on a terminal (an aligned table that fits the
//! terminal's width) and as scripts read it (tab-separated rows).

use chrono::{DateTime, Utc};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::{Style, type_color};
use crate::api::types::Notification;
use crate::time;

/// The category column never gets more than this share (in thirds) of the room that
/// title and category share, so that the title keeps most of it.
const CATEGORY_THIRDS: usize = 1;
/// The narrowest a cut category column gets (room for "CATEGORY").
const CATEGORY_MIN: usize = 8;
/// The narrowest the title column gets, even when rows must wrap.
const TITLE_MIN: usize = 10;

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
pub fn pad(text: &str, width: usize) -> String {
    let fill = width.saturating_sub(text.width());
    format!("{text}{}", " ".repeat(fill))
}

/// The widths of the title and category columns, given the room the two share
/// (separators excluded) and how wide each would like to be. Both fit when they can;
/// otherwise the category is cut first (to at most a third of the room), and the
/// title takes the rest.
fn share(room: usize, want_title: usize, want_category: usize) -> (usize, usize) {
    if want_title + want_category <= room {
        return (want_title, want_category);
    }
    let category_cap = (room * CATEGORY_THIRDS / 3).max(CATEGORY_MIN);
    let category = want_category.min(category_cap);
    let title = room.saturating_sub(category).max(TITLE_MIN).min(want_title);
    (title, category)
}

/// The inbox as an aligned table: unread marker, type, title, category, age, id.
/// `width` is the terminal's width: long titles and categories are cut with `…` so
/// that rows do not wrap, and the title gets the room.
pub fn table(items: &[Notification], now: DateTime<Utc>, style: Style, width: usize) -> String {
    let rows: Vec<[String; 4]> = items
        .iter()
        .map(|n| {
            [
                n.kind.as_str().to_owned(),
                n.category.clone().unwrap_or_default(),
                time::relative(n.created_at, now),
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
    let (w_type, w_age, w_id) = (col(0, "TYPE"), col(2, "AGE"), col(3, "ID"));
    // "● " + type + "  " + title + "  " + category + "  " + age + "  " + id
    let fixed = 2 + w_type + 2 + 2 + 2 + w_age + 2 + w_id;
    let want_title = items
        .iter()
        .map(|n| n.title.width())
        .chain(["TITLE".width()])
        .max()
        .unwrap_or(0);
    let (w_title, w_cat) = share(width.saturating_sub(fixed), want_title, col(1, "CATEGORY"));

    let mut out = String::new();
    let header = format!(
        "  {}  {}  {}  {}  ID",
        pad("TYPE", w_type),
        pad("TITLE", w_title),
        pad(&truncate("CATEGORY", w_cat), w_cat),
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
            pad(&truncate(&category, w_cat), w_cat),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::NotificationType;
    use crate::output::fixtures::{at, note};

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
            "  TYPE     TITLE            CATEGORY  AGE  ID",
            "● SUCCESS  Deploy finished  deploy    3m   aaaaaaaaaaaa",
            "  ERROR    Disk full                  2h   bbbbbbbbbbbb",
            "",
        ].join("\n");
        assert_eq!(out, expected);
    }

    #[test]
    fn rows_fit_the_terminal_and_the_title_gets_the_room() {
        let mut a = note(
            "01kmc4w9d1m0cz7zqf6bq8e4a2",
            NotificationType::Warning,
            &"Deploy of the payment service finished on every region ".repeat(2),
            true,
            -30,
        );
        a.category = Some("c".repeat(64));
        for width in [80, 120] {
            let out = table(std::slice::from_ref(&a), at(0), Style::PLAIN, width);
            for line in out.lines() {
                assert!(line.width() <= width, "{width}: {line:?}");
            }
            let row = out.lines().nth(1).unwrap();
            assert!(row.contains("cccc…"), "category cut with …: {row}");
            let title = row.split("  ").nth(1).unwrap();
            let category = row.split("  ").nth(2).unwrap();
            assert!(title.width() > 2 * category.width(), "{row}");
        }
    }

    #[test]
    fn sharing_keeps_what_fits_and_cuts_the_category_first() {
        assert_eq!(share(100, 30, 10), (30, 10));
        assert_eq!(share(60, 100, 64), (40, 20));
        assert_eq!(share(60, 100, 12), (48, 12));
        assert_eq!(share(12, 100, 64), (TITLE_MIN, CATEGORY_MIN));
    }

    #[test]
    fn table_colours_types_when_asked() {
        let a = note("aaaaaa", NotificationType::Warning, "Careful", true, 0);
        let style = Style {
            color: true,
            tty: true,
        };
        let out = table(&[a], at(0), style, 100);
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
}
