//! The client side of an event stream (notif's `GET /api/notifications/stream`, or an
//! nchan EventSource subscriber) over a raw TCP socket: a request written by hand and the
//! response head; the body goes through the test kit's chunked decoder
//! and its one SSE frame reader. Raw sockets keep a stream down to one task and a small buffer, so
//! the bench can hold 10,000 of them next to the server on the same two cores.

use std::collections::VecDeque;
use std::net::SocketAddr;

use anyhow::{Context, bail, ensure};
use notif_tests::chunked::Chunked;
use notif_tests::frames::{Frame, Parser};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The most a response head may take before the bench gives up on it.
const MAX_HEAD: usize = 16 * 1024;
/// Bytes read per `read` call.
const READ_SIZE: usize = 4096;

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The `event:` field, `message` when absent.
    pub name: String,
    /// The `id:` field of this event, if it had one.
    pub id: Option<String>,
    /// The `data:` lines joined by `\n`.
    pub data: String,
}

impl Event {
    /// The event `EventSource` dispatches for `frame`; `None` for frames without data (the
    /// `retry:` frame, keep-alive comments).
    fn dispatched(frame: Frame) -> Option<Event> {
        let name = frame.kind()?.to_owned();
        Some(Event {
            name,
            id: frame.id,
            data: frame.data.unwrap_or_default(),
        })
    }
}

/// How the response body is framed.
#[derive(Debug)]
enum Framing {
    Chunked(Chunked),
    /// No length and no chunking: the body runs until the server closes.
    UntilClose,
}

/// One open event stream.
#[derive(Debug)]
pub struct SseConn {
    socket: TcpStream,
    framing: Framing,
    parser: Parser,
    events: VecDeque<Event>,
    read_buf: Vec<u8>,
    payload: Vec<u8>,
}

impl SseConn {
    /// Connects, sends `GET path` with `token`, and reads the response head: an error
    /// unless the server answers `200`.
    pub async fn open(addr: SocketAddr, path: &str, token: &str) -> anyhow::Result<SseConn> {
        let mut socket = TcpStream::connect(addr)
            .await
            .with_context(|| format!("could not connect to {addr}"))?;
        socket.set_nodelay(true)?;
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\n\
             Authorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n"
        );
        socket.write_all(request.as_bytes()).await?;
        let mut head = Vec::with_capacity(READ_SIZE);
        let end = loop {
            if let Some(end) = head.windows(4).position(|w| w == b"\r\n\r\n") {
                break end;
            }
            ensure!(
                head.len() <= MAX_HEAD,
                "response head over {MAX_HEAD} bytes"
            );
            if socket.read_buf(&mut head).await? == 0 {
                bail!("the server closed the stream before answering");
            }
        };
        let text = String::from_utf8_lossy(&head[..end]).to_ascii_lowercase();
        let status = text.lines().next().unwrap_or_default().to_owned();
        ensure!(
            status.split(' ').nth(1) == Some("200"),
            "stream answered {status:?}"
        );
        let chunked = text
            .lines()
            .any(|line| line.starts_with("transfer-encoding:") && line.contains("chunked"));
        let mut conn = SseConn {
            socket,
            framing: if chunked {
                Framing::Chunked(Chunked::default())
            } else {
                Framing::UntilClose
            },
            parser: Parser::default(),
            events: VecDeque::new(),
            read_buf: vec![0; READ_SIZE],
            payload: Vec::new(),
        };
        conn.consume(&head[end + 4..])?;
        Ok(conn)
    }

    /// The next event; `None` once the server ended the stream.
    pub async fn next_event(&mut self) -> anyhow::Result<Option<Event>> {
        loop {
            if let Some(event) = self.events.pop_front() {
                return Ok(Some(event));
            }
            if matches!(&self.framing, Framing::Chunked(c) if c.is_done()) {
                return Ok(None);
            }
            let n = self.socket.read(&mut self.read_buf).await?;
            if n == 0 {
                return Ok(None);
            }
            let bytes = std::mem::take(&mut self.read_buf);
            let result = self.consume(&bytes[..n]);
            self.read_buf = bytes;
            result?;
        }
    }

    /// Decodes received body bytes into queued events.
    fn consume(&mut self, bytes: &[u8]) -> anyhow::Result<()> {
        match &mut self.framing {
            Framing::Chunked(chunked) => {
                self.payload.clear();
                chunked.feed(bytes, &mut self.payload)?;
                self.parser.push(&self.payload);
            }
            Framing::UntilClose => self.parser.push(bytes),
        }
        while let Some(frame) = self.parser.next_frame() {
            if let Some(event) = Event::dispatched(frame) {
                self.events.push_back(event);
            }
        }
        Ok(())
    }
}
