//! notif-server: the notification inbox API of `API.md` on hyper 1.x and SQLite.
//!
//! Requests enter through `server` (accept loop, graceful shutdown), pass the `middleware`
//! every request gets (415, time limit, security and CORS headers, metrics), and reach the
//! `router`: its table is the one place that knows URLs, and it authenticates and
//! rate-limits each call as the route's row says before handing it to one module per
//! resource in `handlers`. The `store` is a trait with a SQLite backend: a single writer
//! thread commits in batches and publishes what it committed to the `hub`, which fans out
//! to the open event streams.

pub mod admin;
pub mod args;
pub mod auth;
pub mod automatic_errors;
pub mod connections;
pub mod cors;
pub mod cross_site;
pub mod cursor;
pub mod email;
pub mod error;
pub mod failed_auth;
pub mod fields;
pub mod handlers;
pub mod hub;
pub mod ids;
pub mod metrics;
pub mod middleware;
pub mod model;
pub mod policy;
pub mod publish;
pub mod quickstart;
pub mod ratelimit;
pub mod redact;
pub mod request;
pub mod response;
pub mod router;
pub mod server;
pub mod sse;
pub mod state;
pub mod store;
pub mod takeover;
pub mod timestamp;
pub mod validate;
pub mod web;

use args::{Cli, Command};

/// Runs one `notif-server` command to completion.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => {
            let config = server::ServeConfig::from_args(args)?;
            runtime()?.block_on(async { server::run(config, server::signal()?).await })
        }
        Command::Quickstart(args) => runtime()?.block_on(quickstart::run(args)),
        Command::User(command) => runtime()?.block_on(admin::user(command)),
        Command::Token(command) => runtime()?.block_on(admin::token(command)),
        Command::Outbox(command) => runtime()?.block_on(admin::outbox(command)),
        Command::Backup(args) => admin::backup(args),
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}
