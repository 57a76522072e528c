//! A newcomer's first minutes: `notif-server quickstart` prints a sign-in link that opens
//! the live inbox; the CLI it set up sends to it; reading and a preference changed in the
//! page show in the CLI; `notif web --print` signs in another browser later.

use std::process::{Command, Stdio};

use super::{click_in_row, open_live, row};
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
fn a_newcomer_goes_from_quickstart_to_a_live_inbox() {
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

    let browser = open_live(&link, 1280, 900);
    // The CLI quickstart set up sends; the page shows it at once.
    let notif = |args: &[&str]| {
        let out = Command::new(bins::notif())
            .args(args)
            .env("NOTIF_CONFIG", &config)
            .env_remove("NOTIF_SERVER")
            .env_remove("NOTIF_TOKEN")
            .output()
            .unwrap();
        assert!(out.status.success(), "notif {args:?}: {out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    notif(&["send", "hello from the CLI"]);
    browser.wait_until("the notification", &row("hello from the CLI"));

    // Read in the page, seen by the CLI; a preference changed in the page, seen by the CLI.
    click_in_row(&browser, "hello from the CLI", ".item-toggle");
    browser.wait_until("read", "document.title === 'notif'");
    let list: serde_json::Value = serde_json::from_str(&notif(&["list", "--json"])).unwrap();
    assert!(list[0]["readAt"].is_string(), "{list}");
    browser.click("#show-prefs");
    browser.wait_until(
        "the preferences",
        "document.getElementById('pref-email').checked",
    );
    browser.click("#pref-email");
    browser.wait_until(
        "saved",
        "document.getElementById('prefs-status').textContent === 'Saved.'",
    );
    let prefs: serde_json::Value = serde_json::from_str(&notif(&["prefs", "--json"])).unwrap();
    assert_eq!(prefs["email"], false);

    // Later, `notif web --print` (the same config) signs another browser in.
    open_live(notif(&["web", "--print"]).trim(), 375, 800);
}
