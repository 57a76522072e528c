//! [`FullErrorAnswers`]: a connection's socket as hyper sees it, with hyper's bare
//! automatic answers replaced on their way out ([`super::rewrite`]).

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A connection's IO: reads pass through; a write that ends with hyper's automatic error
/// answer is taken whole (hyper is told every byte was written) and notif's full answer is
/// written in its place before the next write, flush or shutdown goes on.
#[derive(Debug)]
pub struct FullErrorAnswers<S> {
    inner: S,
    /// The replacement answer, and how much of it is written.
    pending: Vec<u8>,
    sent: usize,
}

impl<S> FullErrorAnswers<S> {
    /// Wraps a freshly accepted connection.
    pub fn new(inner: S) -> Self {
        FullErrorAnswers {
            inner,
            pending: Vec::new(),
            sent: 0,
        }
    }
}

impl<S> FullErrorAnswers<S> {
    /// The socket back, once hyper is done with it. A replacement answer is never pending
    /// then: hyper writes its automatic answers only as a connection's last words.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S: AsyncWrite + Unpin> FullErrorAnswers<S> {
    /// Writes what is left of a replacement answer.
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.sent < self.pending.len() {
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &self.pending[self.sent..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.sent += n;
        }
        self.pending = Vec::new();
        self.sent = 0;
        Poll::Ready(Ok(()))
    }

    /// Takes `buf` whole if it ends with hyper's automatic answer: its replacement is
    /// written now as far as the socket takes it, the rest by the next call.
    fn take_automatic(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Option<io::Result<usize>> {
        self.pending = super::rewrite(buf)?;
        self.sent = 0;
        match self.poll_pending(cx) {
            Poll::Ready(Err(err)) => Some(Err(err)),
            Poll::Ready(Ok(())) | Poll::Pending => Some(Ok(buf.len())),
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for FullErrorAnswers<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for FullErrorAnswers<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        if let Some(taken) = this.take_automatic(cx, buf) {
            return Poll::Ready(taken);
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    /// hyper writes a head as one buffer of its own (bodies are further buffers), so its
    /// automatic answer is a write of one non-empty buffer.
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        let mut non_empty = bufs.iter().filter(|b| !b.is_empty());
        if let (Some(only), None) = (non_empty.next(), non_empty.next()) {
            if let Some(taken) = this.take_automatic(cx, only) {
                return Poll::Ready(taken);
            }
        }
        Pin::new(&mut this.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::io::IoSlice;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    const BARE_431: &[u8] =
        b"HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\n\
        content-length: 0\r\n\r\n";

    /// Everything `other`, the far end of `wrapped`'s pipe, receives once `wrapped` is shut
    /// down.
    async fn received(
        mut wrapped: FullErrorAnswers<tokio::io::DuplexStream>,
        mut other: tokio::io::DuplexStream,
    ) -> String {
        wrapped.shutdown().await.unwrap();
        drop(wrapped);
        let mut out = Vec::new();
        other.read_to_end(&mut out).await.unwrap();
        String::from_utf8(out).unwrap()
    }

    #[tokio::test]
    async fn ordinary_writes_pass_unchanged() {
        let (ours, other) = tokio::io::duplex(1 << 16);
        let mut wrapped = FullErrorAnswers::new(ours);
        wrapped.write_all(b"HTTP/1.1 200 OK\r\n\r\n").await.unwrap();
        let out = received(wrapped, other).await;
        assert_eq!(out, "HTTP/1.1 200 OK\r\n\r\n");
    }

    #[tokio::test]
    async fn the_automatic_answer_is_replaced_even_through_a_narrow_pipe() {
        // A 16-byte pipe takes the replacement in many pieces: each call goes on with it.
        let (ours, other) = tokio::io::duplex(16);
        let reader = tokio::spawn(async move {
            let mut other = other;
            let mut out = Vec::new();
            other.read_to_end(&mut out).await.unwrap();
            String::from_utf8(out).unwrap()
        });
        let mut wrapped = FullErrorAnswers::new(ours);
        let n = wrapped.write(BARE_431).await.unwrap();
        assert_eq!(
            n,
            BARE_431.len(),
            "hyper is told its answer was written whole"
        );
        wrapped.flush().await.unwrap();
        wrapped.shutdown().await.unwrap();
        drop(wrapped);
        let out = reader.await.unwrap();
        assert!(out.starts_with("HTTP/1.1 431 "), "{out}");
        assert!(out.contains("x-content-type-options: nosniff\r\n"), "{out}");
        assert!(out.ends_with("}}"), "{out}");
    }

    #[tokio::test]
    async fn a_vectored_write_of_the_automatic_answer_is_replaced() {
        let (ours, other) = tokio::io::duplex(1 << 16);
        let mut wrapped = FullErrorAnswers::new(ours);
        let bufs = [IoSlice::new(BARE_431), IoSlice::new(b"")];
        let n = std::future::poll_fn(|cx| Pin::new(&mut wrapped).poll_write_vectored(cx, &bufs))
            .await
            .unwrap();
        assert_eq!(n, BARE_431.len());
        let out = received(wrapped, other).await;
        assert!(out.contains("\"request_header_fields_too_large\""), "{out}");
        assert!(out.contains("connection: close\r\n"), "{out}");
    }
}
