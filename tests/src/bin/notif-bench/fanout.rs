//! `fanout`: U users with S open streams each; notifications go out at a fixed rate to
//! random users, each carrying its send time (Unix nanoseconds in `body`). Every stream of
//! that user records the delay to receipt, and counts what it missed and what it got twice.
//! The same code measures nchan (see `protocol.rs`).

use std::borrow::Cow;
use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use serde::Deserialize;
use serde_json::json;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::args::Args;
use crate::commits::CommitTimes;
use crate::counter::Counter;
use crate::protocol::Protocol;
use crate::report::{self, Report};
use crate::server::{Target, User};
use crate::sse::SseConn;
use crate::stats::Summary;

mod sender;

use sender::{send, unix_nanos};

/// Connections the notifications are sent on.
const SENDERS: usize = 16;
/// Streams being opened at once (each waits for its `unread` event).
pub const OPENING: usize = 256;
/// How long streams may take to open, and deliveries to arrive after the last send.
pub const PATIENCE: Duration = Duration::from_secs(60);
const GRACE: Duration = Duration::from_secs(10);

/// State the stream tasks share with the scenario.
#[derive(Default)]
pub struct Shared {
    /// Streams that got their `unread` event (or failed to).
    pub ready: Counter,
    /// Distinct notifications received, over all streams.
    received: Counter,
    /// The first stream that failed to open, and why.
    pub first_error: Mutex<Option<String>>,
    /// Streams keep each delivery's id and arrival time (`Load::keep_arrivals`).
    keep_arrivals: bool,
}

impl Shared {
    /// Remembers `err` if it is the first failure.
    pub fn fail(&self, err: &anyhow::Error) {
        if let Ok(mut first) = self.first_error.lock() {
            first.get_or_insert_with(|| format!("{err:#}"));
        }
    }

    /// The first failure, if any.
    pub fn error(&self) -> Option<String> {
        self.first_error.lock().ok().and_then(|first| first.clone())
    }
}

/// What one stream saw.
struct Received {
    user: usize,
    distinct: u64,
    duplicates: u64,
    /// The server ended the stream before the bench did.
    closed: bool,
    latencies: Vec<u64>,
    /// Each delivery's notification id (when the event names one) and arrival time in
    /// nanoseconds since the Unix epoch, for latencies measured from elsewhere.
    arrivals: Vec<(String, u64)>,
}

/// The table's columns, here and wherever fan-out is measured.
pub const COLUMNS: [&str; 10] = [
    "shape",
    "rate",
    "sentPerSecond",
    "deliveries",
    "p50Ms",
    "p99Ms",
    "p999Ms",
    "maxMs",
    "missing",
    "duplicates",
];

/// What is sent to whom: `per_user` streams for each of `users`, notifications to random
/// ones of them at `rate` a second for `duration`.
pub struct Load<'a> {
    pub users: &'a [User],
    pub per_user: usize,
    pub rate: u32,
    pub duration: Duration,
    /// Keep every delivery's notification id and arrival time (`Outcome::arrivals`), for a
    /// latency measured from elsewhere; other runs spare their client that work.
    pub keep_arrivals: bool,
}

/// Runs the scenario.
pub async fn run(args: &Args) -> anyhow::Result<Report> {
    let users_n = args.size(args.users, 1000, 20);
    let per_user = args.size(args.streams_per_user, 10, 5);
    let rate = args.size(args.rate, 1000, 200).max(1);
    let duration = args.duration();
    crate::ensure_fds(users_n * per_user + SENDERS)?;
    let target = args.target(args.sync.first()).await?;
    let result = async {
        crate::progress(format_args!("fanout: creating {users_n} users"));
        let users = target.users("fanout", users_n).await?;
        let load = Load {
            users: &users,
            per_user,
            rate,
            duration,
            keep_arrivals: false,
        };
        measure(&target, &[target.addr], &load).await
    }
    .await;
    target.stop().await;
    let mut report = Report::new("fanout", &COLUMNS);
    let outcome = result?;
    report.push(outcome.row(users_n, per_user, rate));
    report.notes.push(format!(
        "Notifications to random users at a fixed rate for {}, sent on {SENDERS} \
         connections with --sync {}; latency is from just before the send to the parsed \
         event on each stream of that user, so it includes the commit.",
        humantime::format_duration(duration),
        args.sync_label(args.sync.first()),
    ));
    report
        .notes
        .extend(outcome.commits.as_ref().map(CommitTimes::note));
    report.failures = outcome.failures();
    Ok(report)
}

