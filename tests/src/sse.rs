//! A Server-Sent Events reader for tests: reads a streaming reqwest response frame by frame
//! (the byte-level WHATWG parsing lives in [`crate::frames`]), every read bounded by a
//! deadline. Unlike a browser it hands back every frame, including `retry`-only and
//! comment-only ones, so tests can assert the exact first bytes and the keep-alives.

use std::time::Duration;

use reqwest::header::{ACCEPT, HeaderMap};
use reqwest::{Method, RequestBuilder, Response};
use serde_json::Value;
use tokio::time::{Instant, timeout_at};

use crate::frames::{Frame, Parser};
use crate::http::REQUEST_TIMEOUT;
use crate::server::TestServer;

/// Default bound for waiting on one event.
pub const EVENT_TIMEOUT: Duration = Duration::from_secs(5);

/// An open SSE response being read frame by frame.
pub struct SseStream {
    /// The streaming response, read chunk by chunk.
    response: Response,
    /// Response headers, kept for assertions.
    pub headers: HeaderMap,
    /// The first bytes of the body, as received (up to 256).
    pub first_bytes: Vec<u8>,
    /// The frames read from the bytes received so far.
    parser: Parser,
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
            if self.parser.is_ended() {
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
                    self.parser.push(&bytes);
                }
                Ok(Ok(None)) | Ok(Err(_)) => self.parser.end(),
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

    /// Asserts the connection's first frame is exactly `retry: 3000` (API.md: the first
    /// bytes on every connection).
    pub async fn expect_retry_first(&mut self) {
        let first = self.next_frame(Duration::from_secs(5)).await;
        assert_eq!(
            first,
            Frame {
                retry: Some(3000),
                ..Frame::default()
            },
            "the first frame is `retry: 3000` alone"
        );
        assert!(
            self.first_bytes.starts_with(b"retry:"),
            "the first bytes are the retry field: {:?}",
            String::from_utf8_lossy(&self.first_bytes)
        );
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

    /// Opens a stream as `token` resuming after `last`, through the `Last-Event-ID` header
    /// or, with `in_query`, through `?lastEventId=`.
    pub async fn resume_stream(&self, token: &str, last: u64, in_query: bool) -> SseStream {
        let request = if in_query {
            let path = format!("/api/notifications/stream?lastEventId={last}");
            self.req(Method::GET, &path).bearer_auth(token)
        } else {
            self.req(Method::GET, "/api/notifications/stream")
                .bearer_auth(token)
                .header("last-event-id", last.to_string())
        };
        self.open_stream(request).await
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
