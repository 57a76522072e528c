//! End-to-end tests: the real `notif-server` (fresh database, free port) driven by the
//! real `notif` binary. Build the binaries first: `cargo build --workspace --bins`
//! (`cargo test --workspace` does it).

#![allow(clippy::unwrap_used)]

mod bench;
mod cli_config;
mod cli_quickstart;
mod cli_rm;
mod cli_send;
mod cli_stream;
mod cli_timeout;
mod cli_watch;
mod completions;
mod errors;
mod faults;
mod list;
mod login;
mod prefs;
mod read;
mod send;
mod util;
mod watch;
mod web;
