//! Short relative times ("now", "42s", "5m", "3h", "2d", then a date), the one way both
//! `notif list` and the TUI show ages, computed against a clock the caller passes in so
//! that output is testable.

use chrono::{DateTime, Utc};

/// Ages from a week on are shown as dates.
const WEEK: i64 = 7 * 86_400;
/// Ages from a year on are shown as year and month.
const YEAR: i64 = 365 * 86_400;

/// The age of `at` seen from `now`, in at most 7 characters.
pub fn relative(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - at).num_seconds();
    match secs {
        ..5 => "now".to_owned(),
        5..60 => format!("{secs}s"),
        60..3_600 => format!("{}m", secs / 60),
        3_600..86_400 => format!("{}h", secs / 3_600),
        86_400..WEEK => format!("{}d", secs / 86_400),
        WEEK..YEAR => at.format("%b %d").to_string(),
        _ => at.format("%Y-%m").to_string(),
    }
}

/// A full timestamp for the detail pane: "2026-11-24 06:19:55 UTC (5m ago)".
pub fn full(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let stamp = at.format("%Y-%m-%d %H:%M:%S UTC");
    match (now - at).num_seconds() {
        ..5 => format!("{stamp} (just now)"),
        5..WEEK => format!("{stamp} ({} ago)", relative(at, now)),
        _ => stamp.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    fn ago(secs: i64) -> String {
        let now = DateTime::parse_from_rfc3339("2026-11-24T06:19:55Z")
            .unwrap()
            .with_timezone(&Utc);
        relative(now - TimeDelta::seconds(secs), now)
    }

    #[test]
    fn ages_use_the_largest_whole_unit() {
        assert_eq!(ago(-3), "now");
        assert_eq!(ago(0), "now");
        assert_eq!(ago(42), "42s");
        assert_eq!(ago(5 * 60 + 59), "5m");
        assert_eq!(ago(3 * 3_600), "3h");
        assert_eq!(ago(2 * 86_400), "2d");
        assert_eq!(ago(30 * 86_400), "Oct 25");
        assert_eq!(ago(400 * 86_400), "2025-10");
    }

    #[test]
    fn full_times_say_how_long_ago() {
        let now = DateTime::parse_from_rfc3339("2026-11-24T06:19:55Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            full(now - TimeDelta::minutes(5), now),
            "2026-11-24 06:14:55 UTC (5m ago)"
        );
        assert_eq!(full(now, now), "2026-11-24 06:19:55 UTC (just now)");
    }
}
