//! Test fixtures shared by the state-machine and render tests: a fixed clock, an app
//! with a loaded inbox, and key presses.

use std::time::Instant;

use chrono::{DateTime, TimeDelta, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::{App, Msg, Snapshot, Toasts};
use crate::api::types::{Notification, NotificationType};

/// The wall clock of every test: 2026-11-24 06:20:00 UTC.
pub fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-24T06:20:00Z")
        .expect("constant timestamp")
        .with_timezone(&Utc)
}

/// A notification of `kind` created `mins` minutes before [`now`].
pub fn note(id: &str, kind: NotificationType, title: &str, mins: i64) -> Notification {
    Notification {
        id: id.to_owned(),
        user_id: "alice".to_owned(),
        kind,
        title: title.to_owned(),
        body: None,
        link: None,
        category: None,
        read_at: None,
        created_at: now() - TimeDelta::minutes(mins),
    }
}

/// The same notification, read 30 s before [`now`].
pub fn read(mut n: Notification) -> Notification {
    n.read_at = Some(now() - TimeDelta::seconds(30));
    n
}

/// A small realistic inbox: three unread, two read.
pub fn sample() -> Vec<Notification> {
    let mut deploy = note("n5", NotificationType::Success, "Deploy finished", 2);
    deploy.body = Some("web-1 is on v2.3.1; web-2 follows in the next window.".into());
    deploy.link = Some("https://ci.example.com/runs/42".into());
    deploy.category = Some("deploy".into());
    let mut disk = note(
        "n4",
        NotificationType::Error,
        "Disk almost full on db-1",
        14,
    );
    disk.category = Some("ops".into());
    let mut cert = note(
        "n3",
        NotificationType::Warning,
        "Certificate expires in 7 days",
        180,
    );
    cert.category = Some("security".into());
    let backup = read(note(
        "n2",
        NotificationType::Info,
        "Nightly backup done",
        600,
    ));
    let welcome = read(note(
        "n1",
        NotificationType::Info,
        "Welcome to notif",
        3 * 24 * 60,
    ));
    vec![deploy, disk, cert, backup, welcome]
}

/// An app for `http://127.0.0.1:8787`, user alice, whose first sync brought `items`.
pub fn app_with(items: Vec<Notification>, next_cursor: Option<&str>) -> App {
    let (mut app, _) = App::new(
        "http://127.0.0.1:8787".into(),
        Toasts::On,
        Instant::now(),
        now(),
    );
    app.handle(Msg::Me(Ok("alice".into())));
    let unread_count = items.iter().filter(|n| n.read_at.is_none()).count() as u64;
    let snapshot = Snapshot {
        notifications: items,
        next_cursor: next_cursor.map(str::to_owned),
        unread_count,
    };
    app.handle(Msg::Synced {
        generation: 1,
        result: Ok(snapshot),
    });
    app
}

/// A key press message.
pub fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// A plain character key press.
pub fn ch(c: char) -> Msg {
    key(KeyCode::Char(c))
}
