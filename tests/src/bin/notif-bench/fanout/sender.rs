//! `fanout`'s senders: notifications at a fixed rate to random users, each carrying its
//! send time, on `SENDERS` connections.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use tokio::time::Instant;

use super::{Load, SENDERS};
use crate::http::Conn;
use crate::server::Target;

/// Now, in nanoseconds since the Unix epoch.
pub fn unix_nanos() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, crate::stats::nanos)
}

/// What the senders did.
pub struct Sent {
    /// Notifications answered as taken, per user index.
    pub per_user: Vec<u64>,
    pub errors: u64,
    pub first_error: Option<String>,
}

impl Sent {
    /// Nothing sent yet to `users` users.
    fn new(users: usize) -> Sent {
        Sent {
            per_user: vec![0; users],
            errors: 0,
            first_error: None,
        }
    }
}

/// Sends `rate` notifications a second for `duration` on `SENDERS` connections (spread
/// over `addrs`): the i-th is due at i / rate, sent by connection i mod SENDERS, to a
/// random user.
pub async fn send(target: &Target, addrs: &[SocketAddr], load: &Load<'_>) -> anyhow::Result<Sent> {
    let Load {
        users,
        rate,
        duration,
        ..
    } = *load;
    let protocol = target.protocol;
    let total = (f64::from(rate) * duration.as_secs_f64()).round() as u64;
    let ids: Arc<[String]> = users.iter().map(|user| user.id.clone()).collect();
    let token: Arc<str> = Arc::from(target.service_token.as_str());
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(SENDERS);
    for sender in 0..SENDERS as u64 {
        let conn = Conn::connect(addrs[sender as usize % addrs.len()]).await?;
        let (ids, token) = (Arc::clone(&ids), Arc::clone(&token));
        tasks.push(tokio::spawn(async move {
            let mut rng = StdRng::seed_from_u64(sender);
            let mut sent = Sent::new(ids.len());
            let mut conn = conn;
            for i in (sender..total).step_by(SENDERS) {
                let due = start + Duration::from_secs_f64(i as f64 / f64::from(rate));
                tokio::time::sleep_until(due).await;
                let user = rng.random_range(0..ids.len());
                let fields = json!({"title": "fanout", "body": unix_nanos().to_string()});
                let reply = conn
                    .publish(&protocol.publish(&ids[user], fields), &token)
                    .await?;
                if protocol.accepted(reply.status) {
                    sent.per_user[user] += 1;
                } else {
                    sent.errors += 1;
                    sent.first_error.get_or_insert_with(|| reply.describe());
                }
            }
            anyhow::Ok(sent)
        }));
    }
    let mut all = Sent::new(users.len());
    for task in tasks {
        let sent = task.await??;
        for (sum, n) in all.per_user.iter_mut().zip(sent.per_user) {
            *sum += n;
        }
        all.errors += sent.errors;
        all.first_error = all.first_error.or(sent.first_error);
    }
    Ok(all)
}
