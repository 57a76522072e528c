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

use http_body_util::BodyExt;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use super::{Claimed, Framing};
use crate::response::Body;

/// The last chunk of a chunked body (no trailers).
const LAST_CHUNK: &[u8] = b"0\r\n\r\n";

/// How a taken-over response ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Ended {
    /// The body ended and all of it was written; the connection was then shut down.
    Finished,
    /// The client closed its end (or the socket failed) first.
    ClientGone,
    /// The server closed the connection (`closed` resolved).
    Closed,
}

/// Writes `claimed` on `tcp` until its body ends, the client goes, or `closed` resolves;
/// the socket is closed when this returns.
pub async fn run(tcp: TcpStream, claimed: Claimed, closed: impl Future<Output = ()>) -> Ended {
    let Claimed {
        head,
        mut body,
        framing,
    } = claimed;
    let ended = tokio::select! {
        biased;
        () = closed => Ended::Closed,
        () = client_gone(&tcp) => Ended::ClientGone,
        sent = send(&tcp, head, &mut body, framing) => match sent {
            Ok(()) => Ended::Finished,
            Err(err) => {
                tracing::debug!(%err, "stream write failed");
                Ended::ClientGone
            }
        },
    };
    // The body holds the stream's subscription: its place is freed now.
    drop(body);
    if ended == Ended::Finished {
        let mut tcp = tcp;
        let _ = tcp.shutdown().await;
    }
    ended
}

/// Writes the head, then every data frame of `body`, then the body's end.
async fn send(tcp: &TcpStream, head: Vec<u8>, body: &mut Body, framing: Framing) -> io::Result<()> {
    write_all(tcp, &mut [&head]).await?;
    drop(head);
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        // An empty chunk would end a chunked body.
        if data.is_empty() {
            continue;
        }
        match framing {
            Framing::Chunked => {
                let (size, len) = chunk_size_line(data.len());
                write_all(tcp, &mut [&size[..len], &data, b"\r\n"]).await?;
            }
            Framing::UntilClose => write_all(tcp, &mut [&data]).await?,
        }
    }
    if framing == Framing::Chunked {
        write_all(tcp, &mut [LAST_CHUNK]).await?;
    }
    Ok(())
}

/// `{len:X}\r\n` (upper-case hex, as hyper writes it) in a buffer of its own, and its
/// length.
fn chunk_size_line(len: usize) -> ([u8; 20], usize) {
    let mut line = io::Cursor::new([0u8; 20]);
    // 16 hex digits and CRLF fit in 20 bytes.
    let _ = write!(line, "{len:X}\r\n");
    let end = line.position() as usize;
    (line.into_inner(), end)
}

/// Writes every byte of `parts` (three at most), in order, as the socket takes them.
async fn write_all(tcp: &TcpStream, parts: &mut [&[u8]]) -> io::Result<()> {
    loop {
        if parts.iter().all(|part| part.is_empty()) {
            return Ok(());
        }
        tcp.writable().await?;
        match write_some(tcp, parts) {
            Ok(()) => {}
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => {}
            Err(err) => return Err(err),
        }
    }
}

/// One vectored write of what is left of `parts`; advances them past what was written.
fn write_some(tcp: &TcpStream, parts: &mut [&[u8]]) -> io::Result<()> {
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
    for part in parts.iter_mut() {
        let taken = written.min(part.len());
        *part = &part[taken..];
        written -= taken;
    }
    Ok(())
}

/// Resolves when the client closed its end or the socket failed; what the client sends
/// meanwhile is dropped.
async fn client_gone(tcp: &TcpStream) {
    loop {
        if tcp.readable().await.is_err() {
            return;
        }
        let mut scrap = [0u8; 64];
        match tcp.try_read(&mut scrap) {
            Ok(0) => return,
            Ok(_) => {}
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => {}
            Err(_) => return,
        }
    }
}

#[cfg(test)]
#[path = "stream_tests.rs"]
mod tests;
