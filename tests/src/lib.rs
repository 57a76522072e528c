//! notif's test kit: one harness for every test that runs the real binaries, shared by the
//! server's, the CLI's and the TUI's integration tests, the end-to-end tests in `tests/tests/`
//! and `notif-bench`.
//!
//! - [`server::TestServer`]: the real `notif-server serve` on a free port with a fresh
//!   database, its environment scrubbed ([`env`]), readiness awaited with a time limit,
//!   restarted with the flags it started with, killed on drop; admin commands on its database.
//!   [`server::TestServer::attach`] wraps a server the test runs in process instead.
//! - [`http`]: bounded requests to the notif API on a [`server::TestServer`] whose failures
//!   print what was asked and what came back ([`http::Reply`]).
//! - [`sse::SseStream`]: a Server-Sent Events response read frame by frame with deadlines,
//!   over the one frame reader in [`frames`] (raw sockets add [`chunked`]).
//! - [`cli`]: the real `notif` run against a server ([`cli::NotifCmd`], [`cli::Run`],
//!   [`cli::Lines`], [`cli::Alice`]).
//! - [`postgres::PgCluster`]: a private PostgreSQL cluster for the tests of the PostgreSQL
//!   store and of several nodes; `NOTIF_TEST_STORE=postgres` runs [`server::TestServer`]s on it.
//!
//! The binaries are found next to the running executable ([`bins`]): build them first with
//! `cargo build --workspace --bins`. This crate must not depend on `notif-server` or `notif`:
//! their own tests use it, and a dependency back would link a second copy of them.
#![allow(clippy::unwrap_used)] // test support: a failed unwrap is a failed test (STYLE.md, trap 5)

pub mod bins;
pub mod chunked;
pub mod cli;
pub mod env;
pub mod frames;
pub mod http;
pub mod postgres;
pub mod probe;
pub mod server;
pub mod sse;

pub use cli::{Alice, Lines, NotifCmd, Run};
pub use http::Reply;
pub use server::TestServer;
pub use sse::SseStream;
