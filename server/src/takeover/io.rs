//! [`HandoffIo`]: a connection's socket as hyper sees it, telling the connection's
//! [`Handoff`] when hyper flushes, so that the socket is taken from hyper only once hyper
//! has nothing of its own left to write.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::Handoff;

/// Reads and writes pass through. hyper flushes its socket only once its write buffer is
/// empty, so a flush after a response was claimed means everything hyper wrote for
/// earlier requests went out and nothing of its own is left.
pub struct HandoffIo<S> {
    inner: S,
    handoff: Arc<Handoff>,
}

impl<S> HandoffIo<S> {
    /// Wraps a connection's socket; `handoff` is shared with the connection's service.
    pub fn new(inner: S, handoff: Arc<Handoff>) -> Self {
        HandoffIo { inner, handoff }
    }

    /// The socket back, once hyper is done with it.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for HandoffIo<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for HandoffIo<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.handoff.note_flush();
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}
