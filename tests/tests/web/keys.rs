//! The keyboard (the same keys as `notif tui`), the filters, paging over the cursor, and
//! the page's own unit rules (the pure modules, run in the browser).

use serde_json::json;

use super::{row, signed_in, titles};
use crate::util::{Alice, AliceApi};

#[test]
fn keys_filter_search_and_show_the_help() {
    let server = Alice::start();
    server.seed("plain");
    server
        .notif(&[
            "send",
            "Deploy finished",
            "--category",
            "deploy",
            "--type",
            "success",
        ])
        .run()
        .success();
    let read = server.seed("already read");
    server.notif(&["read", &read]).run().success();
    let browser = signed_in(&server, 1280);
    browser.wait_until("the list", &row("already read"));

    browser.press("u");
    browser.wait_until(
        "unread only",
        "document.getElementById('filter-unread').checked && document.querySelectorAll('#list .item').length === 2",
    );
    browser.press("u");
    browser.wait_until(
        "everything",
        "document.querySelectorAll('#list .item').length === 3",
    );

    browser.press("/");
    browser.wait_until(
        "the search field focused",
        "document.activeElement === document.getElementById('filter-q')",
    );
    browser.press("deploy\u{e007}"); // Enter
    browser.wait_until(
        "the search applied",
        "document.querySelectorAll('#list .item').length === 1",
    );
    assert_eq!(titles(&browser), ["Deploy finished"]);
    browser.press("\u{e00c}"); // Escape
    browser.wait_until(
        "the search cleared",
        "document.querySelectorAll('#list .item').length === 3",
    );

    browser.run("document.getElementById('filter-type').value = 'SUCCESS'; document.getElementById('filter-type').dispatchEvent(new Event('change'))", json!([]));
    browser.wait_until(
        "the type filter",
        "document.querySelectorAll('#list .item').length === 1",
    );
    browser.run("document.getElementById('filter-type').value = ''; document.getElementById('filter-type').dispatchEvent(new Event('change'))", json!([]));
    browser.wait_until(
        "everything",
        "document.querySelectorAll('#list .item').length === 3",
    );

    browser.run("document.activeElement.blur()", json!([]));
    browser.press("?");
    browser.wait_until("the help", "document.getElementById('help').open");
}

#[test]
fn the_list_pages_through_the_cursor_as_it_scrolls() {
    let server = Alice::start();
    let client = server.api();
    for i in 0..75 {
        let req = notif::api::NotifyRequest::new(format!("n{i:02}"));
        crate::util::block_on(client.notify(&req, &format!("page-{i}"))).unwrap();
    }
    let browser = signed_in(&server, 1280);
    browser.wait_until(
        "the first page",
        "document.querySelectorAll('#list .item').length >= 50",
    );
    browser.run(
        "document.getElementById('list-end').scrollIntoView()",
        json!([]),
    );
    browser.wait_until(
        "every page",
        "document.querySelectorAll('#list .item').length === 75 && document.getElementById('list-status').textContent === 'That is all.'",
    );
    let shown = titles(&browser);
    let expected: Vec<String> = (0..75).rev().map(|i| format!("n{i:02}")).collect();
    assert_eq!(shown, expected);
}

#[test]
fn the_page_is_labelled_for_keyboards_and_screen_readers() {
    let server = Alice::start();
    server.seed("hello");
    let browser = signed_in(&server, 1280);
    let problems = browser.run(
        r##"
        const problems = [];
        for (const landmark of ["header", "main", "nav"]) {
          if (!document.querySelector(landmark)) problems.push("no " + landmark);
        }
        for (const control of document.querySelectorAll("input, select")) {
          if (control.labels.length === 0 && !control.getAttribute("aria-label")) problems.push("unlabelled " + control.id);
        }
        for (const button of document.querySelectorAll("button")) {
          if (!(button.getAttribute("aria-label") || button.textContent.trim())) problems.push("nameless button");
        }
        if (!document.getElementById("connection").getAttribute("role")) problems.push("silent connection indicator");
        const head = document.querySelector("#list .item-head");
        head.focus();
        if (getComputedStyle(head).outlineStyle === "none") problems.push("no visible focus");
        return problems;
        "##,
        json!([]),
    );
    assert_eq!(problems, json!([]));
}

