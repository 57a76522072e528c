//! The list cursor: an opaque token that marks a position in the "unread first, newest
//! first" order, so pages neither skip nor repeat while new notifications arrive (new ones
//! sort before any cursor, having higher sequence numbers).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The most digits a cursor's sequence number has (`i64::MAX` has 19). Any number of 1 to 19
/// digits is read, one beyond `i64::MAX` as `i64::MAX` (a position after every row), so the
/// served OpenAPI document can state the cursor's exact form as a pattern and a length.
const MAX_DIGITS: usize = 19;

/// The last row of a page: its unread flag and its sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub unread: bool,
    pub seq: i64,
}

impl Cursor {
    /// The opaque form handed to clients as `nextCursor`.
    pub fn encode(self) -> String {
        URL_SAFE_NO_PAD.encode(format!("v1.{}.{}", u8::from(self.unread), self.seq))
    }

    /// Reads back a `cursor` query parameter; `None` for anything this server did not make.
    pub fn decode(raw: &str) -> Option<Cursor> {
        let bytes = URL_SAFE_NO_PAD.decode(raw).ok()?;
        let text = std::str::from_utf8(&bytes).ok()?;
        let mut parts = text.split('.');
        if parts.next()? != "v1" {
            return None;
        }
        let unread = match parts.next()? {
            "1" => true,
            "0" => false,
            _ => return None,
        };
        let digits = parts.next()?;
        if parts.next().is_some()
            || !(1..=MAX_DIGITS).contains(&digits.len())
            || !digits.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let seq = i64::try_from(digits.parse::<u64>().ok()?).unwrap_or(i64::MAX);
        Some(Cursor { unread, seq })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for cursor in [
            Cursor {
                unread: true,
                seq: 1,
            },
            Cursor {
                unread: false,
                seq: i64::MAX,
            },
        ] {
            assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
        }
    }

    #[test]
    fn rejects_what_it_did_not_make() {
        for raw in [
            "",
            "abc",
            "djEuMi4z",
            "!!!",
            &URL_SAFE_NO_PAD.encode("v1.1.-4"),
            &URL_SAFE_NO_PAD.encode("v1.1.+4"),
            &URL_SAFE_NO_PAD.encode("v1.1.10000000000000000000"),
        ] {
            assert_eq!(Cursor::decode(raw), None, "{raw}");
        }
    }

    #[test]
    fn nineteen_digits_beyond_i64_read_as_the_end() {
        let raw = URL_SAFE_NO_PAD.encode("v1.0.9999999999999999999");
        assert_eq!(Cursor::decode(&raw).map(|c| c.seq), Some(i64::MAX));
    }
}
