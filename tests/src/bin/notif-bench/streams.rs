//! `streams`: what N idle streams cost the server. Opens them all (each counts once its
//! `unread` event arrived), and reads the server's resident memory before and after.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::args::Args;
use crate::fanout::{OPENING, PATIENCE, Shared, open_ready};
use crate::report::{Report, Unit, col};
use crate::server::{Target, User};

/// Runs the scenario.
pub async fn run(args: &Args) -> anyhow::Result<Report> {
    let streams = args.size(args.streams, 10_000, 200).max(1);
    let users_n = args.users.unwrap_or(streams.div_ceil(10)).clamp(1, streams);
    crate::ensure_fds(streams)?;
    let target = args.target(args.sync.first()).await?;
    let result = async {
        crate::progress(format_args!("streams: creating {users_n} users"));
        let users = target.users("streams", users_n).await?;
        measure(&target, &users, streams).await
    }
    .await;
    let startup = target.server.as_ref().map(|server| server.startup);
    target.stop().await;
    let mut report = Report::new(
        "streams",
        vec![
            col("streams", "streams", Unit::Plain),
            col("users", "users", Unit::Plain),
            col("RSS before MiB", "rssBeforeMiB", Unit::Dec1),
            col("RSS after MiB", "rssAfterMiB", Unit::Dec1),
            col("KiB per stream", "kibPerStream", Unit::Dec1),
            col("open all, ms", "openMs", Unit::Ms),
        ],
    );
    let measured = result?;
    let mib = |kib: Option<u64>| kib.map(|kib| (kib as f64 / 1024.0 * 10.0).round() / 10.0);
    let per_stream = match (measured.rss_before, measured.rss_after) {
        (Some(before), Some(after)) => Some(after.saturating_sub(before) as f64 / streams as f64),
        _ => None,
    };
    report.rows.push(json!({
        "streams": streams,
        "users": users_n,
        "rssBeforeMiB": mib(measured.rss_before),
        "rssAfterMiB": mib(measured.rss_after),
        "kibPerStream": per_stream.map(|kib| (kib * 10.0).round() / 10.0),
        "openMs": crate::report::ms(crate::stats::nanos(measured.open)),
        "serverStartupMs": startup.map(|d| crate::report::ms(crate::stats::nanos(d))),
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
struct Measured {
    rss_before: Option<u64>,
    rss_after: Option<u64>,
    open: Duration,
}

/// Opens `streams` streams spread over `users`, reads RSS around it, closes them.
async fn measure(target: &Target, users: &[User], streams: usize) -> anyhow::Result<Measured> {
    let rss_before = target.rss_kib();
    crate::progress(format_args!("streams: opening {streams} streams"));
    let shared = Arc::new(Shared::default());
    let opening = Arc::new(Semaphore::new(OPENING));
    let (stop_tx, stop) = watch::channel(false);
    let start = Instant::now();
    let mut tasks = JoinSet::new();
    for i in 0..streams {
        let token = users[i % users.len()].token.clone();
        tasks.spawn(idle(
            target.addr,
            token,
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
        rss_before,
        rss_after,
        open,
    })
}

/// One idle stream: open, then read (pings, if any) until `stop`.
async fn idle(
    addr: SocketAddr,
    token: String,
    shared: Arc<Shared>,
    opening: Arc<Semaphore>,
    mut stop: watch::Receiver<bool>,
) {
    let conn = open_ready(addr, &token, &opening).await;
    shared.ready.add(1);
    let mut conn = match conn {
        Ok(conn) => conn,
        Err(err) => return shared.fail(&err),
    };
    loop {
        tokio::select! {
            _ = stop.changed() => return,
            event = conn.next_event() => if !matches!(event, Ok(Some(_))) { return },
        }
    }
}
