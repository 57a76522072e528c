//! The head of a response written outside hyper: byte for byte what hyper writes for a
//! streaming body (status line, the response's headers in order, `transfer-encoding:
//! chunked`, `date`), plus `connection: close`, since the connection ends with the body.
//! Its status and header lines are also those of notif's answers in place of hyper's
//! automatic ones (`automatic_errors`): the one place notif writes a head by hand.

use hyper::header::{self, HeaderMap};
use hyper::{StatusCode, Version};

use super::Framing;

/// Headers the head writes itself from the framing, whatever the response says.
const FRAMING_HEADERS: [header::HeaderName; 3] = [
    header::CONNECTION,
    header::TRANSFER_ENCODING,
    header::CONTENT_LENGTH,
];

/// Now, as an HTTP date (`Tue, 01 Dec 2026 19:53:42 GMT`).
pub fn date_now() -> String {
    chrono::Utc::now()
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

/// The head of a `status` response with `headers` to a request of `version`, its body
/// delimited as `framing` says; `date` unless the headers carry one.
pub fn encode(
    version: Version,
    status: StatusCode,
    headers: &HeaderMap,
    framing: Framing,
    date: &str,
) -> Vec<u8> {
    let mut head = status_line(version, status);
    for (name, value) in headers {
        if FRAMING_HEADERS.contains(name) {
            continue;
        }
        header_line(&mut head, name.as_str(), value.as_bytes());
    }
    if framing == Framing::Chunked {
        header_line(&mut head, "connection", b"close");
        header_line(&mut head, "transfer-encoding", b"chunked");
    }
    if !headers.contains_key(header::DATE) {
        header_line(&mut head, "date", date.as_bytes());
    }
    head.extend_from_slice(b"\r\n");
    head
}

/// A head's first line, `HTTP/1.1 200 OK` (HTTP/1.0 to a request of that version), as
/// hyper writes it; header lines and the blank line follow.
pub fn status_line(version: Version, status: StatusCode) -> Vec<u8> {
    let mut head = Vec::with_capacity(256);
    head.extend_from_slice(match version {
        Version::HTTP_10 => b"HTTP/1.0 ",
        _ => b"HTTP/1.1 ",
    });
    head.extend_from_slice(status.as_str().as_bytes());
    head.push(b' ');
    let reason = status.canonical_reason().unwrap_or("<unknown status code>");
    head.extend_from_slice(reason.as_bytes());
    head.extend_from_slice(b"\r\n");
    head
}

/// Appends the header line `name: value`.
pub fn header_line(head: &mut Vec<u8>, name: &str, value: &[u8]) {
    head.extend_from_slice(name.as_bytes());
    head.extend_from_slice(b": ");
    head.extend_from_slice(value);
    head.extend_from_slice(b"\r\n");
}

#[cfg(test)]
mod tests {
    use hyper::header::HeaderValue;

    use super::*;

    const DATE: &str = "Tue, 01 Dec 2026 19:53:42 GMT";

    fn stream_headers() -> HeaderMap {
        let mut headers = HeaderMap::new();
        let mut add = |name: &'static str, value: &'static str| {
            headers.append(name, HeaderValue::from_static(value));
        };
        add("content-type", "text/event-stream");
        add("cache-control", "no-cache");
        add("x-content-type-options", "nosniff");
        add("connection", "close");
        headers
    }

    #[test]
    fn an_http_1_1_head_is_hyper_s_with_connection_close() {
        let head = encode(
            Version::HTTP_11,
            StatusCode::OK,
            &stream_headers(),
            Framing::Chunked,
            DATE,
        );
        assert_eq!(
            String::from_utf8(head).unwrap_or_default(),
            "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\n\
             x-content-type-options: nosniff\r\nconnection: close\r\n\
             transfer-encoding: chunked\r\ndate: Tue, 01 Dec 2026 19:53:42 GMT\r\n\r\n"
        );
    }

    #[test]
    fn an_http_1_0_head_has_no_framing_headers() {
        let mut headers = stream_headers();
        headers.insert(header::DATE, HeaderValue::from_static("then"));
        let head = encode(
            Version::HTTP_10,
            StatusCode::IM_A_TEAPOT,
            &headers,
            Framing::UntilClose,
            DATE,
        );
        assert_eq!(
            String::from_utf8(head).unwrap_or_default(),
            "HTTP/1.0 418 I'm a teapot\r\ncontent-type: text/event-stream\r\n\
             cache-control: no-cache\r\nx-content-type-options: nosniff\r\ndate: then\r\n\r\n"
        );
    }
}
