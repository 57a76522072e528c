//! The live stream, `GET /api/notifications/stream`, on top of reqwest-eventsource.
//!
//! Two levels:
//! - `Client::connect` is **one connection**: a stream of decoded [`StreamEvent`]s that
//!   ends after its first error (reqwest-eventsource's own reconnect is switched off).
//! - [`Subscription`] **reconnects** with back-off and `Last-Event-ID`, drops any
//!   notification it has already yielded, detects a dead link by silence (longer than
//!   twice the ping interval it observes, see `silence`), and reports
//!   connection changes as [`StreamUpdate`]s (for `notif watch` and the TUI's status).
//!
//! [`parse_event`] decodes one SSE message and is usable on its own.

use std::time::Duration;

use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use reqwest_eventsource::retry::RetryPolicy;
use reqwest_eventsource::{Error as EsError, Event, EventSource};
use tokio::time::{Instant, sleep_until, timeout_at};

use super::client::{Client, error_for_status};
use super::error::ApiError;
use super::retry::Backoff;
use super::silence::Silence;
use super::types::{DeletedData, Notification, ReadData, StreamEvent, UnreadData};

/// Decodes one SSE message from its `event` name, its (last) `id` and its `data`.
/// Unknown event names give `Ok(None)`, so that a newer server can add events without
/// breaking older clients.
pub fn parse_event(event: &str, id: &str, data: &str) -> Result<Option<StreamEvent>, ApiError> {
    let bad = |e: serde_json::Error| ApiError::Decode(format!("`{event}` event: {e}"));
    let parsed = match event {
        "unread" => {
            let d: UnreadData = serde_json::from_str(data).map_err(bad)?;
            StreamEvent::Unread {
                unread_count: d.unread_count,
            }
        }
        "notification" => {
            let seq = id
                .trim()
                .parse::<u64>()
                .map_err(|_| ApiError::Decode(format!("notification event with id {id:?}")))?;
            let notification: Notification = serde_json::from_str(data).map_err(bad)?;
            StreamEvent::Notification { seq, notification }
        }
        "read" => {
            let d: ReadData = serde_json::from_str(data).map_err(bad)?;
            StreamEvent::Read {
                ids: d.ids,
                unread_count: d.unread_count,
            }
        }
        "deleted" => {
            let d: DeletedData = serde_json::from_str(data).map_err(bad)?;
            StreamEvent::Deleted {
                id: d.id,
                unread_count: d.unread_count,
            }
        }
        "ping" => StreamEvent::Ping,
        _ => return Ok(None),
    };
    Ok(Some(parsed))
}

/// What one connection yields: its opening, then events.
#[derive(Debug)]
enum Raw {
    Open,
    Event(StreamEvent),
}

/// A retry policy that never retries: reconnecting is [`Subscription`]'s job, which
/// knows the last sequence number it yielded.
struct NoRetry;

impl RetryPolicy for NoRetry {
    fn retry(&self, _: &EsError, _: Option<(usize, Duration)>) -> Option<Duration> {
        None
    }
    fn set_reconnection_time(&mut self, _: Duration) {}
}

impl Client {
    /// One connection, including its `Open`.
    fn connect(
        &self,
        last_event_id: Option<u64>,
    ) -> Result<BoxStream<'static, Result<Raw, ApiError>>, ApiError> {
        let url = self.stream_url();
        let mut source = EventSource::new(self.stream_request(last_event_id)?)
            .map_err(|e| ApiError::Decode(e.to_string()))?;
        source.set_retry_policy(Box::new(NoRetry));
        let stream = futures_util::stream::unfold(Some(source), move |state| {
            let url = url.clone();
            async move {
                let mut source = state?;
                loop {
                    let item = match source.next().await? {
                        Ok(Event::Open) => Ok(Raw::Open),
                        Ok(Event::Message(msg)) => {
                            match parse_event(&msg.event, &msg.id, &msg.data) {
                                Ok(Some(ev)) => Ok(Raw::Event(ev)),
                                Ok(None) => continue,
                                Err(e) => Err(e),
                            }
                        }
                        Err(err) => {
                            source.close();
                            return Some((Err(stream_error(err, &url).await), None));
                        }
                    };
                    return Some((item, Some(source)));
                }
            }
        });
        Ok(stream.boxed())
    }
}

/// Converts reqwest-eventsource's error, reading the error body of a bad status.
async fn stream_error(err: EsError, url: &str) -> ApiError {
    match err {
        EsError::InvalidStatusCode(_, resp) => match error_for_status(resp, url).await {
            Err(e) => e,
            Ok(_) => ApiError::Decode("unexpected status on the stream".to_owned()),
        },
        EsError::InvalidContentType(ct, _) => {
            ApiError::Decode(format!("the stream answered with content type {ct:?}"))
        }
        EsError::Transport(e) => ApiError::from_reqwest(url, &e),
        EsError::StreamEnded => ApiError::Transport {
            url: url.to_owned(),
            reason: "the server closed the stream".to_owned(),
        },
        other => ApiError::Decode(other.to_string()),
    }
}

/// What a [`Subscription`] reports.
#[derive(Debug)]
pub enum StreamUpdate {
    /// A connection was (re)established.
    Connected,
    /// An event; notifications are never yielded twice.
    Event(StreamEvent),
    /// The connection was lost; the next call reconnects after `retry_in`.
    Disconnected {
        /// Why it was lost.
        error: ApiError,
        /// The back-off before reconnecting.
        retry_in: Duration,
    },
}

