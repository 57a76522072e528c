//! `nchan`: notif beside nchan, in one run, with the same client code — ingest (the
//! `ingest` scenario's connections), fan-out latency (the `fanout` scenario's streams and
//! fixed-rate sends) and memory per idle stream (the `streams` scenario's VmRSS) — as one
//! table of notif's figure, nchan's and their ratio. Each measurement starts a fresh
//! server of each kind, notif first; notif runs with `--sync full`.

use std::time::Duration;

use anyhow::ensure;

use crate::args::{Args, SizeClass};
use crate::cpu;
use crate::fanout::{self, Load};
use crate::ingest::Ingest;
use crate::nchan;
use crate::protocol::Protocol;
use crate::report::{self, Report};
use crate::server::Target;
use crate::streams;

mod line;

use line::{Better, Line, round};

/// The servers, in the order they run and appear.
const SIDES: [Protocol; 2] = [Protocol::Notif, Protocol::Nchan];
/// Streams of the fan-out `--size full` adds.
const FULL_STREAMS: usize = 10_000;

/// The sizes of one run.
struct Sizes {
    /// Each figure is measured this many times, the servers taking turns.
    rounds: u32,
    connections: Vec<usize>,
    duration: Duration,
    /// Fan-outs as (users, streams per user).
    fanouts: Vec<(usize, usize)>,
    rate: u32,
    streams: usize,
}

impl Sizes {
    fn of(args: &Args) -> Sizes {
        let per_user = args.size(args.streams_per_user, 10, 2).max(1);
        let mut fanouts = vec![(args.size(args.users, 100, 10).max(1), per_user)];
        if args.size_class == SizeClass::Full {
            let streams = args.size(None, FULL_STREAMS, 200);
            fanouts.push((streams.div_ceil(per_user), per_user));
        }
        Sizes {
            rounds: args.size(args.rounds, 1, 1),
            connections: args.size(args.connections.clone(), vec![64], vec![8]),
            duration: args.size(
                args.duration,
                Duration::from_secs(5),
                Duration::from_secs(1),
            ),
            fanouts,
            rate: args.size(args.rate, 1000, 100).max(1),
            streams: args.size(args.streams, 5_000, 200).max(1),
        }
    }

    /// The servers in the order they run: notif then nchan, once per round.
    fn turns(&self) -> impl Iterator<Item = Protocol> + use<> {
        (0..self.rounds).flat_map(|_| SIDES)
    }

    /// The most connections one server holds at once.
    fn most_connections(&self) -> usize {
        let fanout = self.fanouts.iter().map(|(u, s)| u * s).max().unwrap_or(0);
        let ingest = self.connections.iter().copied().max().unwrap_or(0);
        fanout.max(ingest).max(self.streams) + 64
    }
}

/// Runs the scenario.
pub async fn run(args: &Args) -> anyhow::Result<Report> {
    nchan::ensure_installed()?;
    ensure!(
        args.addr.is_none(),
        "the nchan scenario starts both servers itself; --addr does not apply"
    );
    let sizes = Sizes::of(args);
    crate::ensure_fds(sizes.most_connections())?;
    let mut report = Report::new("nchan", &["measure", "notif", "nchan", "ratio", "better"]);
    let (mut lines, versions) = ingest_lines(&sizes, &mut report).await?;
    let (fanout_lines, fanout_counts) = fanout_lines(&sizes, &mut report).await?;
    lines.extend(fanout_lines);
    lines.push(memory_line(&sizes, &mut report).await?);
    for line in &lines {
        report.push(line.row());
    }
    report
        .notes
        .extend(notes(&sizes, &versions, &fanout_counts));
    if sizes.rounds > 1 {
        let each: Vec<String> = lines.iter().map(Line::ratios_note).collect();
        report
            .notes
            .push(format!("notif ÷ nchan in each round: {}.", each.join("; ")));
    }
    Ok(report)
}

