//! RFC 2047 "encoded words" in header values (`=?UTF-8?B?8J+agA==?=`), which ntfy accepts
//! so that a title or tag outside ASCII survives HTTP/1.1 header rules.
//!
//! Like ntfy (Go's `mime.WordDecoder`), a value that does not decode is used as it was:
//! a header that merely looks like an encoded word is still a valid title.

use std::borrow::Cow;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// Standard base64, with or without its `=` padding (senders differ).
const B_ENCODING: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// `value` with its encoded words decoded; whitespace between two adjacent encoded words
/// is dropped, as the RFC says. Words in an unknown charset or badly encoded stay as sent.
pub fn decode(value: &str) -> Cow<'_, str> {
    if !value.contains("=?") {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len());
    // Plain text seen since the last encoded word; dropped if it is only whitespace
    // between two words.
    let mut gap = String::new();
    let mut after_word = false;
    let mut rest = value;
    while let Some(ch) = rest.chars().next() {
        if let Some((text, len)) = word(rest) {
            if !(after_word && gap.trim().is_empty()) {
                out.push_str(&gap);
            }
            gap.clear();
            out.push_str(&text);
            after_word = true;
            rest = &rest[len..];
        } else {
            gap.push(ch);
            rest = &rest[ch.len_utf8()..];
        }
    }
    out.push_str(&gap);
    Cow::Owned(out)
}

/// The decoded text of the encoded word at the start of `s`, and its length in `s`.
fn word(s: &str) -> Option<(String, usize)> {
    let inner = s.strip_prefix("=?")?;
    let (charset, inner) = inner.split_once('?')?;
    let (encoding, inner) = inner.split_once('?')?;
    let end = inner.find("?=")?;
    let text = &inner[..end];
    if text.contains(char::is_whitespace) {
        return None;
    }
    let bytes = match encoding {
        "B" | "b" => B_ENCODING.decode(text).ok()?,
        "Q" | "q" => q_decode(text)?,
        _ => return None,
    };
    // RFC 2231 allows a language after the charset: `UTF-8*en`.
    let charset = charset.split('*').next().unwrap_or_default();
    let decoded = to_text(charset, bytes)?;
    // `inner` is a suffix of `s`: the word ends two bytes after `end` within it.
    let len = s.len() - inner.len() + end + 2;
    Some((decoded, len))
}

/// The "Q" encoding: `_` is a space, `=XX` a byte, anything else itself.
fn q_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    let mut bytes = text.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'_' => out.push(b' '),
            b'=' => {
                let hex = [bytes.next()?, bytes.next()?];
                let hex = std::str::from_utf8(&hex).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
            }
            other => out.push(other),
        }
    }
    Some(out)
}

/// The bytes as text in the charsets senders use: UTF-8, US-ASCII, ISO-8859-1.
fn to_text(charset: &str, bytes: Vec<u8>) -> Option<String> {
    match charset.to_ascii_lowercase().as_str() {
        "utf-8" | "utf8" | "us-ascii" | "ascii" => String::from_utf8(bytes).ok(),
        "iso-8859-1" | "latin1" | "latin-1" => Some(bytes.into_iter().map(char::from).collect()),
        _ => None,
    }
}

/// Encodes `text` as one UTF-8 "B" word: what a sender (or a test) puts in a header.
pub fn encode_b(text: &str) -> String {
    format!("=?UTF-8?B?{}?=", STANDARD.encode(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_values_are_borrowed_unchanged() {
        assert!(matches!(
            decode("Deploy finished"),
            Cow::Borrowed("Deploy finished")
        ));
        assert_eq!(decode("a =? b"), "a =? b");
    }

    #[test]
    fn b_and_q_words_decode() {
        assert_eq!(decode("=?UTF-8?B?8J+agCBEZXBsb3k=?="), "🚀 Deploy");
        assert_eq!(decode("=?utf-8?b?8J+agCBEZXBsb3k?="), "🚀 Deploy");
        assert_eq!(decode("=?UTF-8?Q?caf=C3=A9_ouvert?="), "café ouvert");
        assert_eq!(decode("=?ISO-8859-1?Q?caf=E9?="), "café");
        assert_eq!(decode(&encode_b("Übung ✓")), "Übung ✓");
    }

    #[test]
    fn text_around_words_is_kept_and_space_between_words_dropped() {
        assert_eq!(decode("Re: =?UTF-8?Q?caf=C3=A9?= now"), "Re: café now");
        assert_eq!(decode("=?UTF-8?Q?a?= =?UTF-8?Q?b?="), "ab");
        assert_eq!(decode("=?UTF-8?Q?a?=\t =?UTF-8?Q?b?= c"), "ab c");
        assert_eq!(decode("=?UTF-8?Q?a?= x =?UTF-8?Q?b?="), "a x b");
    }

    #[test]
    fn broken_words_stay_as_sent() {
        for raw in [
            "=?UTF-8?B?not base64?=",
            "=?UTF-8?B?@@@?=",
            "=?UTF-8?Q?=ZZ?=",
            "=?UTF-8?Q?=C3?=",
            "=?KOI8-R?Q?x?=",
            "=?UTF-8?X?x?=",
            "=?UTF-8?B?eA==",
            "=?",
        ] {
            assert_eq!(decode(raw), raw, "{raw}");
        }
        assert_eq!(decode("=?bad =?UTF-8?Q?ok?="), "=?bad ok");
    }
}
