//! The web inbox and `<notif-bell>` in a real headless Chromium (Debian's `chromium` driven
//! through `chromium-driver`): signing in, live updates, actions seen elsewhere, system
//! notifications, reconnects, preferences, logging out, cross-site protection and the bell
//! on another origin. The run also takes the README's screenshots.

mod origin;
mod webdriver;

use serde_json::json;

use origin::OtherOrigin;
use webdriver::Browser;

/// The harness itself: Chromium starts headless, runs a module script, and follows the
/// emulated colour scheme (which the screenshots rely on).
#[test]
fn the_browser_runs_modules_and_follows_the_colour_scheme() {
    let page = OtherOrigin::serve(
        "<!doctype html><title>before</title>\
         <script type=module>document.title = matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';</script>"
            .to_owned(),
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
