//! End to end: the real `notif tui` in a pseudo-terminal against a real server.
//! A notification sent with `notif send` appears on screen, `A` zeroes the unread
//! count on the server, `q` exits 0 and gives the terminal back.
#![allow(clippy::unwrap_used)]

mod tui_support;

use notif::api::ListQuery;
use tui_support::{Alice, Tui, api, cooked};

#[test]
fn send_appears_read_all_reaches_the_server_and_q_restores_the_terminal() {
    let server = Alice::start();
    // No D-Bus session: the TUI works on and says once that toasts are unavailable.
    let mut tui = Tui::start(&server, None, &[]);
    tui.wait_for_text("No notifications yet");
    tui.wait_for_text("● connected");
    tui.wait_for_text("desktop toasts unavailable");
    assert!(
        tui.stty().split_whitespace().any(|f| f == "-icanon"),
        "raw mode while running"
    );

    server
        .notif(notif_tests::cli::SEND_DEPLOY_FINISHED)
        .run()
        .success();
    tui.wait_for_text("Deploy finished");
    tui.wait_for_text("1 unread");

    tui.keys("A");
    tui.wait_for_text("0 unread");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let page = runtime
        .block_on(api(&server).list(&ListQuery::default()))
        .unwrap();
    assert_eq!(page.unread_count, 0, "read-all reached the server");
    assert!(page.notifications.iter().all(|n| n.read_at.is_some()));

    tui.keys("q");
    let status = tui.wait_exit();
    assert!(
        status.success(),
        "notif tui exited with {status:?}:\n{}",
        tui.contents()
    );
    tui.wait_restored();
    assert!(cooked(&tui.stty()), "raw mode left on:\n{}", tui.stty());
}

#[test]
fn a_refused_token_exits_3_before_taking_the_terminal() {
    let server = Alice::start();
    let run = server.notif_as("not-a-token", &["tui"]).run();
    assert_eq!(run.code, 3, "{}", run.explain());
    assert!(run.stderr.starts_with("error: "), "{}", run.explain());
}
