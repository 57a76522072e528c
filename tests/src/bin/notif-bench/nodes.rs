//! `pg-ingest` and `pg-fanout`: notif on PostgreSQL, one or two nodes, beside SQLite.
//!
//! Each starts a private PostgreSQL cluster (the test kit's, fsync on, in a temporary
//! directory) and `notif-server` nodes on one database of it. `pg-ingest` measures
//! back-to-back notifies on C connections spread over the nodes, for SQLite on one node,
//! PostgreSQL on one node and PostgreSQL on two. `pg-fanout` opens streams spread over two
//! nodes and sends at a fixed rate through both: every delivery goes commit → `NOTIFY` →
//! each node's `LISTEN` → its streams, and half of them cross from one node to the other.

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use notif_tests::postgres::PgCluster;
use serde_json::json;

use crate::args::Args;
use crate::fanout;
use crate::ingest;
use crate::report::{self, Report, Unit, col};
use crate::server::{Server, Target};
use crate::stats::Summary;

/// The nodes of one measurement: the first is the `Target` (users, service token).
struct Nodes {
    target: Target,
    others: Vec<Server>,
}

impl Nodes {
    /// `count` nodes on `db` (a PostgreSQL URL), or one on a fresh SQLite file.
    async fn start(db: Option<&str>, count: usize) -> anyhow::Result<Nodes> {
        let target = Target::of(Server::start_on("full", db)?).await?;
        let mut others = Vec::new();
        for _ in 1..count {
            others.push(Server::start_on("full", db)?);
        }
        Ok(Nodes { target, others })
    }

    fn addrs(&self) -> Vec<SocketAddr> {
        std::iter::once(self.target.addr)
            .chain(self.others.iter().map(|s| s.process.addr()))
            .collect()
    }

    async fn stop(self) {
        for mut server in self.others {
            server.process.kill();
        }
        self.target.stop().await;
    }
}

fn refuse_remote(args: &Args) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.addr.is_none(),
        "the PostgreSQL scenarios start their own database and nodes; --addr does not apply"
    );
    Ok(())
}

/// `pg-ingest`.
pub async fn ingest(args: &Args) -> anyhow::Result<Report> {
    refuse_remote(args)?;
    let mut report = Report::new(
        "pg-ingest",
        vec![
            col("store", "store", Unit::Text),
            col("nodes", "nodes", Unit::Plain),
            col("connections", "connections", Unit::Plain),
            col("notifications/s", "perSecond", Unit::Plain),
            col("p50 ms", "p50Ms", Unit::Ms),
            col("p99 ms", "p99Ms", Unit::Ms),
            col("errors", "errors", Unit::Plain),
        ],
    );
    let connections = args.size(args.connections.clone(), vec![1, 16, 64], vec![1, 8]);
    let duration = args.duration();
    let cluster = PgCluster::start_with(true);
    for (store, count) in [("sqlite", 1), ("postgres", 1), ("postgres", 2)] {
        let url = (store == "postgres").then(|| cluster.database());
        let nodes = Nodes::start(url.as_deref(), count).await?;
        let result = async {
            // One user per connection: writes of one user queue on its counter row (on
            // every node), those of different users do not.
            let most = connections.iter().copied().max().unwrap_or(1);
            let users = nodes.target.users("pg-ingest", most).await?;
            let bodies: Vec<Bytes> = users
                .iter()
                .map(|user| {
                    Bytes::from(
                        json!({"userId": user.id, "title": "bench", "body": "ingest"}).to_string(),
                    )
                })
                .collect();
            let token: Arc<str> = Arc::from(nodes.target.service_token.as_str());
            for &c in &connections {
                crate::progress(format_args!(
                    "pg-ingest: {store}, {count} node(s), {c} connection(s)"
                ));
                let (mut samples, elapsed) =
                    ingest::level(&nodes.addrs(), &token, &bodies, c, duration).await?;
                let summary = Summary::of(&mut samples.latencies);
                report.rows.push(json!({
                    "store": store,
                    "nodes": count,
                    "connections": c,
                    "perSecond": (summary.count as f64 / elapsed.as_secs_f64()).round() as u64,
                    "p50Ms": report::ms(summary.p50),
                    "p99Ms": report::ms(summary.p99),
                    "errors": samples.errors,
                }));
                if let Some(error) = samples.first_error {
                    report.failures.push(format!(
                        "{store}, {count} node(s), {c} connection(s): {} error(s), first: {error}",
                        samples.errors
                    ));
                }
            }
            anyhow::Ok(())
        }
        .await;
        nodes.stop().await;
        result?;
    }
    report.notes.push(format!(
        "Each row: {} of back-to-back `POST /api/internal/notify` per connection, each \
         connection to a user of its own, the connections spread over the nodes; SQLite with \
         --sync full, PostgreSQL {} with fsync on, on the same machine as the nodes.",
        humantime::format_duration(duration),
        cluster_version(),
    ));
    Ok(report)
}

/// `pg-fanout`.
pub async fn fanout(args: &Args) -> anyhow::Result<Report> {
    refuse_remote(args)?;
    let users_n = args.size(args.users, 100, 10);
    let per_user = args.size(args.streams_per_user, 10, 2);
    let rate = args.size(args.rate, 1000, 100).max(1);
    let duration = args.duration();
    crate::ensure_fds(users_n * per_user + 64)?;
    let cluster = PgCluster::start_with(true);
    let url = cluster.database();
    let nodes = Nodes::start(Some(&url), 2).await?;
    let result = async {
        crate::progress(format_args!("pg-fanout: creating {users_n} users"));
        let users = nodes.target.users("pg-fanout", users_n).await?;
        let addrs = nodes.addrs();
        fanout::measure(
            &addrs,
            &addrs,
            &nodes.target.service_token,
            &users,
            per_user,
            rate,
            duration,
        )
        .await
    }
    .await;
    nodes.stop().await;
    let outcome = result?;
    let mut report = Report::new(
        "pg-fanout",
        vec![
            col("users × streams", "shape", Unit::Text),
            col("rate/s", "rate", Unit::Plain),
            col("sent/s", "sentPerSecond", Unit::Plain),
            col("deliveries", "deliveries", Unit::Plain),
            col("p50 ms", "p50Ms", Unit::Ms),
            col("p99 ms", "p99Ms", Unit::Ms),
            col("p999 ms", "p999Ms", Unit::Ms),
            col("max ms", "maxMs", Unit::Ms),
            col("missing", "missing", Unit::Plain),
            col("duplicates", "duplicates", Unit::Plain),
        ],
    );
    report.rows.push(outcome.row(users_n, per_user, rate));
    report.failures = outcome.failures();
    report.notes.push(format!(
        "Two nodes on one PostgreSQL {} (fsync on); streams spread over both, notifications \
         to random users at a fixed rate for {}, sent through both. Every delivery is commit \
         → NOTIFY → the node's LISTEN → its streams; latency is from just before the send to \
         the parsed event, so it includes the commit.",
        cluster_version(),
        humantime::format_duration(duration),
    ));
    Ok(report)
}

/// `15` for PostgreSQL 15: the test kit's binaries' directory names it.
fn cluster_version() -> String {
    let bin = notif_tests::postgres::pg_bin();
    bin.parent()
        .and_then(|dir| dir.file_name())
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}