/// The stream, reconnecting for ever with back-off and `Last-Event-ID`.
///
/// Call [`Subscription::next`] in a loop (it is cancel-safe, so it can sit in a
/// `tokio::select!`). It returns `Err` only for errors that reconnecting cannot fix:
/// `401`/`403`/`404`, a `400`, or a bad URL.
pub struct Subscription {
    client: Client,
    /// Highest notification sequence number yielded; resumes from here.
    last_seq: Option<u64>,
    /// The open connection, if any.
    current: Option<BoxStream<'static, Result<Raw, ApiError>>>,
    /// When to reconnect, after a failure.
    reconnect_at: Option<Instant>,
    backoff: Backoff,
    /// When the open connection has been silent for too long.
    silence: Silence,
}

impl Subscription {
    /// A subscription resuming after `last_event_id` (or from now, when `None`).
    pub fn new(client: Client, last_event_id: Option<u64>) -> Self {
        Self {
            client,
            last_seq: last_event_id,
            current: None,
            reconnect_at: None,
            backoff: Backoff::default(),
            silence: Silence::new(Instant::now()),
        }
    }

    /// The server's ping interval as observed, once known: the stream counts as dead
    /// after twice that (plus a margin) without an event.
    pub fn ping_interval(&self) -> Option<Duration> {
        self.silence.ping_interval()
    }

    /// The next update; see [`Subscription`].
    pub async fn next(&mut self) -> Result<StreamUpdate, ApiError> {
        loop {
            if let Some(at) = self.reconnect_at {
                sleep_until(at).await;
                self.reconnect_at = None;
            }
            let stream = match &mut self.current {
                Some(stream) => stream,
                None => {
                    self.silence.connected(Instant::now());
                    self.current.insert(self.client.connect(self.last_seq)?)
                }
            };
            // A deadline, not a timeout per call, so that a caller that cancels `next`
            // (in a `select!`) does not restart the clock.
            let limit = self.silence.limit();
            let item = match timeout_at(self.silence.deadline(), stream.next()).await {
                Ok(Some(item)) => item,
                Ok(None) => Err(ApiError::Transport {
                    url: self.client.stream_url(),
                    reason: "the stream ended".to_owned(),
                }),
                Err(_) => Err(ApiError::Transport {
                    url: self.client.stream_url(),
                    reason: format!("no event for {} s", limit.as_secs()),
                }),
            };
            if item.is_ok() {
                let ping = matches!(item, Ok(Raw::Event(StreamEvent::Ping)));
                self.silence.heard(Instant::now(), ping);
            }
            match item {
                Ok(Raw::Open) => {
                    self.backoff.reset();
                    return Ok(StreamUpdate::Connected);
                }
                Ok(Raw::Event(StreamEvent::Notification { seq, .. }))
                    if self.last_seq.is_some_and(|last| seq <= last) => {}
                Ok(Raw::Event(ev)) => {
                    if let StreamEvent::Notification { seq, .. } = ev {
                        self.last_seq = Some(seq);
                    }
                    return Ok(StreamUpdate::Event(ev));
                }
                Err(error) => return self.disconnected(error),
            }
        }
    }

    /// Drops the connection and schedules a reconnect, or gives up on a fatal error.
    fn disconnected(&mut self, error: ApiError) -> Result<StreamUpdate, ApiError> {
        self.current = None;
        let fatal = matches!(error.status(), Some(s) if s < 500 && s != 429)
            || matches!(error, ApiError::InvalidUrl { .. } | ApiError::InvalidToken);
        if fatal {
            return Err(error);
        }
        let retry_in = super::retry::delay_for(&error, &mut self.backoff);
        self.reconnect_at = Some(Instant::now() + retry_in);
        Ok(StreamUpdate::Disconnected { error, retry_in })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_event_of_the_contract() {
        let n = r#"{"id":"abc","userId":"alice","type":"INFO","title":"t","createdAt":"2026-11-24T06:19:55.123Z"}"#;
        let Some(StreamEvent::Notification { seq, notification }) =
            parse_event("notification", "42", n).unwrap()
        else {
            panic!("not a notification")
        };
        assert_eq!((seq, notification.id.as_str()), (42, "abc"));
        assert_eq!(
            parse_event("unread", "42", r#"{"unreadCount":3}"#).unwrap(),
            Some(StreamEvent::Unread { unread_count: 3 })
        );
        assert_eq!(
            parse_event("read", "", r#"{"ids":["a"],"unreadCount":0}"#).unwrap(),
            Some(StreamEvent::Read {
                ids: vec!["a".into()],
                unread_count: 0
            })
        );
        assert_eq!(
            parse_event("deleted", "", r#"{"id":"a","unreadCount":1}"#).unwrap(),
            Some(StreamEvent::Deleted {
                id: "a".into(),
                unread_count: 1
            })
        );
        assert_eq!(
            parse_event("ping", "", r#"{"time":"2026-11-24T06:19:55.123Z"}"#).unwrap(),
            Some(StreamEvent::Ping)
        );
        assert_eq!(parse_event("future", "", "{}").unwrap(), None);
    }

    #[test]
    fn notification_without_numeric_id_is_an_error() {
        assert!(parse_event("notification", "", "{}").is_err());
    }
}