/// Ingest on each server at each connection count: throughput, p99, the server's and the
/// client's CPU per notification and the machine's idle share; and nchan's versions.
async fn ingest_lines(sizes: &Sizes, report: &mut Report) -> anyhow::Result<(Vec<Line>, String)> {
    let mut lines = Vec::new();
    let mut versions = String::new();
    for &connections in &sizes.connections {
        let ingest_line = |measure: &str, better| {
            Line::new(
                format!("ingest{measure} ({connections} connections)"),
                better,
            )
        };
        let mut throughput = ingest_line(", notifications/s", Better::Higher);
        let mut p99 = ingest_line(" p99 ms", Better::Lower);
        let mut server_cpu = ingest_line(", server CPU µs per notification", Better::Lower);
        let mut client_cpu = ingest_line(", client CPU µs per notification", Better::Neither);
        let mut idle = ingest_line(", CPU time idle, %", Better::Neither);
        for side in sizes.turns() {
            let target = start(side, sizes).await?;
            versions = target.nchan_versions().map_or(versions, str::to_owned);
            let measured = async {
                let ingest = Ingest::prepare(&target).await?;
                // Around the publishing alone: not the user's creation, nor the check after.
                let before = Clocks::read(&target);
                let level = ingest.level(&target, connections, sizes.duration).await?;
                let after = Clocks::read(&target);
                let used = before
                    .zip(after)
                    .and_then(|(before, after)| before.until(&after));
                let failures = ingest.check(&target, std::slice::from_ref(&level)).await?;
                anyhow::Ok((level, used, failures))
            }
            .await;
            target.stop().await;
            let (level, used, failures) = measured?;
            report.failures.extend(failures);
            throughput.set(side, level.per_second as f64);
            p99.set(side, ms(level.latency.p99));
            let per_notification = |seconds: f64| {
                (level.created > 0).then(|| round(seconds * 1e6 / level.created as f64, 1))
            };
            if used.is_none() {
                report
                    .failures
                    .push(format!("{}: CPU times could not be read", side.name()));
            }
            server_cpu.notif_or_nchan(side, used.and_then(|u| per_notification(u.server)));
            client_cpu.notif_or_nchan(side, used.and_then(|u| per_notification(u.client)));
            idle.notif_or_nchan(side, used.map(|u| round(u.idle_percent, 1)));
        }
        lines.extend([throughput, p99, server_cpu, client_cpu, idle]);
    }
    Ok((lines, versions))
}

/// CPU time during an ingest: the server's (all its threads; nginx's worker), the bench's
/// own (the client), and the share of all the machine's CPUs that stood idle.
#[derive(Debug, Clone, Copy)]
struct Usage {
    server: f64,
    client: f64,
    idle_percent: f64,
}

/// The three clocks [`Usage`] is the difference of, read at one moment.
#[derive(Debug, Clone, Copy)]
struct Clocks {
    server: f64,
    client: f64,
    machine: cpu::Machine,
}

impl Clocks {
    fn read(target: &Target) -> Option<Clocks> {
        Some(Clocks {
            server: target.cpu_seconds()?,
            client: cpu::cpu_seconds(std::process::id())?,
            machine: cpu::Machine::now()?,
        })
    }

    fn until(&self, later: &Clocks) -> Option<Usage> {
        Some(Usage {
            server: later.server - self.server,
            client: later.client - self.client,
            idle_percent: self.machine.idle_percent_until(&later.machine)?,
        })
    }
}

/// Fan-out on each server at each size: delivery latency p50 and p99; and what each
/// delivered, missed and doubled.
async fn fanout_lines(
    sizes: &Sizes,
    report: &mut Report,
) -> anyhow::Result<(Vec<Line>, Vec<String>)> {
    let mut lines = Vec::new();
    let mut fanout_counts = Vec::new();
    for &(users_n, per_user) in &sizes.fanouts {
        let shape = format!(
            "{} × {per_user} streams, {}/s",
            report::thousands(users_n as u64),
            report::thousands(u64::from(sizes.rate))
        );
        let mut p50 = Line::new(format!("fan-out p50 ms ({shape})"), Better::Lower);
        let mut p99 = Line::new(format!("fan-out p99 ms ({shape})"), Better::Lower);
        for side in sizes.turns() {
            let target = start(side, sizes).await?;
            let measured = async {
                let users = target.users("fanout", users_n).await?;
                let load = Load {
                    users: &users,
                    per_user,
                    rate: sizes.rate,
                    duration: sizes.duration,
                    keep_arrivals: false,
                };
                fanout::measure(&target, &[target.addr], &load).await
            }
            .await;
            target.stop().await;
            let outcome = measured?;
            report.failures.extend(
                outcome
                    .failures()
                    .into_iter()
                    .map(|failure| format!("{} fan-out ({shape}): {failure}", side.name())),
            );
            let row = outcome.row(users_n, per_user, sizes.rate);
            let count = |key: &str| report::thousands(row[key].as_u64().unwrap_or(0));
            fanout_counts.push(format!(
                "{} {shape}: {} deliveries, {} missing, {} duplicates",
                side.name(),
                count("deliveries"),
                count("missing"),
                count("duplicates"),
            ));
            if let Some(commits) = &outcome.commits {
                fanout_counts.push(format!("{} commits: {commits}", side.name()));
            }
            p50.set(side, ms(outcome.latency().p50));
            p99.set(side, ms(outcome.latency().p99));
        }
        lines.extend([p50, p99]);
    }
    Ok((lines, fanout_counts))
}

