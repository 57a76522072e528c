//! The `notif-server` command line's failure modes (issue 2): bad arguments, an unusable
//! database path and a port in use each give a clear `error:` line on stderr and a non-zero
//! exit, never a panic or a backtrace; admin changes apply to a running server.

use std::process::Stdio;
use std::time::Duration;

use notif_tests::server::admin_on;
use serde_json::json;
use tokio::process::Command;
use tokio::time::timeout;

use crate::support::{BIN, FLAGS, TestServer, scrub_env};

/// A command for `program` without the developer's `NOTIF_*` settings.
fn scrubbed(program: &str) -> Command {
    let mut cmd = Command::new(program);
    scrub_env(&mut cmd);
    cmd
}

/// Runs `notif-server ARGS`, expecting it to fail quickly; returns its stderr.
async fn expect_failure(args: &[&str]) -> String {
    failing(args).await.1
}

/// Runs `notif-server ARGS`, expecting it to fail quickly without a panic; returns its exit
/// code and stderr.
async fn failing(args: &[&str]) -> (Option<i32>, String) {
    let output = timeout(
        Duration::from_secs(20),
        scrubbed(BIN)
            .args(args)
            .env("RUST_BACKTRACE", "1")
            .stdin(Stdio::null())
            // A server that wrongly starts must not outlive the timeout.
            .kill_on_drop(true)
            .output(),
    )
    .await
    .unwrap_or_else(|_| panic!("`notif-server {}` did not exit within 20s", args.join(" ")))
    .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        !output.status.success(),
        "`notif-server {}` succeeded; stderr:\n{stderr}",
        args.join(" ")
    );
    for bad in ["panicked", "stack backtrace", "RUST_BACKTRACE"] {
        assert!(
            !stderr.contains(bad),
            "no panic or backtrace, got:\n{stderr}"
        );
    }
    (output.status.code(), stderr)
}

/// The single `error:` line of `stderr` (log lines may precede it).
#[track_caller]
fn error_line(stderr: &str) -> &str {
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.trim_start().to_lowercase().starts_with("error"))
        .collect();
    assert_eq!(errors.len(), 1, "one error line, got:\n{stderr}");
    errors[0]
}

/// Whether an error line repeats one of its causes (`…: X: X`).
fn repeats_a_cause(line: &str) -> bool {
    let parts: Vec<&str> = line.split(": ").collect();
    parts.windows(2).any(|w| w[0] == w[1])
}

#[tokio::test]
async fn port_in_use_is_one_error_line_and_a_failure_exit() {
    let server = TestServer::start(FLAGS);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("other.db");
    let listen = server.addr().to_string();
    let stderr =
        expect_failure(&["serve", "--listen", &listen, "--db", db.to_str().unwrap()]).await;
    let line = error_line(&stderr);
    assert!(
        line.contains(&listen),
        "the error names the address: {line}"
    );
}

#[tokio::test]
async fn unusable_database_path_is_one_error_line_and_a_failure_exit() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a directory").unwrap();
    // Under a regular file, and where no directory can be made (even as root).
    for db in [
        file.join("notif.db"),
        std::path::PathBuf::from("/proc/notif-cannot-create/notif.db"),
    ] {
        let db = db.to_str().unwrap().to_string();
        let stderr = expect_failure(&["serve", "--listen", "127.0.0.1:0", "--db", &db]).await;
        let line = error_line(&stderr);
        assert!(line.contains(&db), "the error names the path: {line}");
        assert!(!repeats_a_cause(line), "the cause is said once: {line}");
    }
    let under_file = file.join("notif.db");
    let stderr = expect_failure(&["user", "add", "a", "--db", under_file.to_str().unwrap()]).await;
    assert!(
        error_line(&stderr).contains(&format!("{} is not a directory", file.display())),
        "the file in the way is named: {stderr}"
    );
}

/// A database path in directories that do not exist yet is made, as the default path in the
/// platform data directory is.
#[tokio::test]
async fn missing_database_directories_are_created() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("missing/dir/notif.db");
    admin_on(&db, &["user", "add", "alice"]);
    assert!(db.exists());
}

