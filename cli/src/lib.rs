//! `notif`: the command-line client of notif-server.
//!
//! The library holds everything the `notif` binary does, so that tests can call it:
//! [`api`] is the typed HTTP client (also used by the TUI and the end-to-end tests).

pub mod api;
pub mod tui;
