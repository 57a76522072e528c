//! From Gotify's and ntfy's urgency (a priority number, ntfy's tags) to notif's `type`,
//! by the table in `API.md`.

use crate::model::Kind;

/// Gotify's priorities run from 0 to 10.
pub const GOTIFY_MAX: i64 = 10;

/// Gotify: 0–5 (and absent) → `INFO`, 6–8 → `WARNING`, 9–10 → `ERROR`. `None` outside 0–10.
pub fn gotify_kind(priority: i64) -> Option<Kind> {
    match priority {
        0..=5 => Some(Kind::Info),
        6..=8 => Some(Kind::Warning),
        9..=GOTIFY_MAX => Some(Kind::Error),
        _ => None,
    }
}

/// An ntfy priority, 1 (min) to 5 (max), as ntfy writes it: a digit or a name, any case.
///
/// `None` when it is neither. A value starting with `u=` is HTTP's own `Priority` header
/// (RFC 9218), which proxies add to requests; ntfy reads it as the default, and so do we.
pub fn ntfy_priority(raw: &str) -> Option<u8> {
    let value = raw.trim().to_ascii_lowercase();
    match value.as_str() {
        "1" | "min" => Some(1),
        "2" | "low" => Some(2),
        "3" | "default" => Some(3),
        "4" | "high" => Some(4),
        "5" | "max" | "urgent" => Some(5),
        other if other.starts_with("u=") => Some(3),
        _ => None,
    }
}

/// ntfy: 1–3 (and absent) → `INFO`, 4 → `WARNING`, 5 → `ERROR`.
pub fn ntfy_kind(priority: Option<u8>) -> Kind {
    match priority {
        Some(5) => Kind::Error,
        Some(4) => Kind::Warning,
        _ => Kind::Info,
    }
}

/// The most severe type that ntfy's tags name, if any tag names one.
pub fn tags_kind<'a>(tags: impl IntoIterator<Item = &'a str>) -> Option<Kind> {
    tags.into_iter()
        .filter_map(tag_kind)
        .max_by_key(|kind| severity(*kind))
}

/// The type one tag (an emoji short code, as ntfy shows them) stands for.
fn tag_kind(tag: &str) -> Option<Kind> {
    match tag.trim().to_ascii_lowercase().as_str() {
        "info" | "information_source" => Some(Kind::Info),
        "success" | "white_check_mark" | "heavy_check_mark" | "tada" => Some(Kind::Success),
        "warning" => Some(Kind::Warning),
        "error" | "x" | "rotating_light" | "skull" => Some(Kind::Error),
        _ => None,
    }
}

/// INFO < SUCCESS < WARNING < ERROR.
fn severity(kind: Kind) -> u8 {
    match kind {
        Kind::Info => 0,
        Kind::Success => 1,
        Kind::Warning => 2,
        Kind::Error => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gotify_priorities_map_by_band() {
        let kinds: Vec<_> = (0..=10).map(|p| gotify_kind(p).unwrap()).collect();
        use Kind::*;
        assert_eq!(
            kinds,
            [
                Info, Info, Info, Info, Info, Info, Warning, Warning, Warning, Error, Error
            ]
        );
        assert_eq!(gotify_kind(-1), None);
        assert_eq!(gotify_kind(11), None);
    }

    #[test]
    fn ntfy_priorities_by_number_or_name() {
        for (raw, want) in [
            ("1", 1),
            ("min", 1),
            ("2", 2),
            ("LOW", 2),
            ("3", 3),
            ("default", 3),
            (" 4 ", 4),
            ("high", 4),
            ("5", 5),
            ("max", 5),
            ("Urgent", 5),
            ("u=1, i", 3),
        ] {
            assert_eq!(ntfy_priority(raw), Some(want), "{raw}");
        }
        for raw in ["0", "6", "", "highest", "5.0", "-1"] {
            assert_eq!(ntfy_priority(raw), None, "{raw}");
        }
        let kinds: Vec<_> = [None, Some(1), Some(2), Some(3), Some(4), Some(5)]
            .into_iter()
            .map(ntfy_kind)
            .collect();
        use Kind::*;
        assert_eq!(kinds, [Info, Info, Info, Info, Warning, Error]);
    }

    #[test]
    fn every_mapped_tag_and_the_most_severe_wins() {
        for (tag, kind) in [
            ("info", Kind::Info),
            ("information_source", Kind::Info),
            ("success", Kind::Success),
            ("white_check_mark", Kind::Success),
            ("heavy_check_mark", Kind::Success),
            ("tada", Kind::Success),
            ("warning", Kind::Warning),
            ("error", Kind::Error),
            ("x", Kind::Error),
            ("rotating_light", Kind::Error),
            ("skull", Kind::Error),
        ] {
            assert_eq!(tags_kind([tag]), Some(kind), "{tag}");
        }
        assert_eq!(tags_kind(["tada", "warning", "info"]), Some(Kind::Warning));
        assert_eq!(tags_kind(["skull", "tada"]), Some(Kind::Error));
        assert_eq!(tags_kind(["cd", "partying_face"]), None);
        assert_eq!(tags_kind([]), None);
    }
}
