//! `notif`: the command-line client and live terminal inbox for notif-server.
//!
//! Placeholder until the CLI issue lands: the library will hold the typed API client.

pub mod tui;
