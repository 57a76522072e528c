//! The preferences form: every change reaches the server at once, and what the CLI
//! changes shows in the form.

use serde_json::json;

use super::signed_in;
use crate::util::Alice;

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
