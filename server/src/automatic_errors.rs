//! The answers hyper writes by itself, made whole: a request head that does not parse
//! (`400`), is too large or has too many header lines (`431`), or has a request target
//! too long (`414`) never reaches notif's service, and hyper answers it with a bare head
//! (no body, none of the security headers) before closing the connection. hyper offers no
//! hook for these answers, so each connection's writes go through [`FullErrorAnswers`],
//! which recognises hyper's bare answer and writes in its place the answer notif gives
//! every other error: the contract's error body, the security headers, and
//! `Connection: close`.
//!
//! Recognising is exact: hyper's automatic answer is a `4xx` head whose only headers are
//! `connection`, `content-length: 0` and `date`, while every answer of notif's service
//! carries the security headers (`x-content-type-options` and others), so none of notif's
//! own answers looks like it. It is the last thing hyper writes on the connection, so it
//! ends the bytes of the write that carries it.

mod writer;

use bytes::Bytes;
use hyper::header::{self, HeaderValue};
use hyper::{Response, StatusCode, Version};

use crate::error::ApiError;
use crate::middleware;
use crate::response;
use crate::server::{MAX_HEAD, MAX_HEADER_LINES};
use crate::takeover::head;

pub use writer::FullErrorAnswers;

/// The longest request target hyper takes (its `MAX_URI_LEN`); past it hyper answers
/// `414`. A request head is refused with `431` at [`MAX_HEAD`] before that.
const MAX_URI: usize = u16::MAX as usize - 1;

/// The end of an HTTP head.
const BLANK_LINE: &[u8] = b"\r\n\r\n";

/// The headers hyper puts on its automatic answer; an answer with any other is notif's.
const HYPER_HEADERS: [&str; 3] = ["connection", "content-length", "date"];

/// `bytes` with hyper's automatic answer at their end replaced by notif's full answer;
/// `None` when they end with no such answer (they are then written as they are).
pub fn rewrite(bytes: &[u8]) -> Option<Vec<u8>> {
    let head = bytes.strip_suffix(BLANK_LINE)?;
    let start = find_last(head, BLANK_LINE).map_or(0, |at| at + BLANK_LINE.len());
    let automatic = Automatic::parse(&head[start..])?;
    let mut out = bytes[..start].to_vec();
    out.extend_from_slice(&answer(&automatic)?);
    Some(out)
}

/// The versions of hyper's status lines: HTTP/1.0 to a client that spoke it earlier on the
/// connection, else HTTP/1.1.
const VERSIONS: [&[u8]; 2] = [b"HTTP/1.1", b"HTTP/1.0"];

/// What notif keeps of hyper's automatic answer.
#[derive(Debug, PartialEq, Eq)]
struct Automatic<'a> {
    /// One of [`VERSIONS`].
    version: &'a [u8],
    /// A `4xx`.
    status: StatusCode,
    /// hyper's `date` value, so that the answer is dated like every other.
    date: Option<&'a [u8]>,
}

