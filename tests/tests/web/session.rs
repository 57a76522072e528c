//! Signing in (a one-time code from `notif web --print`, a pasted token) and out.

use serde_json::json;

use super::{login_url, open_live, signed_in, wait_live};
use crate::util::Alice;
use crate::web::webdriver::Browser;

#[test]
fn signing_in_with_a_code_from_notif_web_print() {
    let server = Alice::start();
    let url = login_url(&server);
    assert!(
        url.starts_with(&format!("{}/login#", server.url())),
        "{url}"
    );
    let code = url.rsplit('#').next().unwrap().to_owned();
    let browser = open_live(&url, 1280, 900);
    // The code left the address bar, and the page keeps no secret a script could read.
    assert_eq!(
        browser.run("return location.pathname + location.hash", json!([])),
        json!("/")
    );
    assert_eq!(
        browser.run(
            "return [document.cookie, localStorage.length, sessionStorage.length]",
            json!([])
        ),
        json!(["", 0, 0])
    );
    assert!(browser.cookie("notif_token").is_some());
    assert!(server.admin(&["token", "list"]).contains("web session"));
    assert!(!server.log().contains(&code), "the code reached the log");

    // Used once: a second browser with the same link is asked to sign in.
    let second = Browser::start(1280, 900);
    second.goto(&url);
    second.wait_until(
        "the refusal",
        "document.getElementById('login-error').textContent.includes('used or expired')",
    );
    assert!(second.cookie("notif_token").is_none());
}

#[test]
fn signing_in_with_a_pasted_token() {
    let server = Alice::start();
    let browser = Browser::start(1280, 900);
    browser.goto(&server.url());
    browser.wait_until(
        "the sign-in form",
        "!document.getElementById('login-view').hidden",
    );
    browser.type_into("#login-token", "ntf_not-a-token");
    browser.click("#login-form button");
    browser.wait_until(
        "the refusal",
        "document.getElementById('login-error').textContent.includes('not a valid')",
    );
    browser.type_into("#login-token", &server.token);
    browser.click("#login-form button");
    wait_live(&browser);
    // The session is a new token, not the pasted one.
    let session = browser.cookie("notif_token").unwrap();
    assert_ne!(session, server.token);
}

/// Only the sign-in link's fragment is a login code: a page reloaded on its own `#list`
/// (the skip link) stays signed in.
#[test]
fn a_page_reloaded_on_another_fragment_stays_signed_in() {
    let server = Alice::start();
    let browser = signed_in(&server, 1280);
    browser.goto(&format!("{}/#list", server.url()));
    browser.run("window.beforeReload = true; location.reload()", json!([]));
    browser.wait_until(
        "the live inbox after the reload",
        "window.beforeReload === undefined \
         && !document.getElementById('inbox-view').hidden \
         && document.getElementById('connection').dataset.state === 'live'",
    );
    assert_eq!(
        browser.run(
            "return document.getElementById('login-error').textContent",
            json!([])
        ),
        json!("")
    );
}

#[test]
fn logging_out_revokes_the_session_token() {
    let server = Alice::start();
    let browser = signed_in(&server, 1280);
    let session = browser.cookie("notif_token").unwrap();
    let me = notif::api::Client::new(&server.url(), Some(session.clone())).unwrap();
    crate::util::block_on(me.me()).unwrap();
    browser.click("#logout");
    browser.wait_until(
        "the sign-in form",
        "!document.getElementById('login-view').hidden",
    );
    assert!(browser.cookie("notif_token").is_none());
    let err = crate::util::block_on(me.me()).unwrap_err();
    assert!(err.to_string().contains("401"), "{err}");
    // The page, reloaded, asks to sign in again.
    browser.goto(&server.url());
    browser.wait_until(
        "the sign-in form",
        "!document.getElementById('login-view').hidden",
    );
}
