//! Writing a taken-over response on the bare socket: its head, its body's frames as they
//! come (chunked for HTTP/1.1), the last chunk when the body ends, then the close.
//!
//! Meanwhile the socket's read side is watched: a client that closes its end ends the
//! stream at once (what it sends is read into a small scrap buffer and dropped), so the
//! stream's place in its user's cap is freed without waiting for a write to fail. The
//! server closing the connection (a stream whose client stopped reading, shutdown's
//! `close_all`) ends it too, even with a write waiting on a full socket.

use std::future::Future;
use std::io::{self, IoSlice, Write};
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::{Buf, Bytes};
use hyper::body::Body as _;
use pin_project_lite::pin_project;
use tokio::io::AsyncWrite;
use tokio::net::TcpStream;

use super::{Claimed, Framing};
use crate::response::Body;

/// The last chunk of a chunked body (no trailers).
const LAST_CHUNK: &[u8] = b"0\r\n\r\n";

/// How a taken-over response ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// The body ended and all of it was written; the connection was then shut down.
    Finished,
    /// The client closed its end (or the socket failed) first.
    ClientGone,
    /// The server closed the connection (`closed` resolved).
    Closed,
}

pin_project! {
    /// Writes `claimed` on `tcp` until its body ends, the client goes, or `closed`
    /// resolves ([`run`]). A future written by hand: it is what an idle stream's task keeps
    /// for hours, and as an `async fn` (with its arguments and locals kept apart) it was
    /// twice the size; a `select!` of async helpers was four times.
    #[must_use = "futures do nothing unless polled"]
    pub struct Run<C> {
        tcp: TcpStream,
        // Dropped as soon as the stream ends: it holds the stream's subscription.
        body: Option<Body>,
        writer: Writer,
        ended: Option<Ended>,
        #[pin]
        closed: C,
    }
}

/// Writes `claimed` on `tcp` until its body ends, the client goes, or `closed` resolves;
/// the socket is closed when the returned future is dropped (shut down first when the body
/// ended).
pub fn run<C: Future<Output = ()>>(tcp: TcpStream, claimed: Claimed, closed: C) -> Run<C> {
    let Claimed {
        head,
        body,
        framing,
    } = claimed;
    Run {
        tcp,
        body: Some(body),
        writer: Writer {
            out: Outgoing::data(Bytes::from(head)),
            framing,
            body_done: false,
        },
        ended: None,
        closed,
    }
}

impl<C: Future<Output = ()>> Future for Run<C> {
    type Output = Ended;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Ended> {
        let this = self.project();
        let ended = match *this.ended {
            Some(ended) => ended,
            None => {
                let ended = if this.closed.poll(cx).is_ready() {
                    Ended::Closed
                } else if poll_client_gone(this.tcp, cx).is_ready() {
                    Ended::ClientGone
                } else {
                    let Some(body) = this.body.as_mut() else {
                        return Poll::Ready(Ended::Closed);
                    };
                    match ready!(this.writer.poll_send(this.tcp, body, cx)) {
                        Ok(()) => Ended::Finished,
                        Err(err) => {
                            tracing::debug!(%err, "stream write failed");
                            Ended::ClientGone
                        }
                    }
                };
                *this.body = None;
                *this.ended = Some(ended);
                ended
            }
        };
        if ended == Ended::Finished {
            let _ = ready!(Pin::new(this.tcp).poll_shutdown(cx));
        }
        Poll::Ready(ended)
    }
}

/// The sending side: what is being written, and whether the body has ended.
struct Writer {
    out: Outgoing,
    framing: Framing,
    body_done: bool,
}

