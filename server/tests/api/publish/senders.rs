//! Real senders for the publishing tests: apprise (from PyPI, through its Python API) and
//! `curl`, each run as a child process against the test server on loopback.

use std::process::Output;
use std::time::Duration;

use tokio::process::Command;

/// Upper bound for one apprise or curl run (Python start-up on a loaded 2-core machine).
const SEND_TIMEOUT: Duration = Duration::from_secs(60);

/// Sends with apprise's own library, as a tool built on it would: `url` is an apprise URL
/// (`gotify://127.0.0.1:PORT/TOKEN`, `ntfy://…`). Panics with apprise's log when apprise is
/// missing or reports a failure: CI installs it (`.ci/install-test-deps`), so a missing
/// apprise is a failure, not a skip.
pub async fn apprise(url: &str, title: &str, body: &str) {
    const SCRIPT: &str = "\
import logging, sys
logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
import apprise
sender = apprise.Apprise()
if not sender.add(sys.argv[1]):
    sys.exit('apprise refused the URL ' + sys.argv[1])
sys.exit(0 if sender.notify(title=sys.argv[2], body=sys.argv[3]) else 'apprise reported a failure')
";
    let out = run(Command::new("python3").args(["-c", SCRIPT, url, title, body])).await;
    assert!(
        out.status.success(),
        "apprise {url} failed ({}); is apprise installed (bash .ci/install-test-deps)?\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs `curl -sS` with `args`; returns the HTTP status and the body it printed.
pub async fn curl(args: &[&str]) -> (u16, String) {
    let out = run(Command::new("curl")
        .args(["-sS", "-w", "\n%{http_code}"])
        .args(args))
    .await;
    assert!(
        out.status.success(),
        "curl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, status) = text.rsplit_once('\n').unwrap_or(("", &text));
    (status.trim().parse().unwrap_or(0), body.to_owned())
}

async fn run(cmd: &mut Command) -> Output {
    cmd.kill_on_drop(true);
    tokio::time::timeout(SEND_TIMEOUT, cmd.output())
        .await
        .expect("the sender finished in time")
        .expect("the sender could be started")
}