/// Everything the run counted.
pub struct Outcome {
    sent: u64,
    send_errors: u64,
    first_send_error: Option<String>,
    sending: Duration,
    missing: u64,
    duplicates: u64,
    closed: u64,
    summary: Summary,
    /// Every delivery's notification id and arrival time (Unix nanoseconds).
    pub arrivals: Vec<(String, u64)>,
    /// The server's commits while the notifications went out (notif, one node).
    pub commits: Option<CommitTimes>,
}

impl Outcome {
    /// The table row of this run (`COLUMNS`, and more in JSON).
    pub fn row(&self, users: usize, per_user: usize, rate: u32) -> serde_json::Value {
        let cells = json!({
            "shape": format!("{} × {}", report::thousands(users as u64), per_user),
            "users": users,
            "streamsPerUser": per_user,
            "rate": rate,
            "sent": self.sent,
            "sentPerSecond": (self.sent as f64 / self.sending.as_secs_f64()).round() as u64,
            "deliveries": self.summary.count,
            "missing": self.missing,
            "duplicates": self.duplicates,
            "closedByServer": self.closed,
            "sendErrors": self.send_errors,
        });
        let mut row = report::timed(cells, &self.summary);
        if let (Some(commits), Some(row)) = (&self.commits, row.as_object_mut()) {
            row.insert("serverCommits".into(), commits.cells());
        }
        row
    }

    /// The delivery latencies.
    pub fn latency(&self) -> &Summary {
        &self.summary
    }

    /// Correctness failures: anything missing or doubled, refused sends, nothing sent.
    pub fn failures(&self) -> Vec<String> {
        let mut failures = Vec::new();
        if self.missing > 0 || self.duplicates > 0 {
            failures.push(format!(
                "{} missing and {} duplicate deliveries ({} streams closed by the server)",
                self.missing, self.duplicates, self.closed
            ));
        }
        if let Some(error) = &self.first_send_error {
            failures.push(format!("{} send errors, first: {error}", self.send_errors));
        }
        if self.sent == 0 {
            failures.push("no notification was sent".into());
        }
        failures
    }
}

/// Opens the streams and the sending connections (both spread over `addrs` in turn: the
/// nodes of `target`), sends, waits for the deliveries, and counts.
pub async fn measure(
    target: &Target,
    addrs: &[SocketAddr],
    load: &Load<'_>,
) -> anyhow::Result<Outcome> {
    let &Load {
        users,
        per_user,
        rate,
        duration,
        keep_arrivals,
    } = load;
    let protocol = target.protocol;
    let streams = users.len() * per_user;
    crate::progress(format_args!(
        "fanout: {}: opening {streams} streams",
        protocol.name()
    ));
    let shared = Arc::new(Shared {
        keep_arrivals,
        ..Shared::default()
    });
    let (stop_tx, stop) = watch::channel(false);
    let opening = Arc::new(Semaphore::new(OPENING));
    let mut tasks = JoinSet::new();
    for (index, user) in users.iter().enumerate() {
        for s in 0..per_user {
            let task = listen(
                protocol,
                addrs[(index * per_user + s) % addrs.len()],
                index,
                user.clone(),
                Arc::clone(&shared),
                Arc::clone(&opening),
                stop.clone(),
            );
            tasks.spawn(task);
        }
    }
    let all_ready = shared.ready.wait_for(streams as u64, PATIENCE).await;
    if let Some(err) = shared.error() {
        anyhow::bail!("a stream failed to open: {err}");
    }
    anyhow::ensure!(all_ready, "streams not open after {PATIENCE:?}");

    crate::progress(format_args!(
        "fanout: {}: sending {rate}/s for {duration:?}",
        protocol.name()
    ));
    let commits = CommitTimes::read_one_node(target, addrs).await;
    let sending = Instant::now();
    let sent = send(target, addrs, load).await?;
    let sending = sending.elapsed();
    let commits = CommitTimes::since(target, commits).await;
    let expected: u64 = sent.per_user.iter().sum::<u64>() * per_user as u64;
    shared.received.wait_for(expected, GRACE).await;
    let _ = stop_tx.send(true);

    let mut outcome = Outcome {
        sent: sent.per_user.iter().sum(),
        send_errors: sent.errors,
        first_send_error: sent.first_error,
        sending,
        missing: 0,
        duplicates: 0,
        closed: 0,
        summary: Summary::default(),
        arrivals: Vec::new(),
        commits,
    };
    let mut latencies = Vec::with_capacity(expected as usize);
    while let Some(done) = tasks.join_next().await {
        let stream = done.context("a stream task panicked")?;
        let due = sent.per_user.get(stream.user).copied().unwrap_or(0);
        outcome.missing += due.saturating_sub(stream.distinct);
        outcome.duplicates += stream.duplicates;
        outcome.closed += u64::from(stream.closed);
        latencies.extend(stream.latencies);
        outcome.arrivals.extend(stream.arrivals);
    }
    outcome.summary = Summary::of(&mut latencies);
    Ok(outcome)
}

