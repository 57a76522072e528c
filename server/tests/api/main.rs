//! Integration tests of `notif-server` against the HTTP contract in `shared/API.md`.
//!
//! One test binary (`cargo test -p notif-server --test api`). Every test starts the real
//! `notif-server` binary on a free port with a fresh database through [`support::TestServer`]
//! (the test kit of `tests/src/`), or in process through [`support::in_process`], so the tests
//! run in parallel without sharing state. Modules group the tests by the part of
//! the contract they prove.
#![allow(clippy::unwrap_used)]

mod access;
mod auth;
mod automatic_errors;
mod backpressure;
mod backup;
mod bodies;
mod command_line;
mod cross_site;
mod database_lock;
mod email;
mod idempotency;
mod in_process;
mod lifecycle;
mod limits;
mod listing;
mod notifications;
mod openapi_rules;
mod operations_guard;
mod ops;
mod preferences;
mod protocol;
mod publish;
mod rate_classes;
mod replay_load;
mod resume;
mod search;
mod secrets;
mod silent_connections;
mod spread_rechecks;
mod stalled_streams;
mod stream;
mod support;
mod taken_over_streams;
mod validation;
mod web;
