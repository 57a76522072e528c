//! `GET /api/notifications/stream`: Server-Sent Events of a user's inbox, with loss-free
//! resume.
//!
//! A stream subscribes to the hub *before* it reads the database, so nothing committed in
//! between is missed; it then replays every notification above `Last-Event-ID` (for a new
//! client, above the user's newest when it connected), sends the unread count with the
//! highest sequence so far as its `id:`, and goes live, skipping live notifications its
//! replay already sent. The replay comes in steps the store reads and renders off the
//! runtime's workers, at a lower priority (`store::replay`). The body is polled by the
//! connection's own task: no task or timer per stream. Pings, token re-checks and closing a
//! stream whose client stopped reading are the hub's keeper's work (`hub::keeper`), so none
//! of them waits for this body to be polled.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::stream;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::{Request, Response};
use tokio_util::sync::CancellationToken;

use crate::auth;
use crate::connections::ConnectionHandle;
use crate::error::ApiError;
use crate::hub::{StreamRefused, Subscription};
use crate::request;
use crate::response::{self, Body};
use crate::router::{Call, UserId};
use crate::sse::{self, events};
use crate::store::Store;
use crate::takeover::TakeOver;

/// A replay is handed to the connection in pieces of at most this size, so that what waits
/// on a slow client is one piece, not a whole step.
const REPLAY_CHUNK_BYTES: usize = 64 * 1024;

/// Opens a stream for the caller's inbox.
pub async fn open(call: Call<UserId>) -> Result<Response<Body>, ApiError> {
    let (state, req, user_id) = (&call.state, &call.req, call.caller);
    let resume_after = last_event_id(req)?;
    // The newest sequence number this user has had, read before subscribing. An id from
    // beyond it (a client that kept its id across a reset) resumes from it instead of
    // skipping every live one below its id; a stream without an id goes live after it (on
    // PostgreSQL, what another node committed just before may still be on its way here).
    let newest = state.store.max_seq(user_id.clone()).await?;
    let resume_after = resume_after.map(|after| after.min(newest));
    let token_hash = auth::token_hash_of(req).unwrap_or_default();
    let connection = req
        .extensions()
        .get::<ConnectionHandle>()
        .cloned()
        .unwrap_or_else(ConnectionHandle::detached);
    let subscription = state
        .hub
        .subscribe(&user_id, token_hash, connection)
        .map_err(|refused| match refused {
            StreamRefused::UserFull(_) => ApiError::RateLimited {
                retry_after_secs: 30,
                message: refused.to_string(),
            },
            StreamRefused::ServerFull(_) => ApiError::Unavailable(refused.to_string()),
        })?;
    let events = EventStream {
        phase: Phase::Start,
        user_id,
        last_seq: resume_after.unwrap_or(newest),
        replay: Bytes::new(),
        replay_done: false,
        store: Arc::clone(&state.store),
        subscription,
        shutdown: state.shutdown.clone(),
    };
    let frames = stream::unfold(events, |mut events| async move {
        events.subscription.asked();
        let bytes = events.next_bytes().await?;
        events.subscription.handed_over();
        Some((Ok::<_, Infallible>(Frame::data(bytes)), events))
    });
    let mut response =
        response::stream("text/event-stream", StreamBody::new(frames).boxed_unsync());
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    // Idle for hours: written on the bare socket, without hyper's connection state.
    response.extensions_mut().insert(TakeOver);
    Ok(response)
}

/// `Last-Event-ID` (header, as `EventSource` sends it on reconnect) or `?lastEventId=`:
/// a sequence number, or `400`.
fn last_event_id(req: &Request<Incoming>) -> Result<Option<i64>, ApiError> {
    let raw = match request::header(req, "last-event-id") {
        Some(value) => Some(value.to_owned()),
        None if req.headers().contains_key("last-event-id") => Some(String::from("?")),
        None => request::query(req).remove("lastEventId"),
    };
    match raw.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(value) => value
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .map(Some)
            .ok_or_else(|| {
                ApiError::BadRequest(
                    "Last-Event-ID must be a sequence number from this stream".into(),
                )
            }),
    }
}

enum Phase {
    Start,
    Replay,
    Unread,
    Live,
}

struct EventStream {
    phase: Phase,
    user_id: String,
    /// The highest sequence number sent so far: live notifications at or below it were
    /// already replayed.
    last_seq: i64,
    /// What is still to send of the replay step read last, rendered.
    replay: Bytes,
    /// The last step read was the last one.
    replay_done: bool,
    store: Arc<dyn Store>,
    subscription: Subscription,
    shutdown: CancellationToken,
}

impl EventStream {
    /// The next bytes to send, or `None` to end the stream.
    async fn next_bytes(&mut self) -> Option<Bytes> {
        loop {
            match self.phase {
                Phase::Start => {
                    self.phase = Phase::Replay;
                    return Some(Bytes::from_static(sse::RETRY_FRAME));
                }
                Phase::Replay => {
                    if !self.replay.is_empty() {
                        let piece = REPLAY_CHUNK_BYTES.min(self.replay.len());
                        return Some(self.replay.split_to(piece));
                    }
                    if self.replay_done {
                        self.phase = Phase::Unread;
                        continue;
                    }
                    // Read and rendered off the runtime's workers (see `store::replay`).
                    let step = self
                        .store
                        .replay_step(self.user_id.clone(), self.last_seq, events::notification)
                        .await
                        .map_err(|err| tracing::warn!(%err, "stream replay failed"))
                        .ok()?;
                    self.last_seq = step.last_seq;
                    self.replay_done = step.done;
                    self.replay = step.frames;
                }
                Phase::Unread => {
                    let count = self
                        .store
                        .unread_count(self.user_id.clone())
                        .await
                        .map_err(|err| tracing::warn!(%err, "stream unread count failed"))
                        .ok()?;
                    self.phase = Phase::Live;
                    return Some(events::unread(count, self.last_seq));
                }
                Phase::Live => {
                    tokio::select! {
                        biased;
                        () = self.shutdown.cancelled() => return None,
                        frame = self.subscription.recv() => {
                            let frame = frame?;
                            if let Some(seq) = frame.seq {
                                if seq <= self.last_seq {
                                    continue;
                                }
                                self.last_seq = seq;
                            }
                            return Some(frame.bytes.clone());
                        }
                    }
                }
            }
        }
    }
}
