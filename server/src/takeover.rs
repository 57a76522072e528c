//! Streams written outside hyper: once a stream's response is decided, its connection is
//! taken from hyper and the stream is written on the bare socket, so that an idle stream
//! keeps no HTTP connection state (hyper's read and write buffers alone are 16 KiB, kept for
//! the connection's life).
//!
//! The request still goes through hyper's parser and the whole middleware and router (auth,
//! cross-site rule, rate limits, CORS and security headers, metrics); only the transport of
//! the response changes. The handler marks its response with [`TakeOver`]; the connection's
//! service [`claims`](Handoff::claim) a marked response into the connection's [`Handoff`]
//! and gives hyper no answer at all (its future never resolves), so hyper writes nothing for
//! it. Once hyper has flushed what it had buffered before ([`io::HandoffIo`] sees the
//! flush), the connection's task takes the socket back from hyper, drops hyper's connection
//! and writes the stream itself ([`stream::run`]): the same head and chunked framing hyper
//! would send, plus `connection: close`, as the connection ends with the stream.

pub mod head;
pub mod io;
pub mod stream;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

use hyper::{Response, Version};

use crate::response::Body;

/// A response extension: "write this response outside hyper, on the bare socket". Set by
/// handlers whose response lives long and idles (streams); any other response goes
/// through hyper as usual, and so does a marked one where no connection takes it over
/// (requests built in unit tests).
#[derive(Debug, Clone, Copy)]
pub struct TakeOver;

/// A response claimed for writing outside hyper: its head, already encoded, and its body.
pub struct Claimed {
    pub head: Vec<u8>,
    pub body: Body,
    pub framing: Framing,
}

/// How the body is delimited on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// HTTP/1.1: chunked, ended by the last chunk.
    Chunked,
    /// HTTP/1.0 (no chunked encoding): the body ends when the connection closes.
    UntilClose,
}

/// One connection's meeting point between its service (which claims a marked response),
/// its IO (which sees hyper flush) and its task (which takes the claimed response once
/// hyper has nothing of its own left to write).
#[derive(Default)]
pub struct Handoff {
    claimed: Mutex<Option<Claimed>>,
    /// A response was claimed: from now on hyper writes nothing new.
    handed: AtomicBool,
    /// hyper flushed after the claim: its write buffer is empty, everything it wrote for
    /// earlier requests is on the socket.
    flushed: AtomicBool,
}

impl Handoff {
    fn claimed(&self) -> MutexGuard<'_, Option<Claimed>> {
        self.claimed
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// The service's side: keeps `response` for the connection's task if it is marked
    /// [`TakeOver`] (`None`: give hyper no answer), or gives it back to go through hyper.
    /// `version` is the request's, which decides the framing.
    pub fn claim(&self, response: Response<Body>, version: Version) -> Option<Response<Body>> {
        if response.extensions().get::<TakeOver>().is_none() {
            return Some(response);
        }
        let framing = if version == Version::HTTP_10 {
            Framing::UntilClose
        } else {
            Framing::Chunked
        };
        let (parts, body) = response.into_parts();
        let head = head::encode(
            version,
            parts.status,
            &parts.headers,
            framing,
            &head::date_now(),
        );
        *self.claimed() = Some(Claimed {
            head,
            body,
            framing,
        });
        self.handed.store(true, Ordering::Release);
        None
    }

    /// The IO's side: hyper flushes its socket only once its write buffer is empty.
    fn note_flush(&self) {
        if self.handed.load(Ordering::Acquire) {
            self.flushed.store(true, Ordering::Release);
        }
    }

    /// The task's side: the claimed response, once hyper has flushed everything it wrote
    /// before the claim.
    pub fn take(&self) -> Option<Claimed> {
        if !self.flushed.load(Ordering::Acquire) {
            return None;
        }
        self.claimed().take()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use bytes::Bytes;
    use http_body_util::{BodyExt, Full};
    use hyper::StatusCode;

    use super::*;

    fn response(marked: bool) -> Response<Body> {
        let mut response = Response::new(Full::new(Bytes::from_static(b"x")).boxed_unsync());
        if marked {
            response.extensions_mut().insert(TakeOver);
        }
        response
    }

    #[test]
    fn an_unmarked_response_goes_back_to_hyper() {
        let handoff = Handoff::default();
        let back = handoff.claim(response(false), Version::HTTP_11);
        assert_eq!(back.unwrap().status(), StatusCode::OK);
        handoff.note_flush();
        assert!(handoff.take().is_none());
    }

    #[test]
    fn a_claimed_response_is_taken_only_after_hyper_flushed() {
        let handoff = Handoff::default();
        handoff.note_flush();
        assert!(handoff.claim(response(true), Version::HTTP_11).is_none());
        assert!(handoff.take().is_none(), "no flush since the claim");
        handoff.note_flush();
        let claimed = handoff.take().unwrap();
        assert_eq!(claimed.framing, Framing::Chunked);
        assert!(claimed.head.starts_with(b"HTTP/1.1 200 OK\r\n"));
        assert!(handoff.take().is_none(), "taken once");
    }

    #[test]
    fn an_http_1_0_request_gets_a_body_delimited_by_the_close() {
        let handoff = Handoff::default();
        assert!(handoff.claim(response(true), Version::HTTP_10).is_none());
        handoff.note_flush();
        let claimed = handoff.take().unwrap();
        assert_eq!(claimed.framing, Framing::UntilClose);
        assert!(claimed.head.starts_with(b"HTTP/1.0 200 OK\r\n"));
    }
}
