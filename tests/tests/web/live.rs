//! The live inbox: notifications arrive without reloading, actions in one tab show in
//! another and in `notif list`, and a server restart loses nothing.

use notif_tests::cli::SEND_DEPLOY_FINISHED;
use serde_json::json;

use super::{
    LISTED, STREAMS_HELD_BACK, click_in_row, row, shown_unread, signed_in, signing_in_with, titles,
    wait_live,
};
use crate::util::{Alice, AliceApi};

#[test]
fn a_sent_notification_appears_without_reload_and_counts_in_the_title() {
    let server = Alice::start();
    let browser = signed_in(&server, 1280);
    assert_eq!(browser.title(), "notif");
    browser.run("window.notReloaded = true", json!([]));
    server
        .notif(&[SEND_DEPLOY_FINISHED, &["--body", "web-1 is on v2.3.1"]].concat())
        .run()
        .success();
    browser.wait_until("the notification", &row("Deploy finished"));
    browser.wait_until("the count in the title", "document.title === '(1) notif'");
    assert_eq!(shown_unread(&browser), "1");
    assert_eq!(
        browser.run("return window.notReloaded", json!([])),
        json!(true)
    );
    let shown = browser.run(
        &format!(
            "const li = {}; return [li.dataset.type, li.querySelector('.category').textContent, \
             li.querySelector('time').textContent, li.classList.contains('unread')]",
            row("Deploy finished")
        ),
        json!([]),
    );
    assert_eq!(shown, json!(["SUCCESS", "deploy", "just now", true]));
    server.notif(&["send", "Second"]).run().success();
    browser.wait_until("the count in the title", "document.title === '(2) notif'");
    assert_eq!(titles(&browser), ["Second", "Deploy finished"]);
}

#[test]
fn read_unread_delete_and_read_all_show_in_another_tab_and_in_notif_list() {
    let server = Alice::start();
    for title in ["a", "b", "c"] {
        server.seed(title);
    }
    let browser = signed_in(&server, 1280);
    let first = browser.tab();
    let second = browser.new_tab();
    browser.goto(&server.url());
    wait_live(&browser);
    assert_eq!(titles(&browser), ["c", "b", "a"]);

    // Read with the row's button in the first tab.
    browser.switch_to(&first);
    click_in_row(&browser, "a", ".item-toggle");
    browser.switch_to(&second);
    browser.wait_until(
        "a read in the second tab",
        &format!("!{}.classList.contains('unread')", row("a")),
    );
    browser.wait_until("the count", "document.title === '(2) notif'");
    let list = server.notif(&["list", "--json"]).run().success().json();
    let a = list
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["title"] == "a")
        .unwrap();
    assert!(a["readAt"].is_string(), "{list}");

    // Unread again with the keys: j j selects the third row, r toggles it.
    browser.switch_to(&first);
    browser.press("jjr");
    browser.switch_to(&second);
    browser.wait_until(
        "a unread in the second tab",
        &format!("{}.classList.contains('unread')", row("a")),
    );
    browser.wait_until("the count", "document.title === '(3) notif'");

    // Delete with d.
    browser.switch_to(&first);
    browser.press("d");
    browser.switch_to(&second);
    browser.wait_until("a gone in the second tab", &format!("!{}", row("a")));
    assert!(server.inbox().iter().all(|n| n.title != "a"));

    // Everything read with A.
    browser.switch_to(&first);
    browser.press("A");
    browser.switch_to(&second);
    browser.wait_until("all read in the second tab", "document.title === 'notif'");
    assert_eq!(shown_unread(&browser), "0");
    assert!(server.inbox().iter().all(|n| n.read_at.is_some()));
}

#[test]
fn a_server_restart_loses_nothing() {
    let mut server = Alice::start();
    // Nothing has arrived yet: only the opening event's id lets the browser resume.
    let browser = signed_in(&server, 1280);
    server.kill();
    browser.wait_until(
        "the reconnecting indicator",
        "document.getElementById('connection').dataset.state === 'reconnecting'",
    );
    server.restart();
    let first = server.seed("while reconnecting");
    browser.wait_until("the notification", &row("while reconnecting"));
    browser.wait_until(
        "the live indicator",
        "document.getElementById('connection').dataset.state === 'live'",
    );
    server.kill();
    browser.wait_until(
        "the reconnecting indicator",
        "document.getElementById('connection').dataset.state === 'reconnecting'",
    );
    server.restart();
    // Read before the browser is back (it waits a few seconds to retry): a resume replays
    // notifications, not reads; the list read again once live shows it.
    server.notif(&["read", &first]).run().success();
    server.seed("after the second restart");
    browser.wait_until("the notification", &row("after the second restart"));
    browser.wait_until(
        "the read made meanwhile",
        &format!(
            "!{}.classList.contains('unread')",
            row("while reconnecting")
        ),
    );
    assert_eq!(
        titles(&browser),
        ["after the second restart", "while reconnecting"]
    );
    assert_eq!(shown_unread(&browser), "1");
}

#[test]
fn a_notification_between_the_first_page_and_the_stream_is_not_lost() {
    let server = Alice::start();
    let browser = signing_in_with(&server, STREAMS_HELD_BACK);
    browser.wait_until("the first page", LISTED);
    server.seed("after the first page");
    browser.run("releaseStreams()", json!([]));
    wait_live(&browser);
    // The count alone comes with the stream's opening event; the row is what a stream
    // that subscribed after the first page was read never brings.
    browser.wait_until("the notification", &row("after the first page"));
    assert_eq!(shown_unread(&browser), "1");
}