#[tokio::test]
async fn bad_arguments_fail_with_an_error_and_no_panic() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("notif.db");
    let db = db.to_str().unwrap();
    for args in [
        vec!["serve", "--ping-interval", "soon", "--db", db],
        vec!["serve", "--listen", "not-an-address", "--db", db],
        vec!["serve", "--no-such-flag"],
        vec!["token", "add", "--db", db],
        vec!["user", "add", "bad name", "--db", db],
        vec!["no-such-command"],
    ] {
        let stderr = expect_failure(&args).await;
        assert!(
            stderr.to_lowercase().contains("error"),
            "`{}` explains itself: {stderr}",
            args.join(" ")
        );
    }
}

/// A command with nothing to do in a new database refuses a missing file rather than make
/// one where a mistyped `--db` points.
#[tokio::test]
async fn admin_commands_that_only_read_or_change_need_an_existing_database() {
    let dir = tempfile::tempdir().unwrap();
    let typo = dir.path().join("typo.db");
    let db = typo.to_str().unwrap();
    for args in [
        vec!["user", "list"],
        vec!["user", "set", "alice", "--email", "alice@example.com"],
        vec!["user", "rm", "alice"],
        vec!["token", "list"],
        vec!["token", "revoke", "1"],
        vec!["outbox", "list"],
        vec!["token", "add", "--user", "alice"],
    ] {
        let args = [args, vec!["--db", db]].concat();
        let stderr = expect_failure(&args).await;
        assert!(
            error_line(&stderr).contains(&format!("no database at {db}")),
            "`{}`: {stderr}",
            args.join(" ")
        );
        assert!(!typo.exists(), "`{}` made no file", args.join(" "));
    }
}

/// A value the argument parser refuses is a usage error, exit 2, that says what it wants.
#[tokio::test]
async fn bad_values_are_usage_errors_that_say_what_is_wanted() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("notif.db");
    let db = db.to_str().unwrap();
    for (args, says) in [
        (
            vec!["serve", "--listen", "nonsense", "--db", db],
            "not an address like 127.0.0.1:8787",
        ),
        (
            vec!["serve", "--listen", "localhost:99999", "--db", db],
            "not an address",
        ),
        (
            vec!["token", "add", "--db", db],
            "<--user <NAME>|--service>",
        ),
        (
            vec!["serve", "--ping-interval", "0s", "--db", db],
            "more than zero",
        ),
    ] {
        let (code, stderr) = failing(&args).await;
        assert_eq!(code, Some(2), "`{}`: {stderr}", args.join(" "));
        assert!(
            stderr.contains(says),
            "`{}` says {says:?}: {stderr}",
            args.join(" ")
        );
    }
    assert!(!dir.path().join("notif.db").exists(), "nothing was opened");
}

#[tokio::test]
async fn removing_a_user_revokes_its_tokens_and_makes_it_unknown() {
    let (server, [alice, bob]) = TestServer::with_users(FLAGS, ["alice", "bob"]);
    let service = server.service_token();
    server.notify_title(&bob, "bob's").await;
    server.admin(&["user", "rm", "bob"]);
    let reply = server.get("/api/me", &bob).await;
    reply.expect_error(401, "unauthorized");
    server
        .notify_raw(&service, &json!({"userId": "bob", "title": "t"}))
        .await
        .expect_error(404, "unknown_user");
    server.get("/api/me", &alice).await.expect(200);
}

#[tokio::test]
async fn revoking_a_token_twice_says_it_already_was_revoked() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    server.user_token("alice", "spare");
    let listing = server.admin(&["token", "list"]);
    let id = listing
        .lines()
        .find(|line| line.contains("spare"))
        .and_then(|line| line.split_whitespace().next())
        .unwrap_or_else(|| panic!("no token labelled spare in:\n{listing}"))
        .to_owned();
    let first = server.admin(&["token", "revoke", &id]);
    assert!(first.contains(&format!("revoked token {id}")), "{first}");
    let second = server.admin(&["token", "revoke", &id]);
    assert!(
        second.contains(&format!("token {id} was already revoked")),
        "{second}"
    );
    server.get("/api/me", &alice).await.expect(200);
}