impl<'a> Automatic<'a> {
    /// `head` (without its blank line) if it is hyper's automatic answer.
    fn parse(head: &'a [u8]) -> Option<Automatic<'a>> {
        let mut lines = head
            .split(|&b| b == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
        let mut status_line = lines.next()?.splitn(3, |&b| b == b' ');
        let version = status_line.next().filter(|v| VERSIONS.contains(v))?;
        let status = StatusCode::from_bytes(status_line.next()?).ok()?;
        if !status.is_client_error() {
            return None;
        }
        let mut date = None;
        for line in lines {
            let (name, value) = split_header(line)?;
            if !HYPER_HEADERS
                .iter()
                .any(|h| name.eq_ignore_ascii_case(h.as_bytes()))
            {
                return None;
            }
            if name.eq_ignore_ascii_case(b"content-length") && value != b"0" {
                return None;
            }
            if name.eq_ignore_ascii_case(b"date") {
                date = Some(value);
            }
        }
        Some(Automatic {
            version,
            status,
            date,
        })
    }
}

/// `name: value` of one header line, the value trimmed.
fn split_header(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let colon = line.iter().position(|&b| b == b':')?;
    Some((&line[..colon], line[colon + 1..].trim_ascii()))
}

/// Where `needle` last occurs in `haystack`.
fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

/// The error notif answers for a status hyper writes by itself.
fn error_for(status: StatusCode) -> Option<ApiError> {
    match status {
        StatusCode::BAD_REQUEST => Some(ApiError::BadRequest(
            "the request line or a header is not valid HTTP/1.1".to_owned(),
        )),
        StatusCode::URI_TOO_LONG => Some(ApiError::UriTooLong { limit: MAX_URI }),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => Some(ApiError::HeadTooLarge {
            bytes: MAX_HEAD,
            lines: MAX_HEADER_LINES,
        }),
        _ => None,
    }
}

/// The whole answer for `automatic`: made by the same functions as every other error
/// answer ([`response::error_bytes`], [`middleware::secure`]), with `Connection: close`
/// (hyper closes the connection after it) and a length, as HTTP/1.1 bytes.
fn answer(automatic: &Automatic<'_>) -> Option<Vec<u8>> {
    let mut response = response::error_bytes(&error_for(automatic.status)?);
    let headers = response.headers_mut();
    middleware::secure(headers);
    headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    let length = response.body().len();
    response
        .headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    if let Some(date) = automatic.date.and_then(|d| HeaderValue::from_bytes(d).ok()) {
        response.headers_mut().insert(header::DATE, date);
    }
    Some(serialise(automatic.version, &response))
}

/// `response` as bytes of HTTP `version`: status line, headers, blank line, body.
fn serialise(version: &[u8], response: &Response<Bytes>) -> Vec<u8> {
    let version = if version == b"HTTP/1.0" {
        Version::HTTP_10
    } else {
        Version::HTTP_11
    };
    let mut out = head::status_line(version, response.status());
    for (name, value) in response.headers() {
        head::header_line(&mut out, name.as_str(), value.as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(response.body());
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const BARE_431: &[u8] =
        b"HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\n\
        content-length: 0\r\ndate: Tue, 01 Dec 2026 17:21:30 GMT\r\n\r\n";
    const BARE_400: &[u8] = b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\
        content-length: 0\r\ndate: Tue, 01 Dec 2026 17:21:30 GMT\r\n\r\n";
    const NOTIF_404: &[u8] = b"HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\n\
        x-content-type-options: nosniff\r\ncontent-length: 2\r\n\r\n{}";
    const NOTIF_204: &[u8] = b"HTTP/1.1 204 No Content\r\nx-content-type-options: nosniff\r\n\r\n";

    /// Head and body of `bytes`, the head's lines lower-cased.
    fn split(bytes: &[u8]) -> (Vec<String>, serde_json::Value) {
        let text = String::from_utf8(bytes.to_vec()).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        let lines = head.lines().map(str::to_ascii_lowercase).collect();
        (lines, serde_json::from_str(body).unwrap())
    }

    #[test]
    fn a_bare_431_becomes_the_contracts_answer() {
        let out = rewrite(BARE_431).unwrap();
        let (head, body) = split(&out);
        assert_eq!(head[0], "http/1.1 431 request header fields too large");
        for line in [
            "x-content-type-options: nosniff",
            "referrer-policy: no-referrer",
            "cache-control: no-store",
            "connection: close",
            "content-type: application/json",
            "date: tue, 01 dec 2026 17:21:30 gmt",
        ] {
            assert!(head.iter().any(|l| l == line), "{line} missing in {head:?}");
        }
        let length = format!(
            "content-length: {}",
            out.len() - out.windows(4).position(|w| w == BLANK_LINE).unwrap() - 4
        );
        assert!(head.contains(&length), "{head:?}");
        assert_eq!(body["error"]["code"], "request_header_fields_too_large");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("65536 bytes")
        );
    }

    #[test]
    fn a_bare_400_and_414_get_their_codes() {
        let (head, body) = split(&rewrite(BARE_400).unwrap());
        assert_eq!(head[0], "http/1.1 400 bad request");
        assert_eq!(body["error"]["code"], "bad_request");
        let bare_414 = b"HTTP/1.1 414 URI Too Long\r\ncontent-length: 0\r\n\r\n";
        let (head, body) = split(&rewrite(bare_414).unwrap());
        assert_eq!(head[0], "http/1.1 414 uri too long");
        assert_eq!(body["error"]["code"], "uri_too_long");
    }

    #[test]
    fn an_http_1_0_client_gets_an_http_1_0_answer() {
        let bare = b"HTTP/1.0 400 Bad Request\r\ncontent-length: 0\r\n\r\n";
        let (head, body) = split(&rewrite(bare).unwrap());
        assert_eq!(head[0], "http/1.0 400 bad request");
        assert_eq!(body["error"]["code"], "bad_request");
    }

    #[test]
    fn answers_before_the_bare_one_are_kept() {
        let mut bytes = NOTIF_204.to_vec();
        bytes.extend_from_slice(BARE_400);
        let out = rewrite(&bytes).unwrap();
        assert!(out.starts_with(NOTIF_204));
        let (head, body) = split(&out[NOTIF_204.len()..]);
        assert_eq!(head[0], "http/1.1 400 bad request");
        assert_eq!(body["error"]["code"], "bad_request");
    }

    #[test]
    fn notifs_own_answers_pass_unchanged() {
        assert_eq!(rewrite(NOTIF_404), None);
        assert_eq!(rewrite(NOTIF_204), None);
        assert_eq!(rewrite(b""), None);
        assert_eq!(rewrite(b"\r\n\r\n"), None);
        // A head like hyper's but with another header, a body, or a status hyper never
        // writes by itself.
        let other = b"HTTP/1.1 400 Bad Request\r\nx-content-type-options: nosniff\r\n\r\n";
        assert_eq!(rewrite(other), None);
        assert_eq!(
            rewrite(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 2\r\n\r\n"),
            None
        );
        assert_eq!(
            rewrite(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n"),
            None
        );
        assert_eq!(
            rewrite(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"),
            None
        );
        assert_eq!(rewrite(b"HTTP/1.1 4000 Bad\r\n\r\n"), None);
        assert_eq!(rewrite(b"HTTP/2 400 Bad\r\n\r\n"), None);
        assert_eq!(rewrite(b"HTTP/1.1 499\r\ncontent-length: 0\r\n\r\n"), None);
    }
}