/// One stream: opens (holding an `opening` permit until its `unread` event), then records
/// every notification until `stop` (with its id and arrival time if `shared.keep_arrivals`).
async fn listen(
    protocol: Protocol,
    addr: SocketAddr,
    user_index: usize,
    user: User,
    shared: Arc<Shared>,
    opening: Arc<Semaphore>,
    mut stop: watch::Receiver<bool>,
) -> Received {
    let mut received = Received {
        user: user_index,
        distinct: 0,
        duplicates: 0,
        closed: false,
        latencies: Vec::new(),
        arrivals: Vec::new(),
    };
    let Some(mut conn) = open_counted(protocol, addr, &user, &shared, &opening).await else {
        return received;
    };
    let mut seen = HashSet::new();
    loop {
        let event = tokio::select! {
            _ = stop.changed() => return received,
            event = conn.next_event() => event,
        };
        let Ok(Some(event)) = event else {
            received.closed = true;
            return received;
        };
        if event.name != protocol.delivery_event() {
            continue;
        }
        let now = unix_nanos();
        if !seen.insert(event.id.unwrap_or_default()) {
            received.duplicates += 1;
            continue;
        }
        received.distinct += 1;
        shared.received.add(1);
        let (sent, id) = sent_at(&event.data);
        if let Some(sent) = sent {
            received.latencies.push(now.saturating_sub(sent));
        }
        if let Some(id) = id.filter(|_| shared.keep_arrivals) {
            received.arrivals.push((id.into_owned(), now));
        }
    }
}

/// Opens `user`'s stream and waits until it is subscribed, at most `OPENING` at a time;
/// counts it in `shared.ready` either way, and its error in `shared`.
pub async fn open_counted(
    protocol: Protocol,
    addr: SocketAddr,
    user: &User,
    shared: &Shared,
    opening: &Semaphore,
) -> Option<SseConn> {
    let conn = open_ready(protocol, addr, user, opening).await;
    shared.ready.add(1);
    conn.map_err(|err| shared.fail(&err)).ok()
}

/// Opens `user`'s stream and waits until it is subscribed, at most `OPENING` at a time.
async fn open_ready(
    protocol: Protocol,
    addr: SocketAddr,
    user: &User,
    opening: &Semaphore,
) -> anyhow::Result<SseConn> {
    let _permit = opening.acquire().await?;
    let mut conn = SseConn::open(addr, &protocol.stream_path(&user.id), &user.token).await?;
    let Some(ready) = protocol.ready_event() else {
        return Ok(conn);
    };
    while let Some(event) = conn.next_event().await? {
        if event.name == ready {
            return Ok(conn);
        }
    }
    anyhow::bail!("the stream ended before its {ready} event")
}

/// The send time a notification event carries in its `body`, and its id if it has one
/// (borrowed from `data`: copied only by a run that keeps arrivals).
fn sent_at(data: &str) -> (Option<u64>, Option<Cow<'_, str>>) {
    #[derive(Deserialize)]
    struct Notification<'a> {
        #[serde(borrow)]
        id: Option<Cow<'a, str>>,
        body: Option<String>,
    }
    let Ok(notification) = serde_json::from_str::<Notification>(data) else {
        return (None, None);
    };
    let sent = notification.body.and_then(|body| body.parse().ok());
    (sent, notification.id)
}
