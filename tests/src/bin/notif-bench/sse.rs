//! The client side of `GET /api/notifications/stream` over a raw TCP socket: a request
//! written by hand, the response head, HTTP/1.1 chunked framing and a minimal WHATWG
//! `EventSource` parser. Raw sockets keep a stream down to one task and a small buffer, so
//! the bench can hold 10,000 of them next to the server on the same two cores.

use std::collections::VecDeque;
use std::net::SocketAddr;

use anyhow::{Context, bail, ensure};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The most a response head may take before the bench gives up on it.
const MAX_HEAD: usize = 16 * 1024;
/// The most a chunk-size line may take.
const MAX_CHUNK_LINE: usize = 1024;
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

/// Turns a byte stream into events, one complete line at a time.
#[derive(Debug, Default)]
pub struct Parser {
    line: Vec<u8>,
    name: String,
    id: Option<String>,
    data: String,
    has_data: bool,
}

impl Parser {
    /// Consumes `bytes` and appends every event they complete to `out`.
    pub fn feed(&mut self, bytes: &[u8], out: &mut VecDeque<Event>) {
        let mut rest = bytes;
        while let Some(end) = rest.iter().position(|&b| b == b'\n') {
            self.line.extend_from_slice(&rest[..end]);
            let line = std::mem::take(&mut self.line);
            self.field(&line, out);
            self.line = line;
            self.line.clear();
            rest = &rest[end + 1..];
        }
        self.line.extend_from_slice(rest);
    }

    /// Handles one line (without its `\n`).
    fn field(&mut self, line: &[u8], out: &mut VecDeque<Event>) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            return self.dispatch(out);
        }
        if line.starts_with(b":") {
            return;
        }
        let (field, value) = match line.iter().position(|&b| b == b':') {
            Some(colon) => {
                let value = &line[colon + 1..];
                (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &b""[..]),
        };
        let value = String::from_utf8_lossy(value);
        match field {
            b"event" => self.name = value.into_owned(),
            b"id" => self.id = Some(value.into_owned()),
            b"data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(&value);
                self.has_data = true;
            }
            _ => {}
        }
    }

    /// A blank line: emits the event gathered so far, unless it carried no data.
    fn dispatch(&mut self, out: &mut VecDeque<Event>) {
        let name = std::mem::take(&mut self.name);
        let id = self.id.take();
        if !std::mem::take(&mut self.has_data) {
            return;
        }
        out.push_back(Event {
            name: if name.is_empty() {
                "message".into()
            } else {
                name
            },
            id,
            data: std::mem::take(&mut self.data),
        });
    }
}

/// HTTP/1.1 `Transfer-Encoding: chunked`, decoded incrementally.
#[derive(Debug, Default)]
pub struct Chunked {
    pending: Vec<u8>,
    state: ChunkState,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum ChunkState {
    /// Expecting a `SIZE[;ext]\r\n` line.
    #[default]
    Size,
    /// This many payload bytes still to come in the current chunk.
    Data(usize),
    /// Expecting the `\r\n` after a chunk's payload.
    DataEnd,
    /// The last (empty) chunk was seen.
    Done,
}

impl Chunked {
    /// Consumes `input` and appends the payload it completes to `out`.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> anyhow::Result<()> {
        self.pending.extend_from_slice(input);
        let buf = &self.pending;
        let mut pos = 0;
        loop {
            match self.state {
                ChunkState::Size => {
                    let Some(end) = buf[pos..].windows(2).position(|w| w == b"\r\n") else {
                        ensure!(
                            buf.len() - pos <= MAX_CHUNK_LINE,
                            "chunk-size line too long"
                        );
                        break;
                    };
                    let line = String::from_utf8_lossy(&buf[pos..pos + end]);
                    let hex = line.split(';').next().unwrap_or_default().trim();
                    let size = usize::from_str_radix(hex, 16)
                        .with_context(|| format!("bad chunk size {hex:?}"))?;
                    pos += end + 2;
                    self.state = if size == 0 {
                        ChunkState::Done
                    } else {
                        ChunkState::Data(size)
                    };
                }
                ChunkState::Data(left) => {
                    let take = left.min(buf.len() - pos);
                    if take == 0 {
                        break;
                    }
                    out.extend_from_slice(&buf[pos..pos + take]);
                    pos += take;
                    self.state = if take == left {
                        ChunkState::DataEnd
                    } else {
                        ChunkState::Data(left - take)
                    };
                }
                ChunkState::DataEnd => {
                    if buf.len() - pos < 2 {
                        break;
                    }
                    ensure!(&buf[pos..pos + 2] == b"\r\n", "chunk not followed by CRLF");
                    pos += 2;
                    self.state = ChunkState::Size;
                }
                ChunkState::Done => {
                    pos = buf.len();
                    break;
                }
            }
        }
        self.pending.drain(..pos);
        Ok(())
    }

