//! `notif watch`: live notifications, `--json` lines, `--exec`, and reconnection
//! without duplicates.

use std::process::Child;

use crate::util::{Alice, Lines};

/// A running `notif watch` and its output.
struct Watch {
    child: Child,
    stdout: Lines,
    stderr: Lines,
}

impl Watch {
    /// Starts `notif watch --verbose ARGS` and waits until it is subscribed (the server
    /// sends `unread` once the subscription is in place).
    fn start(server: &Alice, args: &[&str]) -> Watch {
        let mut child = server.notif(&["watch", "--verbose"]).args(args).spawn();
        let stdout = Lines::follow(child.stdout.take().unwrap());
        let stderr = Lines::follow(child.stderr.take().unwrap());
        stderr.expect("the unread count", |l| l.ends_with(" unread"));
        Watch {
            child,
            stdout,
            stderr,
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn watch_prints_a_notification_sent_after_it_started() {
    let server = Alice::start();
    let watch = Watch::start(&server, &[]);
    let id = server
        .notif(&["send", "Deploy finished", "--type", "success"])
        .run()
        .success()
        .stdout;
    let line = watch
        .stdout
        .expect("the notification", |l| l.contains("Deploy finished"));
    assert!(
        line.contains("SUCCESS") && line.contains(id.trim()),
        "{line}"
    );
}

#[test]
fn watch_json_prints_one_notification_per_line() {
    let server = Alice::start();
    let watch = Watch::start(&server, &["--json"]);
    server.notif(&["send", "first"]).run().success();
    server
        .notif(&["send", "second", "--body", "b"])
        .run()
        .success();
    let first = watch.stdout.expect("first", |l| l.contains("first"));
    let second = watch.stdout.expect("second", |l| l.contains("second"));
    let first: serde_json::Value = serde_json::from_str(&first).unwrap();
    let second: serde_json::Value = serde_json::from_str(&second).unwrap();
    assert_eq!(first["title"], "first");
    assert_eq!(second["body"], "b");
    assert_eq!(second["userId"], "alice");
}

#[test]
fn watch_exec_gets_the_notification_in_its_environment() {
    let server = Alice::start();
    let out = server.dir().join("exec.txt");
    let cmd = format!(
        "printf '%s|%s|%s|%s|%s\\n' \"$NOTIF_ID\" \"$NOTIF_TITLE\" \"$NOTIF_TYPE\" \"$NOTIF_BODY\" \"$NOTIF_LINK\" >> '{}'; echo ran",
        out.display()
    );
    let watch = Watch::start(&server, &["--exec", &cmd]);
    let id = server
        .notif(&[
            "send",
            "Disk",
            "--type",
            "warning",
            "--body",
            "90%",
            "--link",
            "https://x.example",
        ])
        .run()
        .success()
        .stdout;
    watch.stdout.expect("the command's output", |l| l == "ran");
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        text,
        format!("{}|Disk|WARNING|90%|https://x.example\n", id.trim())
    );
}

/// The server dies and comes back while `watch` runs: notifications sent before,
/// during (none can be) and after the outage are each printed exactly once.
#[test]
fn watch_reconnects_and_never_prints_twice() {
    let mut server = Alice::start();
    let watch = Watch::start(&server, &["--json"]);
    server.notif(&["send", "before"]).run().success();
    watch.stdout.expect("before", |l| l.contains("\"before\""));

    server.kill();
    watch
        .stderr
        .expect("the lost stream", |l| l.contains("stream lost"));
    server.restart();
    watch
        .stderr
        .expect("the reconnection", |l| l.contains("reconnected"));
    server.notif(&["send", "after"]).run().success();
    server.notif(&["send", "sentinel"]).run().success();
    watch
        .stdout
        .expect("the sentinel", |l| l.contains("\"sentinel\""));

    let titles: Vec<String> = watch
        .stdout
        .seen()
        .iter()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["title"].to_string())
        .collect();
    assert_eq!(
        titles,
        ["\"before\"", "\"after\"", "\"sentinel\""],
        "stderr: {:?}",
        watch.stderr.seen()
    );
}

#[test]
fn watch_with_a_bad_token_exits_3() {
    let server = Alice::start();
    server.notif_as("nope", &["watch"]).run().code(3);
}
