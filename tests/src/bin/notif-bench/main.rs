//! `notif-bench`: measures a real `notif-server` — ingest throughput, fan-out latency,
//! memory per stream, inbox paging, and the CLI's wall time — and prints markdown tables
//! for README (or JSON); `nchan` measures the same beside nchan. Each scenario lives in
//! its own module; `server`, `protocol`, `http`, `sse` and `stats` are the shared
//! instrument.

mod args;
mod cli;
mod commits;
mod counter;
mod cpu;
mod fanout;
mod http;
mod ingest;
mod list;
mod nchan;
mod nodes;
mod protocol;
mod report;
mod server;
mod sse;
mod stats;
mod streams;
mod versus;

use std::process::ExitCode;
use std::sync::OnceLock;
use std::time::Instant;

use anyhow::ensure;
use clap::Parser;

use args::{Args, Scenario};
use report::Report;

#[tokio::main]
async fn main() -> ExitCode {
    STARTED.get_or_init(Instant::now);
    let args = Args::parse();
    // On Ctrl-C or SIGTERM, dropping `run` drops the servers, which kills them.
    let outcome = tokio::select! {
        outcome = run(&args) => outcome,
        () = interrupted() => Err(anyhow::anyhow!("interrupted")),
    };
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("notif-bench: a correctness check failed (see FAILED above)");
            ExitCode::FAILURE
        }
        Err(err) => {
            eprintln!("notif-bench: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the chosen scenarios and prints each result as it comes; false if any failed a
/// correctness check.
async fn run(args: &Args) -> anyhow::Result<bool> {
    // Both the bench and the server it starts (which inherits the limit) hold one socket
    // per stream.
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let command = command_line();
    let machine = report::machine();
    if !args.json {
        println!(
            "## notif-bench\n\n{}\n\nCommand: `{command}`\n",
            report::machine_line(&machine)
        );
    }
    let mut ok = true;
    for scenario in args.scenario.expand() {
        let report: Report = match scenario {
            Scenario::Ingest => ingest::run(args).await?,
            Scenario::Fanout => fanout::run(args).await?,
            Scenario::Streams => streams::run(args).await?,
            Scenario::List => list::run(args).await?,
            Scenario::Cli => cli::run(args).await?,
            Scenario::PgIngest => nodes::ingest(args).await?,
            Scenario::PgFanout => nodes::fanout(args).await?,
            Scenario::PgList => nodes::list(args).await?,
            Scenario::Nchan => versus::run(args).await?,
            Scenario::All => continue,
        };
        if args.json {
            println!("{}", report.json(&command, &machine));
        } else {
            println!("{}", report.markdown());
        }
        ok &= report.failures.is_empty();
    }
    Ok(ok)
}

/// Resolves on SIGINT or SIGTERM (or never, if the handlers cannot be installed).
async fn interrupted() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        },
        Err(_) => std::future::pending().await,
    }
}

/// This invocation, as a command to paste.
fn command_line() -> String {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .map(|arg| {
            if arg.is_empty() || arg.contains(|c: char| c.is_whitespace() || c == '\'') {
                format!("'{}'", arg.replace('\'', r"'\''"))
            } else {
                arg
            }
        })
        .collect();
    format!("notif-bench {}", args.join(" "))
}

/// Fails unless this process may open `sockets` more files (plus a margin).
pub fn ensure_fds(sockets: usize) -> anyhow::Result<()> {
    let (soft, _) = rlimit::getrlimit(rlimit::Resource::NOFILE)?;
    ensure!(
        sockets as u64 + 100 <= soft,
        "{sockets} sockets need a higher open-file limit than {soft} (ulimit -n)"
    );
    Ok(())
}

/// When the bench started, for progress lines.
static STARTED: OnceLock<Instant> = OnceLock::new();

/// A progress line on stderr (stdout is for results), with the time since the start.
pub fn progress(message: impl std::fmt::Display) {
    let elapsed = STARTED.get_or_init(Instant::now).elapsed();
    eprintln!("notif-bench [{:6.1}s] {message}", elapsed.as_secs_f64());
}