    /// Whether the body ended (the zero-size chunk arrived).
    pub fn is_done(&self) -> bool {
        self.state == ChunkState::Done
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
    /// Connects, sends the stream request with `token`, and reads the response head: an
    /// error unless the server answers `200`.
    pub async fn open(addr: SocketAddr, token: &str) -> anyhow::Result<SseConn> {
        let mut socket = TcpStream::connect(addr)
            .await
            .with_context(|| format!("could not connect to {addr}"))?;
        socket.set_nodelay(true)?;
        let request = format!(
            "GET /api/notifications/stream HTTP/1.1\r\nHost: {addr}\r\n\
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
                self.parser.feed(&self.payload, &mut self.events);
            }
            Framing::UntilClose => self.parser.feed(bytes, &mut self.events),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_in_pieces(input: &str, piece: usize) -> Vec<Event> {
        let mut parser = Parser::default();
        let mut out = VecDeque::new();
        for bytes in input.as_bytes().chunks(piece) {
            parser.feed(bytes, &mut out);
        }
        out.into()
    }

    fn event(name: &str, id: Option<&str>, data: &str) -> Event {
        Event {
            name: name.into(),
            id: id.map(Into::into),
            data: data.into(),
        }
    }

    #[test]
    fn parses_the_servers_frames_whatever_the_split() {
        let input = "retry: 3000\n\n\
                     event: unread\ndata: {\"unreadCount\": 0}\n\n\
                     : keep-alive\n\n\
                     event: notification\nid: 42\ndata: {\"a\":1}\n\n\
                     data: line one\r\ndata:line two\r\n\r\n";
        let expected = vec![
            event("unread", None, "{\"unreadCount\": 0}"),
            event("notification", Some("42"), "{\"a\":1}"),
            event("message", None, "line one\nline two"),
        ];
        for piece in [1, 2, 3, 7, input.len()] {
            assert_eq!(parse_in_pieces(input, piece), expected, "piece {piece}");
        }
    }

    #[test]
    fn an_incomplete_event_waits_for_its_blank_line() {
        assert_eq!(parse_in_pieces("event: x\ndata: 1\n", 4), vec![]);
        assert_eq!(parse_in_pieces("event: x\nid: 1\n\n", 4), vec![]);
    }

    #[test]
    fn decodes_chunks_split_anywhere() {
        let body = b"5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n";
        for piece in [1, 2, 5, body.len()] {
            let mut chunked = Chunked::default();
            let mut out = Vec::new();
            for bytes in body.chunks(piece) {
                chunked.feed(bytes, &mut out).unwrap();
            }
            assert_eq!(out, b"hello, world", "piece {piece}");
            assert!(chunked.is_done());
        }
    }

    #[test]
    fn rejects_bad_chunk_framing() {
        let mut out = Vec::new();
        assert!(Chunked::default().feed(b"zz\r\n", &mut out).is_err());
        assert!(Chunked::default().feed(b"1\r\nabc", &mut out).is_err());
    }
}
