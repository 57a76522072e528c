//! `notif watch --exec`: the first Ctrl-C stops it, even while the command runs.

use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::AliceApi;
use crate::util::Lines;
use notif_tests::Alice;
use notif_tests::bins::bin;

/// How long `notif` may take to stop after Ctrl-C: well under the command's 5 s.
const STOP_WITHIN: Duration = Duration::from_secs(3);

#[test]
fn one_ctrl_c_stops_watch_while_the_exec_command_runs() {
    let server = Alice::start();
    let started = server.dir().join("started");
    let exec = format!("touch '{}'; sleep 5", started.display());
    let mut child = Command::new(bin("notif"))
        .args(["watch", "--verbose", "--exec", &exec])
        .args(["--server", &server.url(), "--token", &server.token])
        .env_remove("NOTIF_CONFIG")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        // Its own process group, as a terminal's foreground job.
        .process_group(0)
        .spawn()
        .unwrap();
    let stderr = Lines::follow(child.stderr.take().unwrap());
    stderr.expect("the unread count", |l| l.ends_with(" unread"));
    server.seed("run the command");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !started.exists() {
        assert!(Instant::now() < deadline, "the --exec command never ran");
        std::thread::sleep(Duration::from_millis(20));
    }
    // Ctrl-C: SIGINT to the whole foreground process group.
    let group = format!("-{}", child.id());
    let status = Command::new("kill")
        .args(["-s", "INT", "--", &group])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + STOP_WITHIN;
    let exited = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if Instant::now() > deadline {
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        exited.is_some(),
        "notif watch still runs {STOP_WITHIN:?} after Ctrl-C; stderr: {:?}",
        stderr.seen()
    );
}