impl Writer {
    /// Writes what is pending, then the body's frames as they come, then its end.
    fn poll_send(
        &mut self,
        tcp: &TcpStream,
        body: &mut Body,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<()>> {
        loop {
            if !self.out.is_empty() {
                ready!(tcp.poll_write_ready(cx))?;
                match self.out.write_to(tcp) {
                    Ok(()) => {}
                    Err(err) if err.kind() == io::ErrorKind::WouldBlock => {}
                    Err(err) => return Poll::Ready(Err(err)),
                }
                continue;
            }
            if self.body_done {
                return Poll::Ready(Ok(()));
            }
            match ready!(Pin::new(&mut *body).poll_frame(cx)) {
                Some(Ok(frame)) => {
                    // An empty chunk would end a chunked body; trailers are not sent.
                    let data = frame.into_data().unwrap_or_default();
                    if !data.is_empty() {
                        self.out = match self.framing {
                            Framing::Chunked => Outgoing::chunk(data),
                            Framing::UntilClose => Outgoing::data(data),
                        };
                    }
                }
                None => {
                    self.body_done = true;
                    if self.framing == Framing::Chunked {
                        self.out = Outgoing::last_chunk();
                    }
                }
            }
        }
    }
}

/// Bytes on their way to the socket: a chunk's size line, its data, what follows it.
struct Outgoing {
    size_line: [u8; 20],
    size_at: u8,
    size_end: u8,
    data: Bytes,
    tail: &'static [u8],
}

impl Outgoing {
    /// `data` as it is (the head, or a body delimited by the close).
    fn data(data: Bytes) -> Outgoing {
        Outgoing {
            size_line: [0; 20],
            size_at: 0,
            size_end: 0,
            data,
            tail: b"",
        }
    }

    /// `data` as one chunk of a chunked body.
    fn chunk(data: Bytes) -> Outgoing {
        let (size_line, end) = chunk_size_line(data.len());
        Outgoing {
            size_line,
            size_at: 0,
            size_end: end,
            data,
            tail: b"\r\n",
        }
    }

    fn last_chunk() -> Outgoing {
        Outgoing {
            tail: LAST_CHUNK,
            ..Outgoing::data(Bytes::new())
        }
    }

    fn is_empty(&self) -> bool {
        self.size_at == self.size_end && self.data.is_empty() && self.tail.is_empty()
    }

    /// One vectored write of what is left; advances past what the socket took.
    fn write_to(&mut self, tcp: &TcpStream) -> io::Result<()> {
        let size = &self.size_line[usize::from(self.size_at)..usize::from(self.size_end)];
        let parts = [size, &self.data[..], self.tail];
        let mut slices = [IoSlice::new(&[]); 3];
        let mut count = 0;
        for (slice, part) in slices
            .iter_mut()
            .zip(parts.iter().filter(|p| !p.is_empty()))
        {
            *slice = IoSlice::new(part);
            count += 1;
        }
        let mut written = tcp.try_write_vectored(&slices[..count])?;
        if written == 0 {
            return Err(io::ErrorKind::WriteZero.into());
        }
        let from_size = written.min(usize::from(self.size_end - self.size_at));
        self.size_at += from_size as u8;
        written -= from_size;
        let from_data = written.min(self.data.len());
        self.data.advance(from_data);
        written -= from_data;
        self.tail = &self.tail[written.min(self.tail.len())..];
        Ok(())
    }
}

/// `{len:X}\r\n` (upper-case hex, as hyper writes it) in a buffer of its own, and its
/// length.
fn chunk_size_line(len: usize) -> ([u8; 20], u8) {
    let mut line = io::Cursor::new([0u8; 20]);
    // 16 hex digits and CRLF fit in 20 bytes.
    let _ = write!(line, "{len:X}\r\n");
    let end = line.position() as u8;
    (line.into_inner(), end)
}

/// Ready when the client closed its end or the socket failed; what the client sends
/// meanwhile is read into a scrap buffer and dropped.
fn poll_client_gone(tcp: &TcpStream, cx: &mut Context<'_>) -> Poll<()> {
    loop {
        if ready!(tcp.poll_read_ready(cx)).is_err() {
            return Poll::Ready(());
        }
        let mut scrap = [0u8; 64];
        match tcp.try_read(&mut scrap) {
            Ok(0) => return Poll::Ready(()),
            Ok(_) => {}
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => {}
            Err(_) => return Poll::Ready(()),
        }
    }
}

#[cfg(test)]
#[path = "stream_tests.rs"]
mod tests;
