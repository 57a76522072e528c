//! A page on another origin, in the same browser as a signed-in inbox, can neither read
//! the inbox nor change it with the user's cookie.

use serde_json::json;

use super::signed_in;
use crate::util::{Alice, AliceApi};
use crate::web::origin::OtherOrigin;

/// The attacker's page: it tries to read the inbox and its stream, and to mark
/// everything read, with the browser's cookie; `window.results` says what happened.
fn attacker_page(server: &str) -> String {
    format!(
        r#"<!doctype html><title>elsewhere</title>
<form id=form method=post action="{server}/api/notifications/read-all"></form>
<script type=module>
const server = "{server}";
const results = {{}};
try {{
  const answer = await fetch(server + "/api/notifications", {{ credentials: "include" }});
  results.read = "read: " + (await answer.text());
}} catch (err) {{
  results.read = "blocked";
}}
results.stream = await new Promise((done) => {{
  const source = new EventSource(server + "/api/notifications/stream", {{ withCredentials: true }});
  source.addEventListener("unread", (e) => {{ source.close(); done("read: " + e.data); }});
  source.onerror = () => {{ source.close(); done("blocked"); }};
}});
for (const [name, method] of [["readAll", "POST"], ["prefs", "PUT"]]) {{
  const path = name === "readAll" ? "/api/notifications/read-all" : "/api/notifications/preferences";
  try {{
    await fetch(server + path, {{ method, credentials: "include", mode: "no-cors", body: method === "PUT" ? '{{"inApp":false}}' : undefined }});
    results[name] = "sent";
  }} catch (err) {{
    results[name] = "blocked";
  }}
}}
window.results = results;
</script>"#
    )
}

#[test]
fn another_origin_cannot_read_or_change_the_inbox_with_the_cookie() {
    let server = Alice::start();
    server.seed("secret");
    let browser = signed_in(&server, 1280);
    let elsewhere = OtherOrigin::serve(&attacker_page(&server.url()));
    browser.goto(&elsewhere.url);
    let results = browser.wait_until("the attempts", "window.results");
    assert_eq!(results["read"], "blocked", "{results}");
    assert_eq!(results["stream"], "blocked", "{results}");
    // The no-cors writes went out (with the cookie: the two ports are one site) and the
    // server refused them.
    assert_eq!(results["readAll"], "sent", "{results}");
    // A plain form post, which needs no script and no CORS, is refused too.
    browser.run("document.getElementById('form').submit()", json!([]));
    browser.wait_until(
        "the refusal",
        "document.body.innerText.includes('forbidden')",
    );
    assert!(server.inbox().iter().all(|n| n.read_at.is_none()));
    let prefs = server.notif(&["prefs", "--json"]).run().success().json();
    assert_eq!(prefs["inApp"], true);
}
