//! Helpers for notif's end-to-end tests: start the real binaries, drive them, explain failures.

pub mod postgres;
