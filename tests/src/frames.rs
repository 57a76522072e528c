//! Server-Sent Events framing per the WHATWG `EventSource` format, as pure functions over
//! bytes: lines end in CRLF, LF or CR; a blank line ends a frame; `event:`, `data:` (joined
//! with `\n`), `id:` and `retry:` fields; lines starting with `:` are comments; a leading
//! byte-order mark is skipped.
//!
//! This is the one frame reader of notif's tests: [`crate::sse::SseStream`] feeds it a
//! reqwest body, the bench's raw-socket streams feed it de-chunked bytes
//! ([`crate::chunked::Chunked`]), the property tests check `server/src/sse.rs` against it, and
//! [`parse_all`] reads a whole body received by other means.

use serde_json::Value;

/// One frame: the fields seen between two blank lines.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Frame {
    /// The `event:` field (`None`: the event dispatches as `message`).
    pub event: Option<String>,
    /// The `data:` lines joined by `\n`; `None` when the frame had no `data:` line.
    pub data: Option<String>,
    /// The `id:` field.
    pub id: Option<String>,
    /// The `retry:` field, when a number.
    pub retry: Option<u64>,
    /// The comment lines (`: text`), without the colon and one leading space.
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

    /// The `unreadCount` of an `unread`, `read` or `deleted` event.
    #[track_caller]
    pub fn unread_count(&self) -> u64 {
        self.json()["unreadCount"]
            .as_u64()
            .unwrap_or_else(|| panic!("event without unreadCount: {self:?}"))
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

/// The pure byte-to-frame part of the reader: push bytes as they come, take frames.
#[derive(Debug, Default)]
pub struct Parser {
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
    /// Appends received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        self.pending.extend_from_slice(bytes);
    }

    /// Marks the input as complete (the stream ended).
    pub fn end(&mut self) {
        self.ended = true;
    }

    /// Whether the input is complete.
    pub fn is_ended(&self) -> bool {
        self.ended
    }

    /// The next complete frame from the bytes received so far.
    pub fn next_frame(&mut self) -> Option<Frame> {
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

    /// Feeds `input` in pieces of `piece` bytes; returns (kind, id, data) of each dispatched
    /// event, as `EventSource` would see them.
    fn events_in_pieces(input: &str, piece: usize) -> Vec<(String, Option<String>, String)> {
        let mut parser = Parser::default();
        let mut events = Vec::new();
        for bytes in input.as_bytes().chunks(piece) {
            parser.push(bytes);
            events.extend(std::iter::from_fn(|| parser.next_frame()));
        }
        events
            .into_iter()
            .filter_map(|f| {
                let kind = f.kind()?.to_string();
                Some((kind, f.id, f.data.unwrap_or_default()))
            })
            .collect()
    }

    fn event(name: &str, id: Option<&str>, data: &str) -> (String, Option<String>, String) {
        (name.into(), id.map(Into::into), data.into())
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
            assert_eq!(events_in_pieces(input, piece), expected, "piece {piece}");
        }
    }

    #[test]
    fn an_incomplete_event_waits_for_its_blank_line() {
        assert_eq!(events_in_pieces("event: x\ndata: 1\n", 4), vec![]);
        assert_eq!(events_in_pieces("event: x\nid: 1\n\n", 4), vec![]);
    }
}
