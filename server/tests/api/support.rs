//! The harness of the API tests: the workspace's test kit (`notif-tests`, `tests/src/`) with
//! the defaults these tests share, plus [`in_process`] for tests that need no process.
//!
//! [`TestServer`] runs the real `notif-server serve` on a free port with a fresh database and
//! a scrubbed environment; its request helpers are in [`http`], the Server-Sent Events reader
//! in [`sse`] (framing in [`frames`]).

pub mod http;
pub mod in_process;
pub mod routes;

pub use notif_tests::{TestServer, frames, sse};

/// The server binary cargo built for this test target.
pub const BIN: &str = env!("CARGO_BIN_EXE_notif-server");

/// The ping interval every test server uses unless a test overrides it: short, so ping tests
/// are fast, long enough not to flood the streams other tests read.
pub const PING_INTERVAL: &str = "200ms";

/// The `serve` flags of a default test server.
pub const FLAGS: &[&str] = &["--ping-interval", PING_INTERVAL];

/// Removes the developer's `NOTIF_*` (and `RUST_LOG`, …) from a child's environment, as the
/// kit does for every server it starts.
pub fn scrub_env(cmd: &mut tokio::process::Command) {
    notif_tests::env::scrub(cmd.as_std_mut());
}

/// A default test server on SQLite whatever `NOTIF_TEST_STORE` says, with `names` as users
/// and their tokens: for tests that reach into the SQLite file (its write lock, its backup,
/// rows put in directly).
pub fn with_sqlite_users<const N: usize>(names: [&str; N]) -> (TestServer, [String; N]) {
    let server = TestServer::start_sqlite(FLAGS);
    let tokens = names.map(|name| server.add_user(name));
    (server, tokens)
}
