//! `list`: paging one big inbox. Fills a user's inbox with N notifications (concurrent
//! notifies), marks every other one read, then times the first page, a page deep in the
//! cursor order, the first `unread=true` page, a page of each of two types, three searches
//! (`q=`), and read-all.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{Context, ensure};
use bytes::Bytes;
use hyper::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::args::Args;
use crate::http::{self, Conn};
use crate::report::{self, Report};
use crate::server::{Target, User};
use crate::stats::{self, Summary};

/// Connections used to fill the inbox.
const WRITERS: usize = 64;
/// Page size of every timed query (the API's default).
const LIMIT: usize = 50;
/// One notification in this many is an INFO (the default type); the others are SUCCESS,
/// WARNING and ERROR in turn. At 100,000 that is one page of INFO, which a list by INFO
/// finds quickly only through an index of the type (a store that walked the inbox for it
/// would read every row).
const INFO_EVERY: usize = 2_000;

/// The type of the `i`th notification of the inbox.
fn kind_of(i: usize) -> &'static str {
    if i % INFO_EVERY == 0 {
        "INFO"
    } else {
        ["SUCCESS", "WARNING", "ERROR"][i % 3]
    }
}

/// Runs the scenario.
pub async fn run(args: &Args) -> anyhow::Result<Report> {
    let target = args.target(args.sync.first()).await?;
    on(target, args, "list", || Ok(())).await
}

/// Runs the scenario against `target` (stopped at the end), reported as `name`;
/// `settle` runs between filling the inbox and timing the queries.
pub async fn on(
    target: Target,
    args: &Args,
    name: &'static str,
    settle: impl FnOnce() -> anyhow::Result<()>,
) -> anyhow::Result<Report> {
    let n = args.size(args.notifications, 100_000, 2_000).max(2 * LIMIT);
    let reps = args.size(args.reps, 200, 20).max(1);
    let mut report = Report::new(name, &["query", "p50Ms", "p99Ms", "maxMs", "runs"]);
    let result = async {
        let user = target.users("list", 1).await?.remove(0);
        fill(target.addr, &target.service_token, &user, n, &mut report).await?;
        settle()?;
        time_queries(target.addr, &user, n, reps, &mut report).await
    }
    .await;
    target.stop().await;
    result?;
    Ok(report)
}

/// Creates `n` notifications for `user` and marks every other one read.
async fn fill(
    addr: SocketAddr,
    service_token: &str,
    user: &User,
    n: usize,
    report: &mut Report,
) -> anyhow::Result<()> {
    crate::progress(format_args!("list: creating {n} notifications"));
    let started = Instant::now();
    let user_id = user.id.clone();
    let ids = on_writers(addr, service_token, n, move |i| {
        let body = json!({"userId": user_id, "title": format!("bench {i}"), "type": kind_of(i)});
        (
            Method::POST,
            http::NOTIFY.to_owned(),
            Some(Bytes::from(body.to_string())),
        )
    })
    .await?;
    let ids: Vec<String> = ids
        .iter()
        .map(|reply| {
            reply["notification"]["id"]
                .as_str()
                .map(str::to_owned)
                .context("notify answered without a notification id")
        })
        .collect::<anyhow::Result<_>>()?;
    let created = started.elapsed();
    crate::progress(format_args!("list: marking {} read", n.div_ceil(2)));
    let ids = Arc::new(ids);
    let read = Arc::clone(&ids);
    on_writers(addr, &user.token, n.div_ceil(2), move |i| {
        let path = format!("/api/notifications/{}/read", read[2 * i]);
        (Method::POST, path, None)
    })
    .await?;
    report.notes.push(format!(
        "Inbox of {} notifications, created in {:.1} s on {WRITERS} connections ({} per \
         second), every other one then marked read. Pages of {LIMIT}.",
        report::thousands(n as u64),
        created.as_secs_f64(),
        report::thousands((n as f64 / created.as_secs_f64()) as u64),
    ));
    Ok(())
}

/// Sends request `request(i)` for every i in 0..n on `WRITERS` connections; each must
/// succeed. Returns the JSON answers in the order of i.
async fn on_writers<F>(
    addr: SocketAddr,
    token: &str,
    n: usize,
    request: F,
) -> anyhow::Result<Vec<Value>>
where
    F: Fn(usize) -> (Method, String, Option<Bytes>) + Send + Sync + 'static,
{
    let request = Arc::new(request);
    let token: Arc<str> = Arc::from(token);
    let mut tasks = Vec::with_capacity(WRITERS);
    for writer in 0..WRITERS.min(n) {
        let mut conn = Conn::connect(addr).await?;
        let (request, token) = (Arc::clone(&request), Arc::clone(&token));
        tasks.push(tokio::spawn(async move {
            let mut answers = Vec::new();
            for i in (writer..n).step_by(WRITERS) {
                let (method, path, body) = request(i);
                let reply = conn.send(method, &path, &token, body).await?;
                ensure!(reply.status.is_success(), "{path}: {}", reply.status);
                answers.push((i, reply.json::<Value>()?));
            }
            anyhow::Ok(answers)
        }));
    }
    let mut all = vec![Value::Null; n];
    for task in tasks {
        for (i, answer) in task.await?? {
            all[i] = answer;
        }
    }
    Ok(all)
}

