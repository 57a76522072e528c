//! A newcomer's first minute: `notif-server quickstart` prints a sign-in link that opens
//! the live inbox, and the CLI it set up sends to it.

use std::process::{Command, Stdio};

use super::{row, wait_live};
use crate::web::webdriver::Browser;
use notif_tests::Lines;
use notif_tests::bins;

/// Kills the quickstart server when the test ends, however it ends.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn quickstart_prints_a_link_to_the_live_inbox() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = dir.path().join("config.toml");
    let mut child = Command::new(bins::server())
        .args([
            "quickstart",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--db",
        ])
        .arg(dir.path().join("notif.db"))
        .arg("--config")
        .arg(&config)
        .env_remove("NOTIF_LISTEN")
        .env_remove("NOTIF_DB")
        .env_remove("NOTIF_PUBLIC_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let lines = Lines::follow(child.stdout.take().unwrap());
    let _server = Running(child);
    let link = lines
        .expect("the sign-in link", |l| l.contains("/login#"))
        .trim()
        .to_owned();
    assert!(
        link.starts_with(&format!("http://127.0.0.1:{port}/login#")),
        "{link}"
    );
    lines.expect("readiness", |l| l.starts_with("listening on"));

    let browser = Browser::start(1280, 900);
    browser.goto(&link);
    wait_live(&browser);
    let send = Command::new(bins::notif())
        .args(["send", "hello from the CLI"])
        .env("NOTIF_CONFIG", &config)
        .env_remove("NOTIF_SERVER")
        .env_remove("NOTIF_TOKEN")
        .output()
        .unwrap();
    assert!(send.status.success(), "{send:?}");
    browser.wait_until("the notification", &row("hello from the CLI"));
}
