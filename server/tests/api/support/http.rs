//! The kit's request helpers ([`notif_tests::http`]) and the one assertion that needs
//! `chrono`, which the kit does not depend on.

pub use notif_tests::http::*;
use serde_json::Value;

/// Asserts `value` is an RFC 3339 UTC timestamp with milliseconds: `2026-11-24T06:19:55.123Z`.
#[track_caller]
pub fn assert_timestamp(value: &Value) {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("timestamp must be a string, got {value}"));
    let shape_ok = text.len() == 24
        && text.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            10 => b == b'T',
            13 | 16 => b == b':',
            19 => b == b'.',
            23 => b == b'Z',
            _ => b.is_ascii_digit(),
        });
    assert!(
        shape_ok && chrono::DateTime::parse_from_rfc3339(text).is_ok(),
        "timestamp {text:?} is not RFC 3339 UTC with milliseconds (2026-11-24T06:19:55.123Z)"
    );
}
