//! `<notif-bell>` on another web application's page (another port, allowed with
//! `--cors-origin`), added with the README's two lines.

use serde_json::json;

use super::webdriver::Browser;
use super::{STREAMS_HELD_BACK, signed_in};
use crate::util::{Alice, AliceApi};
use crate::web::origin::OtherOrigin;

/// A JavaScript expression: the bell's shadow root.
const BELL: &str = "document.querySelector('notif-bell').shadowRoot";

/// An application on another origin whose page has the bell, alice's server allowing that
/// origin with "already there" in her inbox, and a browser signed in to her inbox.
fn app_with_the_bell() -> (OtherOrigin, Alice, Browser) {
    let app = OtherOrigin::start();
    let server = Alice::start_with(&["--cors-origin", &app.url]);
    server.seed("already there");
    let browser = signed_in(&server, 1280);
    app.set_page(&format!(
        "<!doctype html><title>an app</title><header>My app \
         <script type=\"module\" src=\"{}/embed/notif-bell.js\"></script>\n<notif-bell></notif-bell>\
         </header>",
        server.url()
    ));
    (app, server, browser)
}

#[test]
fn the_bell_on_another_origin_shows_the_live_count() {
    let (app, server, browser) = app_with_the_bell();
    browser.goto(&app.url);
    browser.wait_until(
        "the bell, live",
        "document.querySelector('notif-bell').dataset.connection === 'live' \
         && document.querySelector('notif-bell').dataset.unread === '1'",
    );
    server
        .notif(&["send", "Build failed", "--type", "error"])
        .run()
        .success();
    server.notif(&["send", "Backup done"]).run().success();
    browser.wait_until(
        "the live count",
        "document.querySelector('notif-bell').dataset.unread === '3'",
    );
    browser.run(&format!("{BELL}.querySelector('.bell').click()"), json!([]));
    let titles = browser.wait_until(
        "the dropdown",
        &format!("!{BELL}.querySelector('.panel').hidden && [...{BELL}.querySelectorAll('li .title')].map(e => e.textContent)"),
    );
    assert_eq!(
        titles,
        json!(["Backup done", "Build failed", "already there"])
    );
    browser.run(
        &format!("{BELL}.querySelector('.read-all').click()"),
        json!([]),
    );
    browser.wait_until(
        "no unread left",
        "document.querySelector('notif-bell').dataset.unread === '0'",
    );
    assert!(server.inbox().iter().all(|n| n.read_at.is_some()));
}

#[test]
fn a_notification_between_the_bells_list_and_its_stream_is_not_lost() {
    let (app, server, browser) = app_with_the_bell();
    browser.before_each_page(STREAMS_HELD_BACK);
    browser.goto(&app.url);
    browser.wait_until(
        "the bell's list",
        "document.querySelector('notif-bell').dataset.unread === '1'",
    );
    server.seed("after the list");
    browser.run("releaseStreams()", json!([]));
    browser.wait_until(
        "the bell, live",
        "document.querySelector('notif-bell').dataset.connection === 'live' \
         && document.querySelector('notif-bell').dataset.unread === '2'",
    );
    // The count alone comes with the stream's opening event; the dropdown is what tells.
    browser.run(&format!("{BELL}.querySelector('.bell').click()"), json!([]));
    browser.wait_until(
        "both in the dropdown",
        &format!("[...{BELL}.querySelectorAll('li .title')].map(e => e.textContent).join() === 'after the list,already there'"),
    );
}
