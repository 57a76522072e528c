//! Desktop toasts end to end: a private `dbus-daemon --session` with a fake
//! `org.freedesktop.Notifications` service, the real `notif tui` in a pseudo-terminal
//! and a real server. A notification sent to the server reaches the fake as a toast
//! with its title as summary and the urgency of its type; a burst becomes one toast.
#![allow(clippy::unwrap_used)]

mod tui_support;

use std::sync::mpsc::Receiver;

use notif::api::NotifyRequest;
use notif::api::types::NotificationType;
use tui_support::dbus::{SessionBus, Toast, serve_fake};
use tui_support::{Alice, PATIENCE, Tui, api};

/// Sends a notification of `kind` through the API.
async fn send(server: &Alice, title: &str, kind: NotificationType, key: &str) {
    let mut request = NotifyRequest::new(title);
    request.kind = Some(kind);
    request.body = Some(format!("body of {title}"));
    api(server).notify(&request, key).await.unwrap();
}

fn next(toasts: &Receiver<Toast>) -> Toast {
    toasts
        .recv_timeout(PATIENCE)
        .expect("no toast reached the notification service")
}

#[test]
fn new_notifications_become_toasts_with_the_urgency_of_their_type() {
    let server = Alice::start();
    let bus = SessionBus::start(server.dir());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (_service, toasts) = runtime.block_on(serve_fake(&bus.address));
    let tui = Tui::start(&server, Some(&bus.address), &[]);
    tui.wait_for_text("● connected");

    for (title, kind, urgency) in [
        ("Disk full on db-1", NotificationType::Error, 2),
        ("Certificate expires soon", NotificationType::Warning, 1),
        ("Deploy finished", NotificationType::Success, 0),
    ] {
        runtime.block_on(send(&server, title, kind, title));
        let toast = next(&toasts);
        assert_eq!(toast.summary, title);
        assert_eq!(toast.body, format!("body of {title}"));
        assert_eq!(toast.urgency, Some(urgency), "{title}");
        assert_eq!(toast.app, "notif");
    }

    // A burst of six: sent at once, shown as summaries counting all six.
    let server = &server;
    runtime.block_on(async {
        let sends = (0..6).map(|i| {
            let title = format!("burst {i}");
            async move { send(server, &title, NotificationType::Info, &title).await }
        });
        futures_util::future::join_all(sends).await;
    });
    let mut counted = 0;
    let mut shown = Vec::new();
    while counted < 6 {
        let toast = next(&toasts);
        let n: usize = toast
            .summary
            .strip_suffix(" new notifications")
            .unwrap_or_else(|| panic!("not a summary: {toast:?} after {shown:?}"))
            .parse()
            .unwrap();
        counted += n;
        shown.push(toast.summary);
    }
    assert_eq!(counted, 6, "{shown:?}");
    assert!(shown.len() < 6, "{shown:?}");
    assert!(tui.contents().contains("burst 5"));
}

#[test]
fn no_toast_turns_them_off() {
    let server = Alice::start();
    let bus = SessionBus::start(server.dir());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (_service, toasts) = runtime.block_on(serve_fake(&bus.address));
    let quiet = Tui::start(&server, Some(&bus.address), &["--no-toast"]);
    let mut loud = Tui::start(&server, Some(&bus.address), &[]);
    for tui in [&quiet, &loud] {
        tui.wait_for_text("● connected");
    }
    quiet.wait_for_text("no toasts");
    runtime.block_on(send(&server, "Quiet please", NotificationType::Error, "q"));
    quiet.wait_for_text("Quiet please");
    // A later notification's toast from the other TUI comes after any toast the quiet
    // one could have raised for the first.
    runtime.block_on(send(&server, "Marker", NotificationType::Info, "m"));
    let mut seen = Vec::new();
    while seen.last().is_none_or(|t: &Toast| t.summary != "Marker") {
        seen.push(next(&toasts));
    }
    let quiet_toasts = seen.iter().filter(|t| t.summary == "Quiet please").count();
    assert_eq!(
        quiet_toasts, 1,
        "only the TUI without --no-toast raises toasts: {seen:?}"
    );

    loud.keys("\x03");
    assert!(loud.wait_exit().success(), "Ctrl-C exits with status 0");
    loud.wait_restored();
}
