//! Time as the API shows it: RFC 3339, UTC, milliseconds (`2026-11-24T06:19:55.123Z`);
//! stored as Unix milliseconds.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serializer;

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// Formats Unix milliseconds the way the API does.
pub fn format_ms(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// `serialize_with` for a required timestamp field.
pub fn serialize<S: Serializer>(ms: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_ms(*ms))
}

/// `serialize_with` for an optional timestamp field (`null` when absent).
pub fn serialize_opt<S: Serializer>(ms: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    match ms {
        Some(ms) => s.serialize_str(&format_ms(*ms)),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_milliseconds_and_z() {
        assert_eq!(format_ms(1_795_501_195_123), "2026-11-24T06:19:55.123Z");
        assert_eq!(format_ms(0), "1970-01-01T00:00:00.000Z");
    }
}
