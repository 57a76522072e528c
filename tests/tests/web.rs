//! The web inbox and `<notif-bell>` in a real headless Chromium (Debian's `chromium` driven
//! through `chromium-driver`): signing in, live updates, actions seen elsewhere, system
//! notifications, reconnects, preferences, logging out, cross-site protection and the bell
//! on another origin. The run also takes the README's screenshots.

mod bell;
mod cross_site;
mod keys;
mod live;
mod origin;
mod prefs;
mod quickstart;
mod screenshots;
mod session;
mod system_notifications;
mod webdriver;

use serde_json::{Value, json};

use crate::util::Alice;
use origin::OtherOrigin;
use webdriver::Browser;

/// Holds back every `EventSource` a page opens until the page calls `releaseStreams()`
/// (installed before the page's own scripts): the stream subscribes only then.
const STREAMS_HELD_BACK: &str = r#"
(() => {
  const Real = window.EventSource;
  let release;
  const released = new Promise((resolve) => { release = resolve; });
  window.releaseStreams = () => release();
  class Held {
    constructor(url, options) {
      this.readyState = Held.CONNECTING;
      this.listeners = [];
      released.then(() => {
        if (this.closed) return;
        const real = (this.real = new Real(url, options));
        const follow = (handler) => (event) => {
          this.readyState = real.readyState;
          this[handler]?.(event);
        };
        real.onopen = follow("onopen");
        real.onerror = follow("onerror");
        for (const [name, listener] of this.listeners) real.addEventListener(name, listener);
      });
    }
    addEventListener(name, listener) {
      this.listeners.push([name, listener]);
      this.real?.addEventListener(name, listener);
    }
    close() {
      this.closed = true;
      this.readyState = Held.CLOSED;
      this.real?.close();
    }
  }
  Held.CONNECTING = 0;
  Held.OPEN = 1;
  Held.CLOSED = 2;
  window.EventSource = Held;
})();
"#;

/// A one-time sign-in URL for alice, as `notif web --print` prints it.
fn login_url(server: &Alice) -> String {
    let run = server.notif(&["web", "--print"]).run().success();
    run.stdout.trim().to_owned()
}

/// A JavaScript expression: the inbox shows, its list loaded.
const LISTED: &str = "!document.getElementById('inbox-view').hidden \
     && document.getElementById('list-status').textContent !== 'Loading…'";

/// Waits for the inbox to show with its stream live.
fn wait_live(browser: &Browser) {
    browser.wait_until(
        "the live inbox",
        &format!("{LISTED} && document.getElementById('connection').dataset.state === 'live'"),
    );
}

/// A browser of 1280 × 900 pixels with `script` installed before each page's own, opening
/// alice's sign-in link from `notif web --print` (it waits for nothing).
fn signing_in_with(server: &Alice, script: &str) -> Browser {
    let browser = Browser::start(1280, 900);
    browser.before_each_page(script);
    browser.goto(&login_url(server));
    browser
}

/// A browser of `width` × `height` pixels that opened `url` (a sign-in link or the inbox of
/// a signed-in browser) and shows the live inbox.
fn open_live(url: &str, width: u32, height: u32) -> Browser {
    let browser = Browser::start(width, height);
    browser.goto(url);
    wait_live(&browser);
    browser
}

/// A browser `width` pixels wide, signed in to `server` as alice through `notif web
/// --print`, showing the live inbox.
fn signed_in(server: &Alice, width: u32) -> Browser {
    open_live(&login_url(server), width, 900)
}

/// The titles in the list, top to bottom.
fn titles(browser: &Browser) -> Vec<String> {
    let value = browser.run(
        "return [...document.querySelectorAll('#list .item-title')].map(e => e.textContent)",
        json!([]),
    );
    serde_json::from_value(value).unwrap()
}

/// A JavaScript expression: the list row of the notification titled `title`.
fn row(title: &str) -> String {
    format!(
        "[...document.querySelectorAll('#list .item')].find(li => li.querySelector('.item-title').textContent === {})",
        Value::from(title)
    )
}

/// Clicks the element `selector` picks inside the list row of the notification titled `title`.
fn click_in_row(browser: &Browser, title: &str, selector: &str) {
    browser.run(
        &format!("{}.querySelector('{selector}').click()", row(title)),
        json!([]),
    );
}

/// The header's unread count as the page shows it.
fn shown_unread(browser: &Browser) -> String {
    browser
        .run(
            "return document.getElementById('unread-count').textContent",
            json!([]),
        )
        .as_str()
        .unwrap()
        .to_owned()
}

/// The harness itself: Chromium starts headless, runs a module script, and follows the
/// emulated colour scheme (which the screenshots rely on).
#[test]
fn the_browser_runs_modules_and_follows_the_colour_scheme() {
    let page = OtherOrigin::serve(
        "<!doctype html><title>before</title>\
         <script type=module>document.title = matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';</script>",
    );
    let browser = Browser::start(800, 600);
    browser.color_scheme("dark");
    browser.goto(&page.url);
    browser.wait_until("the module ran", "document.title === 'dark'");
    browser.color_scheme("light");
    browser.goto(&page.url);
    assert_eq!(browser.title(), "light");
    assert_eq!(browser.run("return 1 + 1", json!([])), json!(2));
}