/// One inbox page, as far as the bench needs it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Page {
    notifications: Vec<Value>,
    unread_count: u64,
    next_cursor: Option<String>,
}

/// Times the queries on one keep-alive connection.
async fn time_queries(
    addr: SocketAddr,
    user: &User,
    n: usize,
    reps: usize,
    report: &mut Report,
) -> anyhow::Result<()> {
    let mut conn = Conn::connect(addr).await?;
    let first = format!("/api/notifications?limit={LIMIT}");
    let page: Page = conn.get_json(&first, &user.token).await?;
    let unread = (n / 2) as u64;
    ensure!(
        page.unread_count == unread,
        "unreadCount is {}, expected {unread}",
        page.unread_count
    );
    let mut row = |query: String, summary: Summary| {
        let cells = json!({ "query": query, "runs": summary.count });
        report.push(report::timed(cells, &summary));
    };
    row(
        "first page".into(),
        time(&mut conn, &user.token, &first, reps).await?,
    );
    let (deep, position) = deep_page(&mut conn, &user.token, n * 3 / 4 / LIMIT).await?;
    row(
        format!(
            "page at position {} (cursor)",
            report::thousands(position as u64)
        ),
        time(&mut conn, &user.token, &deep, reps).await?,
    );
    let unread_first = format!("/api/notifications?limit={LIMIT}&unread=true");
    row(
        "`unread=true` first page".into(),
        time(&mut conn, &user.token, &unread_first, reps).await?,
    );
    let infos = (0..n).filter(|&i| kind_of(i) == "INFO").count();
    for (kind, what) in [
        ("ERROR", "about a third of the inbox".to_owned()),
        (
            "INFO",
            format!("{infos} of {}", report::thousands(n as u64)),
        ),
    ] {
        let path = format!("/api/notifications?limit={LIMIT}&type={kind}");
        row(
            format!("`type={kind}` first page ({what})"),
            time(&mut conn, &user.token, &path, reps).await?,
        );
    }
    // Search (`q=`): every title is "bench {i}", so "bench" matches everything, "4242" a
    // handful (found through the full-text index), and "42" (too short for the index) one
    // in fifty or so (the inbox is read in order and each row checked).
    for (what, q) in [
        ("a word in every notification", "bench"),
        ("two words, a handful of matches", "bench%204242"),
        ("a two-letter word", "42"),
    ] {
        let path = format!("/api/notifications?limit={LIMIT}&q={q}");
        row(
            format!("search: {what} (`q={}`)", q.replace("%20", " ")),
            time(&mut conn, &user.token, &path, reps).await?,
        );
    }
    let (summary, updated) = read_all(&mut conn, &user.token, 1).await?;
    ensure!(
        updated == unread,
        "read-all updated {updated}, expected {unread}"
    );
    row(
        format!("read-all ({} unread)", report::thousands(unread)),
        summary,
    );
    row(
        "read-all (none unread)".into(),
        read_all(&mut conn, &user.token, reps).await?.0,
    );
    Ok(())
}

/// Follows `pages` cursors from the first page: the URL of the page after them, and the
/// position of its first notification.
async fn deep_page(conn: &mut Conn, token: &str, pages: usize) -> anyhow::Result<(String, usize)> {
    crate::progress(format_args!("list: following {pages} cursors"));
    let mut path = format!("/api/notifications?limit={LIMIT}");
    let mut position = 0;
    for _ in 0..pages {
        let page: Page = conn.get_json(&path, token).await?;
        position += page.notifications.len();
        let cursor = page
            .next_cursor
            .context("the inbox ended before the deep page")?;
        path = format!(
            "/api/notifications?limit={LIMIT}&cursor={}",
            http::encode_query(&cursor)
        );
    }
    Ok((path, position))
}

/// `GET path` `reps` times.
async fn time(conn: &mut Conn, token: &str, path: &str, reps: usize) -> anyhow::Result<Summary> {
    let mut samples = Vec::with_capacity(reps);
    for _ in 0..reps {
        let start = Instant::now();
        conn.send(Method::GET, path, token, None)
            .await?
            .expect(StatusCode::OK)?;
        samples.push(stats::nanos(start.elapsed()));
    }
    Ok(Summary::of(&mut samples))
}

/// `POST /api/notifications/read-all` `reps` times: the timings and the first `updated`.
async fn read_all(conn: &mut Conn, token: &str, reps: usize) -> anyhow::Result<(Summary, u64)> {
    #[derive(Deserialize)]
    struct ReadAll {
        updated: u64,
    }
    let mut samples = Vec::with_capacity(reps);
    let mut first_updated = None;
    for _ in 0..reps {
        let start = Instant::now();
        let reply = conn
            .send(Method::POST, "/api/notifications/read-all", token, None)
            .await?
            .expect(StatusCode::OK)?;
        samples.push(stats::nanos(start.elapsed()));
        first_updated.get_or_insert(reply.json::<ReadAll>()?.updated);
    }
    Ok((Summary::of(&mut samples), first_updated.unwrap_or(0)))
}
