//! The PostgreSQL store against a real PostgreSQL: a private cluster from the test kit
//! (`notif_tests::postgres`), one database per test. Several `PostgresStore`s on one
//! database stand for several nodes, each with its own hub.
#![allow(clippy::unwrap_used)]

mod faults;
mod nodes;
mod schema;
mod support;
mod verbs;
