//! Smoke tests of the `notif` binary that need no server: help, usage errors, a missing
//! token, an unreachable server.
//!
//! Being an integration test of this package, this file also makes `cargo test
//! --workspace` build `target/<profile>/notif`, which the end-to-end tests in `tests/`
//! run.

#![allow(clippy::unwrap_used)]

use std::process::{Command, Output};

/// Runs `notif ARGS` with no config file (an empty home) and no `NOTIF_*` variables.
fn notif(args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_notif"))
        .args(args)
        .env("HOME", dir.path())
        .env("XDG_CONFIG_HOME", dir.path().join("xdg"))
        .env_remove("NOTIF_CONFIG")
        .env_remove("NOTIF_SERVER")
        .env_remove("NOTIF_TOKEN")
        .output()
        .unwrap()
}

fn explain(out: &Output) -> String {
    format!(
        "status {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn help_exits_0_and_lists_every_command() {
    let out = notif(&["--help"]);
    assert_eq!(out.status.code(), Some(0), "{}", explain(&out));
    let help = String::from_utf8_lossy(&out.stdout);
    for cmd in [
        "send", "list", "read", "unread", "read-all", "rm", "prefs", "login", "watch",
    ] {
        assert!(help.contains(cmd), "help lacks {cmd}");
    }
}

#[test]
fn usage_error_exits_2() {
    let out = notif(&["send"]);
    assert_eq!(out.status.code(), Some(2), "{}", explain(&out));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error:"));
}

#[test]
fn missing_token_exits_3_with_one_line() {
    let out = notif(&["list"]);
    assert_eq!(out.status.code(), Some(3), "{}", explain(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: no token"), "{stderr}");
}

#[test]
fn unreachable_server_exits_5() {
    // Port 9 (discard) is closed on test machines; the connection is refused at once.
    let out = notif(&["list", "--server", "http://127.0.0.1:9", "--token", "t"]);
    assert_eq!(out.status.code(), Some(5), "{}", explain(&out));
}
