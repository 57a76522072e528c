//! `ingest`: how many notifications per second `POST /api/internal/notify` commits on C
//! keep-alive connections, each sending its next request as soon as the last is answered,
//! and how long each answer (given only after the commit) takes.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use hyper::{Method, StatusCode};
use serde::Deserialize;
use serde_json::json;
use tokio::time::Instant;

use crate::args::Args;
use crate::http::{self, Conn};
use crate::report::{self, Report, Unit, col};
use crate::server::{Target, User};
use crate::stats::{self, Summary};

/// What one connection measured.
#[derive(Default)]
pub struct Samples {
    pub latencies: Vec<u64>,
    pub errors: u64,
    pub first_error: Option<String>,
}

/// Runs ingest for each `--sync` mode and connection count.
pub async fn run(args: &Args) -> anyhow::Result<Report> {
    let mut report = Report::new(
        "ingest",
        vec![
            col("sync", "sync", Unit::Text),
            col("connections", "connections", Unit::Plain),
            col("notifications/s", "perSecond", Unit::Plain),
            col("p50 ms", "p50Ms", Unit::Ms),
            col("p99 ms", "p99Ms", Unit::Ms),
            col("max ms", "maxMs", Unit::Ms),
            col("errors", "errors", Unit::Plain),
        ],
    );
    let connections = args.size(args.connections.clone(), vec![1, 16, 64], vec![1, 8]);
    let duration = args.duration();
    for sync in args.sync.modes() {
        let target = args.target(sync).await?;
        let result = measure(args, &target, sync, &connections, duration, &mut report).await;
        target.stop().await;
        result?;
    }
    report.notes.push(format!(
        "Each row: {} of back-to-back `POST /api/internal/notify` per connection; latency is \
         request to response, and the server answers only after the commit.",
        humantime::format_duration(duration)
    ));
    Ok(report)
}

/// Measures one server at every connection count; checks that the inbox holds every
/// notification that was answered `201`.
async fn measure(
    args: &Args,
    target: &Target,
    sync: &str,
    connections: &[usize],
    duration: Duration,
    report: &mut Report,
) -> anyhow::Result<()> {
    let user = target.users("ingest", 1).await?.remove(0);
    let unread_before = unread_count(target.addr, &user).await?;
    let body = Bytes::from(
        json!({"userId": user.id, "title": "bench", "body": "ingest", "category": "bench"})
            .to_string(),
    );
    let token: Arc<str> = Arc::from(target.service_token.as_str());
    let mut created = 0;
    for &count in connections {
        crate::progress(format_args!("ingest: --sync {sync}, {count} connection(s)"));
        let (mut samples, elapsed) = level(
            &[target.addr],
            &token,
            std::slice::from_ref(&body),
            count,
            duration,
        )
        .await?;
        let summary = Summary::of(&mut samples.latencies);
        created += summary.count as u64;
        report.rows.push(json!({
            "sync": args.sync_label(sync),
            "connections": count,
            "created": summary.count,
            "perSecond": (summary.count as f64 / elapsed.as_secs_f64()).round() as u64,
            "p50Ms": report::ms(summary.p50),
            "p99Ms": report::ms(summary.p99),
            "maxMs": report::ms(summary.max),
            "errors": samples.errors,
        }));
        if let Some(error) = samples.first_error {
            report.failures.push(format!(
                "--sync {sync}, {count} connection(s): {} error(s), first: {error}",
                samples.errors
            ));
        }
    }
    let stored = unread_count(target.addr, &user)
        .await?
        .saturating_sub(unread_before);
    if stored != created {
        report.failures.push(format!(
            "--sync {sync}: {created} notifications answered 201 but {stored} are in the inbox"
        ));
    }
    Ok(())
}

/// `count` connections, spread over `addrs` in turn, sending for `duration` (connection i
/// sends `bodies[i % len]`): their merged samples and the time taken.
pub async fn level(
    addrs: &[SocketAddr],
    token: &Arc<str>,
    bodies: &[Bytes],
    count: usize,
    duration: Duration,
) -> anyhow::Result<(Samples, Duration)> {
    let mut conns = Vec::with_capacity(count);
    for i in 0..count {
        conns.push(Conn::connect(addrs[i % addrs.len()]).await?);
    }
    let start = Instant::now();
    let deadline = start + duration;
    let tasks: Vec<_> = conns
        .into_iter()
        .enumerate()
        .map(|(i, conn)| {
            let body = bodies[i % bodies.len()].clone();
            tokio::spawn(send_until(conn, Arc::clone(token), body, deadline))
        })
        .collect();
    let mut merged = Samples::default();
    for task in tasks {
        let samples = task.await??;
        merged.latencies.extend(samples.latencies);
        merged.errors += samples.errors;
        merged.first_error = merged.first_error.or(samples.first_error);
    }
    Ok((merged, start.elapsed()))
}

/// One connection's loop: send, wait for the answer, repeat until `deadline`.
async fn send_until(
    mut conn: Conn,
    token: Arc<str>,
    body: Bytes,
    deadline: Instant,
) -> anyhow::Result<Samples> {
    let mut samples = Samples::default();
    while Instant::now() < deadline {
        let sent = Instant::now();
        let reply = conn
            .send(Method::POST, http::NOTIFY, &token, Some(body.clone()))
            .await?;
        let latency = stats::nanos(sent.elapsed());
        if reply.status == StatusCode::CREATED {
            samples.latencies.push(latency);
        } else {
            samples.errors += 1;
            samples.first_error.get_or_insert_with(|| {
                format!("{} {}", reply.status, String::from_utf8_lossy(&reply.body))
            });
        }
    }
    Ok(samples)
}

/// The user's unread count, as the inbox reports it.
pub async fn unread_count(addr: SocketAddr, user: &User) -> anyhow::Result<u64> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Page {
        unread_count: u64,
    }
    let page: Page = Conn::connect(addr)
        .await?
        .get_json("/api/notifications?limit=1", &user.token)
        .await?;
    Ok(page.unread_count)
}
