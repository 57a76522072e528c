//! The preferences form: every change reaches the server at once, and what the CLI
//! changes shows in the form.

use serde_json::json;

use super::signed_in;
use crate::util::Alice;
use crate::web::webdriver::Browser;

/// What the page shows once the preferences are open and the link's fragment is gone.
const PREFS_OPEN: &str = "!document.getElementById('prefs-view').hidden \
     && document.getElementById('show-prefs').getAttribute('aria-pressed') === 'true' \
     && location.hash === ''";

fn prefs(server: &Alice) -> serde_json::Value {
    server.notif(&["prefs", "--json"]).run().success().json()
}

#[test]
fn preferences_round_trip() {
    let server = Alice::start();
    let browser = signed_in(&server, 1280);
    browser.click("#show-prefs");
    browser.wait_until(
        "the preferences",
        "!document.getElementById('prefs-view').hidden && document.getElementById('pref-email').checked",
    );

    browser.click("#pref-email");
    browser.wait_until(
        "saved",
        "document.getElementById('prefs-status').textContent === 'Saved.'",
    );
    assert_eq!(prefs(&server)["email"], false);

    browser.type_into("#pref-add-name", "deploy");
    browser.click("#pref-add-in-app");
    browser.click("#pref-add button");
    browser.wait_until(
        "the category row",
        "document.querySelector('#pref-categories tr[data-category=deploy]')",
    );
    let stored = prefs(&server);
    assert_eq!(
        stored["categories"]["deploy"],
        json!({"inApp": false, "email": true}),
        "{stored}"
    );

    browser.run(
        "document.querySelector('#pref-categories tr[data-category=deploy] input[aria-label$=\"by email\"]').click()",
        json!([]),
    );
    // The click set "Saving…" at once; "Saved." comes with the server's answer.
    browser.wait_until(
        "the change saved",
        "document.getElementById('prefs-status').textContent === 'Saved.'",
    );
    assert_eq!(prefs(&server)["categories"]["deploy"]["email"], false);

    browser.run(
        "document.querySelector('#pref-categories tr[data-category=deploy] button').click()",
        json!([]),
    );
    browser.wait_until(
        "the row removed",
        "!document.querySelector('#pref-categories tr[data-category=deploy]')",
    );
    assert_eq!(prefs(&server)["categories"], json!({}));

    // And the other way: the CLI changes, the form shows it when opened again.
    server
        .notif(&["prefs", "set", "--category", "backup", "--email", "off"])
        .run()
        .success();
    browser.click("#show-inbox");
    browser.click("#show-prefs");
    browser.wait_until(
        "the CLI's category",
        "document.querySelector('#pref-categories tr[data-category=backup]')",
    );
}

#[test]
fn the_emails_unsubscribe_link_opens_the_preferences() {
    let server = Alice::start();
    let link = format!("{}/#preferences", server.url());

    // Signed out: the sign-in form, with no complaint about a login code, then them.
    let browser = Browser::start(1280, 900);
    browser.goto(&link);
    browser.wait_until(
        "the sign-in form",
        "!document.getElementById('login-view').hidden",
    );
    assert_eq!(
        browser.run(
            "return document.getElementById('login-error').textContent",
            json!([])
        ),
        json!("")
    );
    browser.type_into("#login-token", &server.token);
    browser.click("#login-form button");
    browser.wait_until("the preferences after signing in", PREFS_OPEN);

    // Signed in, the link followed in the open page (no new load): them at once.
    browser.click("#show-inbox");
    browser.run("window.sameDocument = true", json!([]));
    browser.goto(&link);
    browser.wait_until("the preferences from the open page", PREFS_OPEN);
    assert_eq!(
        browser.run("return window.sameDocument === true", json!([])),
        json!(true),
        "the page was not loaded again"
    );
}
