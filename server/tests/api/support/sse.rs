//! A Server-Sent Events reader for tests, parsing a streaming response per the WHATWG
//! `EventSource` format: lines end in CRLF, LF or CR; a blank line ends a frame; `event:`,
//! `data:` (joined with `\n`), `id:` and `retry:` fields; lines starting with `:` are comments.
//!
//! Unlike a browser it hands back every frame, including `retry`-only and comment-only ones,
//! so tests can assert the exact first bytes and the keep-alives. Every read is bounded.

use std::time::Duration;

use reqwest::header::{ACCEPT, HeaderMap};
use reqwest::{Method, RequestBuilder, Response};
use serde_json::Value;
use tokio::time::{Instant, timeout_at};

use super::TestServer;
use super::http::REQUEST_TIMEOUT;

/// Default bound for waiting on one event.
pub const EVENT_TIMEOUT: Duration = Duration::from_secs(5);

/// One frame: the fields seen between two blank lines.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Frame {
    pub event: Option<String>,
    pub data: Option<String>,
    pub id: Option<String>,
    pub retry: Option<u64>,
    pub comments: Vec<String>,
}

impl Frame {
    /// The event's type as `EventSource` dispatches it (`message` when unnamed), or `None`
    /// when the frame carries no data and so dispatches nothing.
    pub fn kind(&self) -> Option<&str> {
        self.data.as_ref()?;
        Some(self.event.as_deref().unwrap_or("message"))
    }

    /// The data parsed as JSON.
    #[track_caller]
    pub fn json(&self) -> Value {
        let data = self
            .data
            .as_deref()
            .unwrap_or_else(|| panic!("frame has no data: {self:?}"));
        serde_json::from_str(data)
            .unwrap_or_else(|e| panic!("frame data is not JSON ({e}): {self:?}"))
    }

    /// The `id:` as a sequence number.
    #[track_caller]
    pub fn seq(&self) -> u64 {
        self.id
            .as_deref()
            .and_then(|id| id.parse().ok())
            .unwrap_or_else(|| panic!("frame has no numeric id: {self:?}"))
    }
}

/// An open SSE response being read frame by frame.
pub struct SseStream {
    response: Response,
    /// Response headers, kept for assertions.
    pub headers: HeaderMap,
    /// The first bytes of the body, as received (up to 256).
    pub first_bytes: Vec<u8>,
    parser: Parser,
}

/// The pure byte-to-frame part of the reader.
#[derive(Default)]
struct Parser {
    /// Bytes received but not yet split into lines.
    pending: Vec<u8>,
    /// The frame being assembled.
    current: Frame,
    /// Whether the current frame has any field yet.
    current_started: bool,
    /// Whether the leading byte-order mark was already handled.
    bom_checked: bool,
    /// No more bytes will come (the server ended the body or the connection broke).
    ended: bool,
}

/// Why a bounded read returned without a frame.
#[derive(Debug, PartialEq)]
pub enum NoFrame {
    /// The deadline passed.
    TimedOut,
    /// The stream ended.
    Ended,
}

impl SseStream {
    /// Wraps a `200` streaming response.
    pub fn new(response: Response) -> SseStream {
        SseStream {
            headers: response.headers().clone(),
            response,
            first_bytes: Vec::new(),
            parser: Parser::default(),
        }
    }

    /// The next frame, or why none came before `deadline`.
    pub async fn try_next_frame(&mut self, deadline: Instant) -> Result<Frame, NoFrame> {
        loop {
            if let Some(frame) = self.parser.next_frame() {
                return Ok(frame);
            }
            if self.parser.ended {
                return Err(NoFrame::Ended);
            }
            match timeout_at(deadline, self.response.chunk()).await {
                Err(_) => return Err(NoFrame::TimedOut),
                Ok(Ok(Some(bytes))) => {
                    if self.first_bytes.len() < 256 {
                        let room = 256 - self.first_bytes.len();
                        self.first_bytes
                            .extend_from_slice(&bytes[..bytes.len().min(room)]);
                    }
                    self.parser.pending.extend_from_slice(&bytes);
                }
                Ok(Ok(None)) | Ok(Err(_)) => self.parser.ended = true,
            }
        }
    }

