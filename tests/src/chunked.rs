//! HTTP/1.1 `Transfer-Encoding: chunked`, decoded incrementally: the one chunked decoder of
//! notif's tests, for clients that read a raw socket (the bench's 10,000 streams, the fault
//! tests' stalled reader) and hand the payload to [`crate::frames::Parser`].

use anyhow::{Context, ensure};

/// The most a chunk-size line may take.
const MAX_CHUNK_LINE: usize = 1024;

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

#[cfg(test)]
mod tests {
    use super::*;

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
