//! The command line of `notif-bench`, and the sizes each scenario runs at (full by default,
//! small with `--smoke`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, ValueEnum};

use crate::server::Target;

/// notif-bench: measures a real notif-server (throughput, latency, memory).
///
/// By default each scenario starts target/release/notif-server on a fresh database and
/// kills it at the end; with --addr it measures a server that is already running.
///
/// Example: cargo run --release -p notif-tests --bin notif-bench -- all
#[derive(Debug, Parser)]
#[command(name = "notif-bench", version)]
pub struct Args {
    /// What to measure.
    #[arg(value_enum)]
    pub scenario: Scenario,
    /// Print one JSON object per scenario instead of markdown tables.
    #[arg(long)]
    pub json: bool,
    /// Small sizes and about a second per scenario: checks that it runs, not how fast.
    #[arg(long)]
    pub smoke: bool,
    /// Measure the server already listening here instead of starting one.
    #[arg(long, value_name = "HOST:PORT")]
    pub addr: Option<SocketAddr>,
    /// With --addr: a service token (required).
    #[arg(long, requires = "addr", value_name = "TOKEN")]
    pub service_token: Option<String>,
    /// With --addr: a user token, for scenarios that need only one user.
    #[arg(long, requires = "addr", value_name = "TOKEN")]
    pub token: Option<String>,
    /// With --addr: that server's database, so the bench can create users with
    /// `notif-server user add`.
    #[arg(long, requires = "addr", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// With --addr: that server's process id, to read its memory.
    #[arg(long, requires = "addr", value_name = "PID")]
    pub pid: Option<u32>,
    /// Durability the started server commits with (ingest runs once per mode with `both`;
    /// other scenarios use `full` then).
    #[arg(long, value_enum, default_value_t = SyncMode::Full)]
    pub sync: SyncMode,
    /// nchan: `full` adds fan-out at 10,000 streams (and, with --smoke, a small one).
    #[arg(long = "size", value_enum, default_value_t = SizeClass::Standard)]
    pub size_class: SizeClass,
    /// How long ingest runs per connection count, and fanout sends [default: 10s; 5s for
    /// nchan].
    #[arg(long, value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub duration: Option<Duration>,
    /// ingest: connection counts, comma-separated [default: 1,16,64; 64 for nchan].
    #[arg(long, value_delimiter = ',', value_name = "N,…")]
    pub connections: Option<Vec<usize>>,
    /// fanout and streams: users [default: 1000 for fanout, 100 for nchan's, streams/10
    /// for streams].
    #[arg(long, value_name = "N")]
    pub users: Option<usize>,
    /// fanout: streams per user [default: 10].
    #[arg(long, value_name = "N")]
    pub streams_per_user: Option<usize>,
    /// fanout: notifications sent per second [default: 1000].
    #[arg(long, value_name = "PER_SECOND")]
    pub rate: Option<u32>,
    /// streams: idle streams to open [default: 10000; 5000 for nchan].
    #[arg(long, value_name = "N")]
    pub streams: Option<usize>,
    /// list: notifications in the inbox [default: 100000].
    #[arg(long, value_name = "N")]
    pub notifications: Option<usize>,
    /// list: repetitions of each timed query [default: 200].
    #[arg(long, value_name = "N")]
    pub reps: Option<usize>,
    /// cli: runs of each command [default: 50].
    #[arg(long, value_name = "N")]
    pub runs: Option<usize>,
    /// nchan: measure every figure N times, notif and nchan taking turns, and show the
    /// medians (the ratio: the median of each round's ratio) [default: 1].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub rounds: Option<u32>,
}

/// The scenarios.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Scenario {
    Ingest,
    Fanout,
    Streams,
    List,
    Cli,
    /// Ingest on PostgreSQL, one node and two, beside SQLite (starts a private cluster).
    PgIngest,
    /// Delivery latency across two nodes on PostgreSQL (starts a private cluster).
    PgFanout,
    /// The list scenario (pages, searches, read-all) on one node on PostgreSQL.
    PgList,
    /// Ingest, fan-out and idle-stream memory of notif beside nchan (nginx's pub/sub
    /// module, Debian's nginx-light and libnginx-mod-nchan), and their ratios.
    Nchan,
    /// Every scenario but nchan.
    All,
}

impl Scenario {
    /// The scenarios this one stands for.
    pub fn expand(self) -> Vec<Scenario> {
        match self {
            Scenario::All => vec![
                Scenario::Ingest,
                Scenario::Fanout,
                Scenario::Streams,
                Scenario::List,
                Scenario::Cli,
                Scenario::PgIngest,
                Scenario::PgFanout,
                Scenario::PgList,
            ],
            one => vec![one],
        }
    }
}

/// `--size`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SizeClass {
    Standard,
    Full,
}

/// `--sync`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SyncMode {
    Full,
    Normal,
    Both,
}

impl SyncMode {
    /// The server's `--sync` values this mode runs.
    pub fn modes(self) -> &'static [&'static str] {
        match self {
            SyncMode::Full => &["full"],
            SyncMode::Normal => &["normal"],
            SyncMode::Both => &["full", "normal"],
        }
    }

    /// The single mode for scenarios that run once.
    pub fn first(self) -> &'static str {
        self.modes().first().copied().unwrap_or("full")
    }
}

impl Args {
    /// `given` if set, else the full or the smoke size.
    pub fn size<T>(&self, given: Option<T>, full: T, smoke: T) -> T {
        given.unwrap_or(if self.smoke { smoke } else { full })
    }

    /// `--duration`, or 10 s (1 s with `--smoke`).
    pub fn duration(&self) -> Duration {
        self.size(
            self.duration,
            Duration::from_secs(10),
            Duration::from_secs(1),
        )
    }

    /// The server to measure: a fresh one with `--sync sync`, or the `--addr` one (whose
    /// sync setting is its own).
    pub async fn target(&self, sync: &str) -> anyhow::Result<Target> {
        match self.addr {
            None => Target::start(sync).await,
            Some(addr) => {
                let service_token = self
                    .service_token
                    .clone()
                    .context("--addr needs --service-token")?;
                Target::remote(
                    addr,
                    service_token,
                    self.token.clone(),
                    self.db.clone(),
                    self.pid,
                )
                .await
            }
        }
    }

    /// How the sync setting should be labelled in results.
    pub fn sync_label(&self, sync: &str) -> String {
        match self.addr {
            None => sync.to_owned(),
            Some(_) => String::from("(server's)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn cli_is_consistent() {
        Args::command().debug_assert();
    }
}