    /// The next frame within `within`; panics on timeout or end of stream.
    #[track_caller]
    pub fn next_frame(&mut self, within: Duration) -> impl Future<Output = Frame> + '_ {
        let caller = std::panic::Location::caller();
        async move {
            match self.try_next_frame(Instant::now() + within).await {
                Ok(frame) => frame,
                Err(NoFrame::TimedOut) => panic!("{caller}: no SSE frame within {within:?}"),
                Err(NoFrame::Ended) => panic!("{caller}: the SSE stream ended"),
            }
        }
    }

    /// The next dispatched event other than `ping`, within [`EVENT_TIMEOUT`].
    #[track_caller]
    pub fn next_event(&mut self) -> impl Future<Output = Frame> + '_ {
        let caller = std::panic::Location::caller();
        async move {
            let deadline = Instant::now() + EVENT_TIMEOUT;
            loop {
                match self.try_next_frame(deadline).await {
                    Ok(frame) if frame.kind().is_some_and(|k| k != "ping") => return frame,
                    Ok(_) => {}
                    Err(NoFrame::TimedOut) => {
                        panic!("{caller}: no SSE event within {EVENT_TIMEOUT:?}")
                    }
                    Err(NoFrame::Ended) => panic!("{caller}: the SSE stream ended"),
                }
            }
        }
    }

    /// The next non-ping event, which must be `kind`; returns it.
    #[track_caller]
    pub fn expect(&mut self, kind: &'static str) -> impl Future<Output = Frame> + '_ {
        let caller = std::panic::Location::caller();
        async move {
            let frame = self.next_event().await;
            assert_eq!(
                frame.kind(),
                Some(kind),
                "{caller}: expected a `{kind}` event, got {frame:?}"
            );
            frame
        }
    }

    /// The next non-ping event, which must be `notification`; returns (seq, notification).
    #[track_caller]
    pub fn expect_notification(&mut self) -> impl Future<Output = (u64, Value)> + '_ {
        let caller = std::panic::Location::caller();
        async move {
            let frame = self.next_event().await;
            assert_eq!(
                frame.kind(),
                Some("notification"),
                "{caller}: expected a `notification` event, got {frame:?}"
            );
            (frame.seq(), frame.json())
        }
    }

    /// Waits until the server ends the stream, skipping whatever frames still come.
    #[track_caller]
    pub fn expect_end(&mut self, within: Duration) -> impl Future<Output = ()> + '_ {
        let caller = std::panic::Location::caller();
        async move {
            let deadline = Instant::now() + within;
            loop {
                match self.try_next_frame(deadline).await {
                    Ok(_) => {}
                    Err(NoFrame::Ended) => return,
                    Err(NoFrame::TimedOut) => {
                        panic!("{caller}: the SSE stream was still open after {within:?}")
                    }
                }
            }
        }
    }
}

/// Every frame in a complete SSE body (for bodies read by other means than [`SseStream`]).
pub fn parse_all(body: &[u8]) -> Vec<Frame> {
    let mut parser = Parser {
        pending: body.to_vec(),
        ended: true,
        ..Parser::default()
    };
    std::iter::from_fn(|| parser.next_frame()).collect()
}

impl Parser {
    /// The next complete frame from the bytes received so far.
    fn next_frame(&mut self) -> Option<Frame> {
        while let Some(line) = self.take_line() {
            if let Some(frame) = self.feed(&line) {
                return Some(frame);
            }
        }
        None
    }

    /// Splits off the next complete line (CRLF, LF or CR), without its terminator.
    fn take_line(&mut self) -> Option<String> {
        if !self.bom_checked {
            if self.pending.len() < 3 && !self.ended && b"\xEF\xBB\xBF".starts_with(&self.pending) {
                return None;
            }
            if self.pending.starts_with(b"\xEF\xBB\xBF") {
                self.pending.drain(..3);
            }
            self.bom_checked = true;
        }
        let end = self
            .pending
            .iter()
            .position(|&b| b == b'\n' || b == b'\r')?;
        let terminator = if self.pending[end] == b'\r' {
            match self.pending.get(end + 1) {
                Some(b'\n') => 2,
                Some(_) => 1,
                // A lone CR at the end of the buffer: wait to see whether LF follows.
                None if !self.ended => return None,
                None => 1,
            }
        } else {
            1
        };
        let line: Vec<u8> = self.pending.drain(..end + terminator).take(end).collect();
        Some(String::from_utf8_lossy(&line).into_owned())
    }

