//! Fault tests (issue 7): the real server crashed, stopped, starved of disk, reconnected to
//! a thousand times and stalled by a reader, checked against what `API.md` promises.
//!
//! Each test is bounded (every wait has a deadline) and talks only to 127.0.0.1. The long
//! versions run with environment variables (`NOTIF_FAULT_KILL_ITERATIONS`,
//! `NOTIF_FAULT_RECONNECTS`, …); the README's section "Fault tests — `tests/tests/faults/`"
//! lists the commands and the figures they gave.

mod disk;
mod drain;
mod kill;
mod reconnect;
mod stall;

use std::time::Duration;

use futures_util::StreamExt;
use notif_tests::frames::Parser;
use serde_json::{Value, json};

use crate::util::TIMEOUT;

/// A number from the environment, for the long runs, else `default`.
pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A multi-threaded runtime, so clients really run side by side.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// A client of the HTTP API acting with one token.
#[derive(Clone)]
pub struct Api {
    pub url: String,
    pub token: String,
    pub http: reqwest::Client,
}

impl Api {
    pub fn new(url: &str, token: &str) -> Api {
        Api {
            url: url.to_owned(),
            token: token.to_owned(),
            http: reqwest::Client::builder().timeout(TIMEOUT).build().unwrap(),
        }
    }

    /// `POST /api/internal/notify`; the status and the JSON body (`Null` if not JSON).
    pub async fn notify(&self, title: &str, body: &str) -> Result<(u16, Value), reqwest::Error> {
        let resp = self
            .http
            .post(format!("{}/api/internal/notify", self.url))
            .bearer_auth(&self.token)
            .json(&json!({"title": title, "body": body}))
            .send()
            .await?;
        let status = resp.status().as_u16();
        let text = resp.text().await?;
        Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
    }

    /// `GET /api/notifications` with `query`; the status and the JSON body.
    pub async fn list(&self, query: &str) -> (u16, Value) {
        let resp = self
            .http
            .get(format!("{}/api/notifications?{query}", self.url))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// Every notification of the inbox, all pages, in the list's order.
    pub async fn inbox(&self) -> Vec<Value> {
        let mut all = Vec::new();
        let mut cursor = String::new();
        loop {
            let (status, page) = self.list(&format!("limit=200{cursor}")).await;
            assert_eq!(status, 200, "{page}");
            all.extend(page["notifications"].as_array().unwrap().iter().cloned());
            match page["nextCursor"].as_str() {
                Some(next) => cursor = format!("&cursor={next}"),
                None => return all,
            }
        }
    }

    /// Opens `GET /api/notifications/stream`, resuming after `last_event_id` if given.
    pub async fn stream(&self, last_event_id: Option<i64>) -> Sse {
        let mut req = self
            .http
            .get(format!("{}/api/notifications/stream", self.url))
            .bearer_auth(&self.token)
            .timeout(Duration::from_secs(3600));
        if let Some(id) = last_event_id {
            req = req.header("Last-Event-ID", id.to_string());
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 200, "stream refused");
        Sse {
            body: Box::pin(resp.bytes_stream()),
            frames: Parser::default(),
            raw: Vec::new(),
        }
    }
}

/// One SSE event as a client sees it.
#[derive(Debug, Clone, Default)]
pub struct Event {
    pub name: String,
    pub id: Option<i64>,
    pub data: String,
}

impl Event {
    /// The data as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.data).unwrap_or(Value::Null)
    }
}

type ByteStream =
    std::pin::Pin<Box<dyn futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>;

/// An open event stream, read event by event through the kit's frame reader.
pub struct Sse {
    body: ByteStream,
    /// Splits the bytes received into frames.
    frames: Parser,
    /// Every byte received, for checking that the stream ended on an event boundary.
    pub raw: Vec<u8>,
}

/// How an event stream ended.
#[derive(Debug)]
pub enum End {
    /// The body ended cleanly.
    Closed,
    /// The connection failed mid-body.
    Broken(String),
}

impl std::fmt::Display for End {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            End::Closed => f.write_str("closed cleanly"),
            End::Broken(why) => write!(f, "broken: {why}"),
        }
    }
}

impl Sse {
    /// The next event, or how the stream ended.
    pub async fn next(&mut self) -> Result<Event, End> {
        loop {
            if let Some(frame) = self.frames.next_frame() {
                let event = Event {
                    name: frame.event.unwrap_or_default(),
                    id: frame.id.and_then(|id| id.parse().ok()),
                    data: frame.data.unwrap_or_default(),
                };
                if event.name.is_empty() && event.data.is_empty() {
                    continue; // the `retry:` frame, or a comment
                }
                return Ok(event);
            }
            match self.body.next().await {
                Some(Ok(chunk)) => {
                    self.raw.extend_from_slice(&chunk);
                    self.frames.push(&chunk);
                }
                Some(Err(err)) => return Err(End::Broken(format!("{err:?}"))),
                None => return Err(End::Closed),
            }
        }
    }

    /// The next event named `name` (others are skipped), within [`TIMEOUT`].
    pub async fn expect(&mut self, name: &str) -> Event {
        let wait = async {
            loop {
                match self.next().await {
                    Ok(event) if event.name == name => return event,
                    Ok(_) => {}
                    Err(end) => panic!("stream ended ({end}) before a {name:?} event"),
                }
            }
        };
        tokio::time::timeout(TIMEOUT, wait)
            .await
            .unwrap_or_else(|_| panic!("no {name:?} event within {TIMEOUT:?}"))
    }
}