/// Memory per idle stream on each server.
async fn memory_line(sizes: &Sizes, report: &mut Report) -> anyhow::Result<Line> {
    let users_n = sizes.streams.div_ceil(10);
    let mut memory = Line::new(
        format!(
            "memory per idle stream, KiB ({} streams)",
            report::thousands(sizes.streams as u64)
        ),
        Better::Lower,
    );
    for side in sizes.turns() {
        let target = start(side, sizes).await?;
        let measured = streams::measure(&target, users_n, sizes.streams).await;
        target.stop().await;
        let kib = measured?.kib_per_stream();
        if kib.is_none() {
            report
                .failures
                .push(format!("{}: its memory could not be read", side.name()));
        }
        memory.notif_or_nchan(side, kib.map(|kib| round(kib, 1)));
    }
    Ok(memory)
}

/// A fresh server of kind `side`: notif-server with `--sync full`, or nchan.
async fn start(side: Protocol, sizes: &Sizes) -> anyhow::Result<Target> {
    match side {
        Protocol::Notif => Target::start("full").await,
        Protocol::Nchan => Target::nchan(sizes.most_connections()),
    }
}

/// What the table measured, and how.
fn notes(sizes: &Sizes, versions: &str, fanout_counts: &[String]) -> Vec<String> {
    let duration = humantime::format_duration(sizes.duration);
    let rounds = match sizes.rounds {
        1 => String::new(),
        n => format!(
            "; {n} rounds, the servers taking turns: each figure is the median of its \
             rounds, each ratio the median of the rounds' ratios"
        ),
    };
    vec![
        format!(
            "notif: notif-server with --sync full on a fresh SQLite database (durable: \
             answered after the commit). nchan: {versions}, one worker process, messages in \
             memory only (not durable), a publisher location `POST /pub/<user>` and an \
             EventSource subscriber location `GET /sub/<user>` per user channel, a message \
             buffer that keeps every message of the run. Same client code, same machine, one \
             run; every measurement starts a fresh server, notif first{rounds}."
        ),
        format!(
            "ingest: {duration} of back-to-back publishes to one user per connection count \
             (notif `POST /api/internal/notify`, nchan `POST /pub/<user>`, the same JSON \
             body); afterwards each server must hold every publish it took. Server CPU: the \
             user and system time of notif-server (all its threads) or of nginx's worker \
             across the ingest, divided by the publishes it took: a figure that moves less \
             than the rates when the host's speed drifts. Client CPU: the same for the bench \
             itself (the same client code for both). CPU time idle: the share of the \
             machine's CPU time (all its CPUs, from `/proc/stat`) that no task used while the \
             publishes ran, waits for the disk included: what the load left unused."
        ),
        format!(
            "fan-out: notifications to random users for {duration} on 16 connections; \
             latency from just before the send to the parsed event on each stream of that \
             user. {}.",
            fanout_counts.join("; ")
        ),
        String::from(
            "memory: growth of the server's VmRSS (notif-server; nginx's worker) while the \
             idle streams are open, ten per user, divided by the streams.",
        ),
        String::from(
            "notif ÷ nchan: notif's figure divided by nchan's; `better` says whether a \
             larger figure is the better one.",
        ),
    ]
}

/// Nanoseconds as milliseconds, to three significant digits or so (as the other tables
/// print them).
fn ms(nanos: u64) -> f64 {
    let ms = crate::stats::ms(nanos);
    let decimals = match ms {
        ms if ms < 1.0 => 3,
        ms if ms < 100.0 => 2,
        _ => 0,
    };
    round(ms, decimals)
}
