//! `--timeout`: a server that accepts connections but never answers cannot hold a
//! command for longer than the limit (10 s by default, retries included).

use std::net::TcpListener;
use std::process::Command;
use std::time::{Duration, Instant};

use notif_tests::bins::bin;

/// A loopback listener that accepts every connection and never answers; returns its URL.
fn silent_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming() {
            held.push(conn);
        }
    });
    url
}

/// Runs `notif ARGS` against `url`, returning its exit code, stderr and duration.
fn notif(url: &str, args: &[&str]) -> (Option<i32>, String, Duration) {
    let start = Instant::now();
    let out = Command::new(bin("notif"))
        .args(args)
        .args(["--server", url, "--token", "t"])
        .env_remove("NOTIF_CONFIG")
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        start.elapsed(),
    )
}

#[test]
fn send_gives_up_after_the_default_timeout_and_says_what_it_waits_for() {
    let url = silent_server();
    let (code, stderr, took) = notif(&url, &["send", "hello"]);
    assert_eq!(code, Some(5), "{stderr}");
    assert!(took < Duration::from_secs(15), "took {took:?}");
    assert!(stderr.contains(&format!("waiting for {url}")), "{stderr}");
    assert!(
        stderr.ends_with(&format!(
            "error: no answer from {url} within 10s (--timeout)\n"
        )),
        "{stderr}"
    );
}

#[test]
fn list_honours_a_shorter_timeout() {
    let url = silent_server();
    let (code, stderr, took) = notif(&url, &["list", "--timeout", "1s"]);
    assert_eq!(code, Some(5), "{stderr}");
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert_eq!(
        stderr,
        format!("error: no answer from {url} within 1s (--timeout)\n")
    );
}

#[test]
fn a_timeout_of_nothing_is_a_usage_error_before_any_request() {
    let url = silent_server();
    let (code, stderr, took) = notif(&url, &["send", "never sent", "--timeout", "0s"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.starts_with(
            "error: invalid value '0s' for '--timeout <DURATION>': must be more than zero"
        ),
        "{stderr}"
    );
    assert!(took < Duration::from_secs(5), "took {took:?}");
}
