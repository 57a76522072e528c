//! `ingest`: how many notifications per second a server takes on C keep-alive
//! connections, each sending its next publish as soon as the last is answered, and how long
//! each answer (given by notif only after the commit) takes.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::StatusCode;
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::args::Args;
use crate::http::Conn;
use crate::protocol::{Protocol, Publish};
use crate::report::{self, Report};
use crate::server::{Target, User};
use crate::stats::{self, Summary};

/// The columns of one connection count, after whatever names the server.
pub const LEVEL_COLUMNS: [&str; 6] = [
    "connections",
    "perSecond",
    "p50Ms",
    "p99Ms",
    "maxMs",
    "errors",
];

/// What one connection count measured.
#[derive(Debug, Default)]
pub struct Level {
    pub connections: usize,
    /// Publishes answered as taken.
    pub created: u64,
    pub per_second: u64,
    pub latency: Summary,
    pub errors: u64,
    pub first_error: Option<String>,
}

impl Level {
    /// The row of this level: `server` (cells that say which server) and its figures.
    pub fn row(&self, server: Value) -> Value {
        let mut row = report::timed(server, &self.latency);
        row["connections"] = json!(self.connections);
        row["created"] = json!(self.created);
        row["perSecond"] = json!(self.per_second);
        row["errors"] = json!(self.errors);
        row
    }

    /// The failure to report, if any publish was refused (`server` says where).
    pub fn failure(&self, server: &str) -> Option<String> {
        let error = self.first_error.as_ref()?;
        Some(format!(
            "{server}, {} connection(s): {} error(s), first: {error}",
            self.connections, self.errors
        ))
    }
}

/// Runs ingest for each `--sync` mode and connection count.
pub async fn run(args: &Args) -> anyhow::Result<Report> {
    let mut report = Report::new("ingest", &[&["sync"][..], &LEVEL_COLUMNS].concat());
    let connections = args.size(args.connections.clone(), vec![1, 16, 64], vec![1, 8]);
    let duration = args.duration();
    for sync in args.sync.modes() {
        let target = args.target(sync).await?;
        let result = measure(&target, &connections, duration).await;
        target.stop().await;
        let (levels, failures) = result?;
        let label = args.sync_label(sync);
        for level in &levels {
            report.push(level.row(json!({ "sync": label })));
        }
        report.failures.extend(
            failures
                .into_iter()
                .map(|failure| format!("--sync {sync}: {failure}")),
        );
    }
    report.notes.push(format!(
        "Each row: {} of back-to-back `POST /api/internal/notify` per connection; latency is \
         request to response, and the server answers only after the commit.",
        humantime::format_duration(duration)
    ));
    Ok(report)
}

/// Measures `target` at every connection count, all publishing to one user; checks
/// afterwards that the user holds every notification that was answered as taken. The
/// levels, and the failures found.
pub async fn measure(
    target: &Target,
    connections: &[usize],
    duration: Duration,
) -> anyhow::Result<(Vec<Level>, Vec<String>)> {
    let ingest = Ingest::prepare(target).await?;
    let mut levels = Vec::new();
    for &count in connections {
        levels.push(ingest.level(target, count, duration).await?);
    }
    let failures = ingest.check(target, &levels).await?;
    Ok((levels, failures))
}

/// One user to publish to, and what it held before.
pub struct Ingest {
    user: User,
    before: u64,
    publish: Publish,
    token: Arc<str>,
}

impl Ingest {
    /// Creates the user the publishes go to.
    pub async fn prepare(target: &Target) -> anyhow::Result<Ingest> {
        let user = target.users("ingest", 1).await?.remove(0);
        let before = target.stored(&user).await?;
        let publish = target.protocol.publish(
            &user.id,
            json!({"title": "bench", "body": "ingest", "category": "bench"}),
        );
        Ok(Ingest {
            user,
            before,
            publish,
            token: Arc::from(target.service_token.as_str()),
        })
    }

    /// `count` connections publishing for `duration`.
    pub async fn level(
        &self,
        target: &Target,
        count: usize,
        duration: Duration,
    ) -> anyhow::Result<Level> {
        let protocol = target.protocol;
        crate::progress(format_args!(
            "ingest: {}, {count} connection(s)",
            protocol.name()
        ));
        level(
            protocol,
            &[target.addr],
            &self.token,
            std::slice::from_ref(&self.publish),
            count,
            duration,
        )
        .await
    }

    /// The failures of `levels`: refused publishes, and publishes answered as taken that
    /// the server does not hold.
    pub async fn check(&self, target: &Target, levels: &[Level]) -> anyhow::Result<Vec<String>> {
        let name = target.protocol.name();
        let mut failures: Vec<String> = levels.iter().filter_map(|l| l.failure(name)).collect();
        let created: u64 = levels.iter().map(|level| level.created).sum();
        let stored = target.stored(&self.user).await?.saturating_sub(self.before);
        if stored != created {
            failures.push(format!(
                "{name}: {created} publishes were answered as taken but the user holds {stored}"
            ));
        }
        Ok(failures)
    }
}

/// `count` connections, spread over `addrs` in turn, publishing for `duration`
/// (connection i sends `publishes[i % len]`): their merged samples.
pub async fn level(
    protocol: Protocol,
    addrs: &[SocketAddr],
    token: &Arc<str>,
    publishes: &[Publish],
    count: usize,
    duration: Duration,
) -> anyhow::Result<Level> {
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
            let publish = publishes[i % publishes.len()].clone();
            tokio::spawn(send_until(
                conn,
                protocol,
                Arc::clone(token),
                publish,
                deadline,
            ))
        })
        .collect();
    let mut latencies = Vec::new();
    let mut level = Level {
        connections: count,
        ..Level::default()
    };
    for task in tasks {
        let samples = task.await??;
        latencies.extend(samples.latencies);
        level.errors += samples.errors;
        level.first_error = level.first_error.or(samples.first_error);
    }
    let elapsed = start.elapsed();
    level.latency = Summary::of(&mut latencies);
    level.created = level.latency.count as u64;
    level.per_second = (level.created as f64 / elapsed.as_secs_f64()).round() as u64;
    Ok(level)
}

/// What one connection measured.
#[derive(Default)]
struct Samples {
    latencies: Vec<u64>,
    errors: u64,
    first_error: Option<String>,
}

/// One connection's loop: publish, wait for the answer, repeat until `deadline`.
async fn send_until(
    mut conn: Conn,
    protocol: Protocol,
    token: Arc<str>,
    publish: Publish,
    deadline: Instant,
) -> anyhow::Result<Samples> {
    let mut samples = Samples::default();
    while Instant::now() < deadline {
        let sent = Instant::now();
        let reply = match conn.publish(&publish, &token).await {
            Ok(reply) => reply,
            // A server that refuses may also close the connection: say what it answered.
            Err(err) => {
                return Err(match samples.first_error {
                    Some(first) => err.context(format!("after the server answered {first}")),
                    None => err,
                });
            }
        };
        let latency = stats::nanos(sent.elapsed());
        if protocol.accepted(reply.status) {
            samples.latencies.push(latency);
        } else {
            samples.errors += 1;
            samples
                .first_error
                .get_or_insert_with(|| format!("{}{}", reply.describe(), hint(reply.status)));
        }
    }
    Ok(samples)
}

/// What to do about a refusal the bench can explain.
fn hint(status: StatusCode) -> &'static str {
    if status == StatusCode::TOO_MANY_REQUESTS {
        " (a server measured with --addr must run with --rate-limit 0, as the servers \
         notif-bench starts do)"
    } else {
        ""
    }
}
