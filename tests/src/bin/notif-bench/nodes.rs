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

use notif_tests::postgres::PgCluster;
use serde_json::json;

use crate::args::Args;
use crate::fanout;
use crate::ingest;
use crate::list;
use crate::protocol::{Protocol, Publish};
use crate::report::{self, Report};
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
        &[&["store", "nodes"][..], &ingest::LEVEL_COLUMNS].concat(),
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
            let publishes: Vec<Publish> = users
                .iter()
                .map(|user| {
                    Protocol::Notif.publish(&user.id, json!({"title": "bench", "body": "ingest"}))
                })
                .collect();
            let token: Arc<str> = Arc::from(nodes.target.service_token.as_str());
            for &c in &connections {
                crate::progress(format_args!(
                    "pg-ingest: {store}, {count} node(s), {c} connection(s)"
                ));
                let level = ingest::level(
                    Protocol::Notif,
                    &nodes.addrs(),
                    &token,
                    &publishes,
                    c,
                    duration,
                )
                .await?;
                report.push(level.row(json!({"store": store, "nodes": count})));
                report
                    .failures
                    .extend(level.failure(&format!("{store}, {count} node(s)")));
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
    let cluster = PgCluster::start_timing_commits();
    let url = cluster.database();
    let nodes = Nodes::start(Some(&url), 2).await?;
    let result = async {
        crate::progress(format_args!("pg-fanout: creating {users_n} users"));
        let users = nodes.target.users("pg-fanout", users_n).await?;
        let load = fanout::Load {
            users: &users,
            per_user,
            rate,
            duration,
            keep_arrivals: true,
        };
        fanout::measure(&nodes.target, &nodes.addrs(), &load).await
    }
    .await;
    nodes.stop().await;
    let outcome = result?;
    let from_commit = from_commit(&cluster, &url, &outcome.arrivals)?;
    let mut columns = fanout::COLUMNS.to_vec();
    columns.extend(["fromCommitP50Ms", "fromCommitP99Ms"]);
    let mut report = Report::new("pg-fanout", &columns);
    let mut row = outcome.row(users_n, per_user, rate);
    row["fromCommitP50Ms"] = report::ms(from_commit.p50);
    row["fromCommitP99Ms"] = report::ms(from_commit.p99);
    report.push(row);
    report.failures = outcome.failures();
    report.notes.push(format!(
        "Two nodes on one PostgreSQL {} (fsync on); streams spread over both, notifications \
         to random users at a fixed rate for {}, sent through both. Every delivery is commit \
         → NOTIFY → the node's LISTEN → its streams; latency is from just before the send to \
         the parsed event, so it includes the request and the commit. \"commit → event\" is \
         from the moment PostgreSQL recorded the notification's commit \
         (`pg_xact_commit_timestamp`, taken before the commit's WAL flush) to the parsed \
         event, over {} deliveries.",
        cluster_version(),
        humantime::format_duration(duration),
        report::thousands(from_commit.count as u64),
    ));
    Ok(report)
}

/// The latencies from each delivered notification's commit (as PostgreSQL recorded it,
/// `track_commit_timestamp`) to its arrival on a stream.
fn from_commit(
    cluster: &PgCluster,
    url: &str,
    arrivals: &[(String, u64)],
) -> anyhow::Result<Summary> {
    let rows = cluster.psql(
        url,
        "SELECT id, (extract(epoch FROM pg_xact_commit_timestamp(xmin)) * 1000000000)::bigint \
         FROM notifications",
    );
    let mut committed = std::collections::HashMap::new();
    for line in rows.lines() {
        let Some((id, at)) = line.split_once('|') else {
            continue;
        };
        committed.insert(id.to_owned(), at.parse::<u64>()?);
    }
    let mut latencies: Vec<u64> = arrivals
        .iter()
        .filter_map(|(id, arrived)| Some(arrived.saturating_sub(*committed.get(id)?)))
        .collect();
    anyhow::ensure!(
        latencies.len() == arrivals.len(),
        "{} of {} deliveries have no commit time",
        arrivals.len() - latencies.len(),
        arrivals.len()
    );
    Ok(Summary::of(&mut latencies))
}

/// `15` for PostgreSQL 15: the test kit's binaries' directory names it.
fn cluster_version() -> String {
    let bin = notif_tests::postgres::pg_bin();
    bin.parent()
        .and_then(|dir| dir.file_name())
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `pg-list`: the `list` scenario (pages, searches, read-all of one big inbox) on one node on
/// PostgreSQL.
pub async fn list(args: &Args) -> anyhow::Result<Report> {
    refuse_remote(args)?;
    let cluster = PgCluster::start_with(true);
    let url = cluster.database();
    let target = Target::of(Server::start_on("full", Some(&url))?).await?;
    // What autovacuum does within a minute of so many inserts: without statistics, the
    // planner takes the trigram index even for a word in every notification.
    let analyze = || {
        cluster.psql(&url, "ANALYZE notifications");
        Ok(())
    };
    let mut report = list::on(target, args, "pg-list", analyze).await?;
    report.notes.push(format!(
        "One node on PostgreSQL {} (fsync on), on the same machine; `ANALYZE notifications` \
         after the inbox is filled, as autovacuum would do within a minute.",
        cluster_version()
    ));
    Ok(report)
}
