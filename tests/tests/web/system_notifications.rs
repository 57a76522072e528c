//! System notifications through the Notification API: asked for from a button only, raised
//! only while the tab is hidden, bursts coalesced, a click brings the tab to the one clicked.

use serde_json::json;

use super::{row, signing_in_with, wait_live};
use crate::util::{Alice, AliceApi};

/// Installed before the page's own scripts: a `Notification` that records what the page
/// asks of it (permission requests, notifications raised with the tab's visibility at
/// that moment) and tells a watching tab on a BroadcastChannel, so that the test can look
/// without bringing the hidden tab to the front.
const SPY: &str = r#"
window.spy = { asked: 0, permission: "default", shown: [] };
const channel = new BroadcastChannel("notification-spy");
window.Notification = class {
  constructor(title, options = {}) {
    const record = { title, body: options.body ?? "", tag: options.tag ?? "", visibility: document.visibilityState };
    spy.shown.push(this);
    this.record = record;
    channel.postMessage(record);
  }
  close() {}
  static get permission() { return spy.permission; }
  static async requestPermission() { spy.asked += 1; spy.permission = "granted"; return "granted"; }
};
"#;

#[test]
fn a_hidden_tab_raises_system_notifications_and_coalesces_bursts() {
    let server = Alice::start();
    let browser = signing_in_with(&server, SPY);
    wait_live(&browser);

    // Never asked on load; asked from the button, which then goes away.
    assert_eq!(browser.run("return spy.asked", json!([])), json!(0));
    browser.wait_until(
        "the permission button",
        "!document.getElementById('enable-notifications').hidden",
    );
    browser.click("#enable-notifications");
    browser.wait_until(
        "the permission",
        "spy.asked === 1 && document.getElementById('enable-notifications').hidden",
    );

    // While the tab is visible, nothing is raised.
    server.seed("seen in the page");
    browser.wait_until("the notification", &row("seen in the page"));

    // Another tab in front hides the inbox; it watches what the inbox raises.
    let inbox = browser.tab();
    browser.new_tab();
    browser.goto(&format!("{}/healthz", server.url()));
    browser.run(
        "window.seen = []; new BroadcastChannel('notification-spy').onmessage = (e) => seen.push(e.data);",
        json!([]),
    );
    server.seed("one while hidden");
    browser.wait_until("the first system notification", "seen.length === 1");
    let first = browser.run("return seen[0]", json!([]));
    assert_eq!(first["title"], "one while hidden");
    assert_eq!(first["visibility"], "hidden");

    // A burst of five within two seconds becomes one.
    for i in 0..5 {
        server.seed(&format!("burst {i}"));
    }
    let seen = browser.wait_until(
        "the burst's notifications",
        "seen.slice(1).reduce((n, r) => n + (r.title.match(/^(\\d+) new notifications$/)?.[1] * 1 || 1), 0) === 5 && seen.slice(1)",
    );
    let burst = seen.as_array().unwrap();
    assert!(
        burst.len() < 5
            && burst
                .iter()
                .any(|r| r["title"].as_str().unwrap().ends_with("new notifications")),
        "{seen}"
    );

    // A click on the first one brings its notification into view, opened.
    browser.switch_to(&inbox);
    browser.run("spy.shown[0].onclick()", json!([]));
    browser.wait_until(
        "the clicked notification, open and selected",
        &format!(
            "{0}.classList.contains('selected') && {0}.querySelector('.item-head').getAttribute('aria-expanded') === 'true'",
            row("one while hidden")
        ),
    );
    assert_eq!(
        browser.run("return spy.shown.length", json!([])),
        json!(burst.len() + 1)
    );
}