    /// Feeds one line; returns a frame when a blank line completes a non-empty one.
    fn feed(&mut self, line: &str) -> Option<Frame> {
        if line.is_empty() {
            if !self.current_started {
                return None;
            }
            self.current_started = false;
            return Some(std::mem::take(&mut self.current));
        }
        self.current_started = true;
        if let Some(comment) = line.strip_prefix(':') {
            let comment = comment.strip_prefix(' ').unwrap_or(comment);
            self.current.comments.push(comment.to_string());
            return None;
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        match field {
            "event" => self.current.event = Some(value.to_string()),
            "data" => match &mut self.current.data {
                Some(data) => {
                    data.push('\n');
                    data.push_str(value);
                }
                None => self.current.data = Some(value.to_string()),
            },
            "id" if !value.contains('\0') => self.current.id = Some(value.to_string()),
            "retry" => self.current.retry = value.parse().ok(),
            _ => {}
        }
        None
    }
}

impl TestServer {
    /// Opens `GET /api/notifications/stream` as `token` and asserts `200`.
    pub async fn stream(&self, token: &str) -> SseStream {
        self.open_stream(
            self.req(Method::GET, "/api/notifications/stream")
                .bearer_auth(token),
        )
        .await
    }

    /// Opens a stream from a prepared request (custom path, query or headers); asserts `200`.
    pub async fn open_stream(&self, request: RequestBuilder) -> SseStream {
        let response = tokio::time::timeout(
            REQUEST_TIMEOUT,
            request.header(ACCEPT, "text/event-stream").send(),
        )
        .await
        .unwrap_or_else(|_| {
            panic!("the stream's headers did not arrive within {REQUEST_TIMEOUT:?}")
        })
        .unwrap_or_else(|e| panic!("opening the stream failed: {e:?}"));
        let status = response.status().as_u16();
        if status != 200 {
            let body = response.text().await.unwrap_or_default();
            panic!("opening the stream → expected 200, got {status}: {body}");
        }
        SseStream::new(response)
    }

    /// Opens a stream as `token` and reads up to its `unread` event, which every connection
    /// sends once subscribed; returns the stream and that event's `unreadCount`.
    pub async fn subscribed_stream(&self, token: &str) -> (SseStream, u64) {
        let mut stream = self.stream(token).await;
        let unread = stream.expect("unread").await.json();
        let count = unread["unreadCount"]
            .as_u64()
            .unwrap_or_else(|| panic!("`unread` event without unreadCount: {unread}"));
        (stream, count)
    }
}

#[cfg(test)]
mod tests {
    //! The parser on exact bytes, no server.
    use super::*;

    /// Feeds `chunks` one by one, then ends the input; returns every frame.
    fn parse(chunks: &[&[u8]]) -> Vec<Frame> {
        let mut parser = Parser::default();
        let mut frames = Vec::new();
        for chunk in chunks {
            parser.pending.extend_from_slice(chunk);
            frames.extend(std::iter::from_fn(|| parser.next_frame()));
        }
        parser.ended = true;
        frames.extend(std::iter::from_fn(|| parser.next_frame()));
        frames
    }

    #[test]
    fn sse_parser_reads_fields_comments_and_all_line_endings() {
        let frames = parse(&[
            b"\xEF\xBB\xBFretry: 3000\n\n: keep-alive\r\n\r",
            b"\nevent: notification\rid: 7\rdata: {\"a\":\r\ndata:1}\n",
            b"\n\n\ndata\n\n",
        ]);
        assert_eq!(
            frames,
            vec![
                Frame {
                    retry: Some(3000),
                    ..Frame::default()
                },
                Frame {
                    comments: vec!["keep-alive".into()],
                    ..Frame::default()
                },
                Frame {
                    event: Some("notification".into()),
                    id: Some("7".into()),
                    data: Some("{\"a\":\n1}".into()),
                    ..Frame::default()
                },
                Frame {
                    data: Some(String::new()),
                    ..Frame::default()
                },
            ]
        );
        assert_eq!(frames[2].kind(), Some("notification"));
        assert_eq!(frames[2].seq(), 7);
        assert_eq!(frames[0].kind(), None);
        assert_eq!(frames[3].kind(), Some("message"));
    }
}