#[test]
fn the_pure_modules_keep_their_rules() {
    let server = Alice::start();
    let browser = signed_in(&server, 1280);
    let failures = browser.run_async(
        r##"
        const done = arguments[arguments.length - 1];
        const failures = [];
        const check = (what, ok) => { if (!ok) failures.push(what); };
        const { Inbox, matches } = await import("/assets/inbox-state.js");
        const { Coalescer } = await import("/assets/coalesce.js");
        const { relativeTime } = await import("/assets/time.js");
        const n = (id, readAt = null, extra = {}) => ({ id, title: id, type: "INFO", readAt, createdAt: "2026-01-01T00:00:00.000Z", ...extra });

        const inbox = new Inbox();
        const generation = inbox.reload();
        inbox.event("notification", n("early"), 0);
        inbox.loaded(generation, { notifications: [n("a"), n("b", "2026-01-01T00:00:00.000Z")], nextCursor: null, unreadCount: 1 });
        check("events during a load apply after it", inbox.items.map((x) => x.id).join() === "early,a,b" && inbox.unreadCount === 2);
        inbox.event("read", { ids: ["a"], unreadCount: 1 }, 0);
        check("a falling count means read", inbox.find("a").readAt !== null);
        inbox.event("read", { ids: ["a"], unreadCount: 1 }, 0);
        check("an unchanged count changes nothing", inbox.find("a").readAt !== null);
        inbox.event("read", { ids: ["b"], unreadCount: 2 }, 0);
        check("a rising count means unread", inbox.find("b").readAt === null);
        inbox.event("notification", n("a"), 0);
        check("a replayed notification is not counted twice", inbox.unreadCount === 2 && inbox.items.length === 3);
        inbox.selectedId = "a";
        inbox.event("deleted", { id: "a", unreadCount: 2 }, 0);
        check("deleting the selection selects the next", inbox.selectedId === "b");
        inbox.move(5);
        check("the selection stays in the list", inbox.selectedId === "b");
        inbox.move(-5);
        check("k goes to the top", inbox.selectedId === "early");
        const stale = inbox.reload();
        inbox.reload();
        inbox.loaded(stale, { notifications: [], nextCursor: null, unreadCount: 0 });
        check("an old answer is dropped", inbox.loading);
        const again = new Inbox();
        const first = again.reload();
        again.event("unread", { unreadCount: 5 }, 0);
        const second = again.reload();
        again.loaded(first, { notifications: [], nextCursor: null, unreadCount: 5 });
        again.loaded(second, { notifications: [n("c")], nextCursor: null, unreadCount: 1 });
        check("what came before a reload is in its answer", again.unreadCount === 1 && again.items.length === 1);
        const late = new Inbox();
        const loading = late.reload();
        late.event("read", { ids: ["x"], unreadCount: 0 }, 0);
        late.event("notification", n("y"), 0);
        late.loaded(loading, { notifications: [n("y")], nextCursor: null, unreadCount: 1 });
        check("a notification after an older count is counted, listed or not", late.unreadCount === 1 && late.items.length === 1);

        check("search needs every word", matches({ q: "disk DB" }, n("x", null, { title: "Disk full", body: "on db-2" })) && !matches({ q: "disk cpu" }, n("x", null, { title: "Disk" })));
        check("unread only", !matches({ unread: true }, n("x", "2026-01-01T00:00:00.000Z")));

        const burst = new Coalescer();
        for (let i = 0; i < 5; i++) burst.push(i, i * 10);
        const out = burst.flush(5000);
        check("more than three in two seconds make one", out.length === 1 && out[0].summary === 5);
        const few = new Coalescer();
        few.push("x", 0);
        few.push("y", 10);
        check("not before the quiet time", few.flush(100).length === 0);
        check("then one each", few.flush(300).length === 2);

        check("relative time", relativeTime("2026-01-01T00:00:00Z", Date.parse("2026-01-01T03:00:00Z")) === "3 h ago" && relativeTime("2026-01-01T00:00:00Z", Date.parse("2026-01-01T00:00:05Z")) === "just now");
        done(failures);
        "##,
        json!([]),
    );
    assert_eq!(failures, json!([]));
}
