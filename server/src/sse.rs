//! Server-Sent Events framing, per the WHATWG `EventSource` format: pure functions from an
//! event to the exact bytes on the wire. `events` renders this server's five events with it.

pub mod events;

use bytes::Bytes;

/// The first bytes of every stream: how long a client waits before reconnecting.
pub const RETRY_FRAME: &[u8] = b"retry: 3000\n\n";

/// One event, built then turned into bytes once, whatever the number of streams it goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event<'a> {
    name: &'a str,
    id: Option<i64>,
    data: &'a str,
}

impl<'a> Event<'a> {
    /// A named event. The name is one of this server's constants, so it never holds a line
    /// break; that is checked in debug builds.
    pub fn new(name: &'a str, data: &'a str) -> Self {
        debug_assert!(!name.contains(['\r', '\n']), "event names are single-line");
        Event {
            name,
            id: None,
            data,
        }
    }

    /// Sets the `id:` line (the notification's sequence number).
    pub fn id(mut self, id: i64) -> Self {
        self.id = Some(id);
        self
    }

    /// The wire form: `event:`, optional `id:`, one `data:` line per line of data (so any
    /// `\n`, `\r\n` or `\r` in the data survives the trip), then a blank line.
    pub fn to_bytes(&self) -> Bytes {
        let mut out = String::with_capacity(self.data.len() + self.name.len() + 32);
        out.push_str("event: ");
        out.push_str(self.name);
        out.push('\n');
        if let Some(id) = self.id {
            out.push_str("id: ");
            out.push_str(&id.to_string());
            out.push('\n');
        }
        for line in split_lines(self.data) {
            out.push_str("data: ");
            out.push_str(line);
            out.push('\n');
        }
        out.push('\n');
        Bytes::from(out)
    }
}

/// Splits on `\r\n`, `\n` or `\r`, the three line ends an `EventSource` parser accepts.
fn split_lines(data: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(data);
    std::iter::from_fn(move || {
        let text = rest?;
        match text.find(['\r', '\n']) {
            Some(at) => {
                let skip = if text[at..].starts_with("\r\n") { 2 } else { 1 };
                rest = Some(&text[at + skip..]);
                Some(&text[..at])
            }
            None => {
                rest = None;
                Some(text)
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_with_id_and_json_data() {
        let bytes = Event::new("notification", r#"{"a":1}"#).id(42).to_bytes();
        assert_eq!(
            &bytes[..],
            b"event: notification\nid: 42\ndata: {\"a\":1}\n\n"
        );
    }

    #[test]
    fn every_line_end_becomes_its_own_data_line() {
        let bytes = Event::new("x", "a\nb\r\nc\rd").to_bytes();
        assert_eq!(
            &bytes[..],
            b"event: x\ndata: a\ndata: b\ndata: c\ndata: d\n\n"
        );
    }

    #[test]
    fn empty_data_is_one_empty_data_line() {
        assert_eq!(&Event::new("x", "").to_bytes()[..], b"event: x\ndata: \n\n");
    }
}
