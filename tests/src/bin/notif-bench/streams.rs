//! `streams`: what N idle streams cost the server. Opens them all (each counts once it is
//! subscribed), and reads the server's resident memory before and after.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::args::Args;
use crate::fanout::{OPENING, PATIENCE, Shared, open_counted};
use crate::protocol::Protocol;
use crate::report::{self, Report};
use crate::server::{Target, User};

/// Runs the scenario.
pub async fn run(args: &Args) -> anyhow::Result<Report> {
    let streams = args.size(args.streams, 10_000, 200).max(1);
    let users_n = args.users.unwrap_or(streams.div_ceil(10)).clamp(1, streams);
    crate::ensure_fds(streams)?;
    let target = args.target(args.sync.first()).await?;
    let result = measure(&target, users_n, streams).await;
    let startup = target.server.as_ref().map(|server| server.startup);
    target.stop().await;
    let mut report = Report::new(
        "streams",
        &[
            "streams",
            "users",
            "rssBeforeMiB",
            "rssAfterMiB",
            "kibPerStream",
            "openMs",
        ],
    );
    let measured = result?;
    let mib = |kib: Option<u64>| kib.map(|kib| (kib as f64 / 1024.0 * 10.0).round() / 10.0);
    report.push(json!({
        "streams": streams,
        "users": users_n,
        "rssBeforeMiB": mib(measured.rss_before),
        "rssAfterMiB": mib(measured.rss_after),
        "kibPerStream": measured.kib_per_stream().map(|kib| (kib * 10.0).round() / 10.0),
        "openMs": report::ms(crate::stats::nanos(measured.open)),
        "serverStartupMs": startup.map(|d| report::ms(crate::stats::nanos(d))),
    }));
    report.notes.push(format!(
        "Streams opened {OPENING} at a time; \"open all\" runs until every stream has its \
         `unread` event. RSS is the server's VmRSS{}.",
        startup.map_or_else(String::new, |d| format!(
            "; the server was ready {} ms after it was started, on an empty database",
            d.as_millis()
        ))
    ));
    Ok(report)
}

/// What the scenario measured.
pub struct Measured {
    streams: usize,
    rss_before: Option<u64>,
    rss_after: Option<u64>,
    open: Duration,
}

impl Measured {
    /// The growth of the server's memory per stream, in KiB, when it could be read.
    pub fn kib_per_stream(&self) -> Option<f64> {
        let grown = self.rss_after?.saturating_sub(self.rss_before?);
        Some(grown as f64 / self.streams as f64)
    }
}

/// Opens `streams` streams spread over `users_n` new users, reads RSS around it, closes
/// them.
pub async fn measure(target: &Target, users_n: usize, streams: usize) -> anyhow::Result<Measured> {
    let protocol = target.protocol;
    crate::progress(format_args!(
        "streams: {}: creating {users_n} users",
        protocol.name()
    ));
    let users = target.users("streams", users_n).await?;
    let rss_before = target.rss_kib();
    crate::progress(format_args!(
        "streams: {}: opening {streams} streams",
        protocol.name()
    ));
    let shared = Arc::new(Shared::default());
    let opening = Arc::new(Semaphore::new(OPENING));
    let (stop_tx, stop) = watch::channel(false);
    let start = Instant::now();
    let mut tasks = JoinSet::new();
    for i in 0..streams {
        tasks.spawn(idle(
            protocol,
            target.addr,
            users[i % users.len()].clone(),
            Arc::clone(&shared),
            Arc::clone(&opening),
            stop.clone(),
        ));
    }
    let all_ready = shared.ready.wait_for(streams as u64, PATIENCE).await;
    let open = start.elapsed();
    let rss_after = target.rss_kib();
    let _ = stop_tx.send(true);
    while tasks.join_next().await.is_some() {}
    if let Some(err) = shared.error() {
        anyhow::bail!("a stream failed to open: {err}");
    }
    anyhow::ensure!(all_ready, "streams not open after {PATIENCE:?}");
    Ok(Measured {
        streams,
        rss_before,
        rss_after,
        open,
    })
}

/// One idle stream: open, then read (pings, if any) until `stop`.
async fn idle(
    protocol: Protocol,
    addr: SocketAddr,
    user: User,
    shared: Arc<Shared>,
    opening: Arc<Semaphore>,
    mut stop: watch::Receiver<bool>,
) {
    let Some(mut conn) = open_counted(protocol, addr, &user, &shared, &opening).await else {
        return;
    };
    loop {
        tokio::select! {
            _ = stop.changed() => return,
            event = conn.next_event() => if !matches!(event, Ok(Some(_))) { return },
        }
    }
}
