//! The clients of the run: senders that retry through any node with their idempotency key
//! until acknowledged, stream followers that reconnect to a random node with
//! `Last-Event-ID`, and one client that resumes over and over on a random node.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use eventsource_stream::Eventsource;
use futures_util::StreamExt;
use rand::Rng;
use serde_json::{Value, json};

/// The wait between attempts when a node or the database is away.
const RETRY: Duration = Duration::from_millis(50);

pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(2))
        .build()
        .unwrap()
}

fn random_node(urls: &[String]) -> &str {
    &urls[rand::rng().random_range(0..urls.len())]
}

/// Sends one notification through node `first`, then any node, with the same idempotency
/// key until it is acknowledged; returns its id.
pub async fn send_until_acked(
    http: &reqwest::Client,
    urls: &[String],
    first: usize,
    token: &str,
    key: &str,
    title: &str,
) -> String {
    let mut url = urls[first].as_str();
    loop {
        let sent = http
            .post(format!("{url}/api/internal/notify"))
            .bearer_auth(token)
            .header("idempotency-key", key)
            .json(&json!({ "title": title }))
            .timeout(Duration::from_secs(30))
            .send()
            .await;
        match sent {
            Ok(reply) if reply.status() == 201 => {
                let body: Value = reply.json().await.unwrap();
                return body["notification"]["id"].as_str().unwrap().to_owned();
            }
            Ok(reply) if reply.status().is_server_error() => {}
            Ok(reply) => panic!(
                "notify answered {}: {:?}",
                reply.status(),
                reply.text().await
            ),
            Err(_) => {}
        }
        tokio::time::sleep(RETRY).await;
        url = random_node(urls);
    }
}

/// What one client saw: notification `(seq, id)` in arrival order.
#[derive(Debug, Default)]
pub struct Seen {
    pub notifications: Vec<(i64, String)>,
    pub connections: usize,
}

impl Seen {
    fn last_seq(&self) -> i64 {
        self.notifications.last().map_or(0, |(seq, _)| *seq)
    }
}

/// Reads one stream connection to `url`, resuming after what `seen` has; returns when the
/// connection ends, when `until_unread` and the opening `unread` event came, or when
/// `target` (once non-zero) notifications were seen.
async fn read_stream(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    seen: &mut Seen,
    until_unread: bool,
    target: &AtomicUsize,
) {
    let opened = http
        .get(format!("{url}/api/notifications/stream"))
        .bearer_auth(token)
        .header("last-event-id", seen.last_seq().to_string())
        .send()
        .await;
    let reply = match opened {
        Ok(reply) if reply.status() == 200 => reply,
        _ => return,
    };
    seen.connections += 1;
    let mut events = reply.bytes_stream().eventsource();
    while let Some(Ok(event)) = events.next().await {
        match event.event.as_str() {
            "notification" => {
                let data: Value = serde_json::from_str(&event.data).unwrap();
                let seq: i64 = event.id.parse().unwrap();
                let id = data["id"].as_str().unwrap().to_owned();
                seen.notifications.push((seq, id));
            }
            "unread" if until_unread => return,
            _ => {}
        }
        let wanted = target.load(Ordering::Acquire);
        if wanted > 0 && seen.notifications.len() >= wanted {
            return;
        }
    }
}

/// Follows a user's stream, first on `home`, then on a random node after each cut, until
/// `target` notifications were seen.
pub async fn follow(
    http: reqwest::Client,
    urls: Arc<Vec<String>>,
    home: usize,
    token: String,
    target: Arc<AtomicUsize>,
) -> Seen {
    let mut seen = Seen::default();
    let mut url = urls[home].clone();
    loop {
        read_stream(&http, &url, &token, &mut seen, false, &target).await;
        let wanted = target.load(Ordering::Acquire);
        if wanted > 0 && seen.notifications.len() >= wanted {
            return seen;
        }
        tokio::time::sleep(RETRY).await;
        url = random_node(&urls).to_owned();
    }
}

/// Connects at least `times` times, each time to a random node, resuming with
/// `Last-Event-ID` and reading until the opening `unread` event, until `target`
/// notifications were seen.
pub async fn resume_often(
    http: reqwest::Client,
    urls: Arc<Vec<String>>,
    times: usize,
    token: String,
    target: Arc<AtomicUsize>,
) -> Seen {
    let mut seen = Seen::default();
    loop {
        let before = seen.connections;
        let url = random_node(&urls).to_owned();
        read_stream(&http, &url, &token, &mut seen, true, &target).await;
        let wanted = target.load(Ordering::Acquire);
        if seen.connections >= times && wanted > 0 && seen.notifications.len() >= wanted {
            return seen;
        }
        if seen.connections == before {
            tokio::time::sleep(RETRY).await;
        }
    }
}

/// Every notification of the user behind `token`, by id, through the list API.
pub async fn all_ids(http: &reqwest::Client, url: &str, token: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut req = http
            .get(format!("{url}/api/notifications"))
            .bearer_auth(token)
            .query(&[("limit", "200")]);
        if let Some(c) = &cursor {
            req = req.query(&[("cursor", c)]);
        }
        let page: Value = req.send().await.unwrap().json().await.unwrap();
        for n in page["notifications"].as_array().unwrap() {
            ids.push(n["id"].as_str().unwrap().to_owned());
        }
        match page["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return ids,
        }
    }
}
