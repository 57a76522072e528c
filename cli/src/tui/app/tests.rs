//! The state machine, driven by synthetic keys (stream events: [`stream_events`]).

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::api::types::{NotificationType, Page, ReadAll};
use crate::tui::fixtures::{app_with, ch, key, note, now, read, sample};

fn ids(app: &App) -> Vec<&str> {
    app.visible().iter().map(|n| n.id.as_str()).collect()
}

fn selected(app: &App) -> &str {
    app.selected().map(|n| n.id.as_str()).unwrap_or("-")
}

fn event(e: StreamEvent) -> Msg {
    Msg::Stream(StreamMsg::Event(e))
}

mod stream_events;

#[test]
fn starting_asks_for_the_user_and_a_first_sync() {
    let (app, effects) = App::new("http://x".into(), Toasts::On, Instant::now(), now());
    assert_eq!(
        effects,
        [
            Effect::LoadMe,
            Effect::Sync {
                generation: 1,
                want: 100
            }
        ]
    );
    assert!(!app.loaded);
    assert_eq!(app.connection, Connection::Connecting);
}

#[test]
fn the_snapshot_fills_the_list_unread_first() {
    let app = app_with(sample(), None);
    assert!(app.loaded);
    assert_eq!(app.unread_count, Some(3));
    assert_eq!(ids(&app), ["n5", "n4", "n3", "n2", "n1"]);
    assert_eq!(selected(&app), "n5");
}

#[test]
fn movement_keys_stay_inside_the_list() {
    let mut app = app_with(sample(), None);
    app.handle(Msg::Resize { list_rows: 2 });
    app.handle(ch('j'));
    app.handle(key(KeyCode::Down));
    assert_eq!(selected(&app), "n3");
    assert_eq!(app.offset(), 1, "scrolled to keep the selection visible");
    app.handle(ch('G'));
    assert_eq!(selected(&app), "n1");
    app.handle(ch('j'));
    assert_eq!(selected(&app), "n1");
    app.handle(key(KeyCode::PageUp));
    assert_eq!(selected(&app), "n3");
    app.handle(ch('g'));
    app.handle(ch('k'));
    assert_eq!(selected(&app), "n5");
    assert_eq!(app.offset(), 0);
    app.handle(key(KeyCode::PageDown));
    assert_eq!(selected(&app), "n3");
}

#[test]
fn enter_opens_the_link_and_marks_read() {
    let mut app = app_with(sample(), None);
    let effects = app.handle(key(KeyCode::Enter));
    assert_eq!(
        effects,
        [
            Effect::OpenLink("https://ci.example.com/runs/42".into()),
            Effect::MarkRead("n5".into())
        ]
    );
    assert_eq!(app.in_flight, 2);
    app.handle(ch('j'));
    assert_eq!(app.handle(ch('o')), [Effect::MarkRead("n4".into())]);
    assert!(
        app.status
            .as_ref()
            .is_some_and(|s| s.text.contains("no link"))
    );
}

#[test]
fn r_toggles_and_the_result_updates_list_and_count() {
    let mut app = app_with(sample(), None);
    assert_eq!(app.handle(ch('r')), [Effect::MarkRead("n5".into())]);
    app.handle(Msg::Done(Ok(Outcome::Updated(read(sample().remove(0))))));
    assert_eq!(app.unread_count, Some(2));
    assert_eq!(
        selected(&app),
        "n5",
        "the selection follows the notification"
    );
    assert_eq!(app.handle(ch('r')), [Effect::MarkUnread("n5".into())]);
    // The server's own event for our change does not count twice.
    app.handle(event(StreamEvent::Read {
        ids: vec!["n5".into()],
        unread_count: 2,
    }));
    assert_eq!(app.unread_count, Some(2));
}

#[test]
fn a_marks_all_read() {
    let mut app = app_with(sample(), None);
    assert_eq!(app.handle(ch('A')), [Effect::ReadAll]);
    app.handle(Msg::Done(Ok(Outcome::ReadAll(ReadAll {
        updated: 3,
        unread_count: 0,
    }))));
    assert_eq!(app.unread_count, Some(0));
    assert_eq!(app.inbox.loaded_unread(), 0);
    assert_eq!(app.status.as_ref().unwrap().text, "marked 3 read");
}

#[test]
fn delete_asks_first() {
    let mut app = app_with(sample(), None);
    assert!(app.handle(ch('d')).is_empty());
    assert!(matches!(app.mode, Mode::ConfirmDelete { ref id, .. } if id == "n5"));
    app.handle(ch('x'));
    assert!(
        matches!(app.mode, Mode::ConfirmDelete { .. }),
        "other keys are ignored"
    );
    assert!(app.handle(ch('n')).is_empty());
    assert_eq!(app.mode, Mode::Normal);
    app.handle(ch('d'));
    assert_eq!(app.handle(ch('y')), [Effect::Delete("n5".into())]);
    app.handle(Msg::Done(Ok(Outcome::Deleted("n5".into()))));
    assert_eq!(ids(&app), ["n4", "n3", "n2", "n1"]);
    assert_eq!(app.unread_count, Some(2));
}

#[test]
fn a_failed_action_shows_the_message_and_drops_what_the_server_lacks() {
    let mut app = app_with(sample(), None);
    let failure = Failure {
        action: "delete",
        id: Some("n4".into()),
        message: "notification not found".into(),
        not_found: true,
    };
    app.handle(Msg::Done(Err(failure)));
    let status = app.status.clone().unwrap();
    assert!(status.error);
    assert_eq!(status.text, "delete failed: notification not found");
    assert_eq!(ids(&app), ["n5", "n3", "n2", "n1"]);
    let failure = Failure {
        action: "mark read",
        id: Some("n3".into()),
        message: "server is shutting down".into(),
        not_found: false,
    };
    app.handle(Msg::Done(Err(failure)));
    assert_eq!(
        ids(&app),
        ["n5", "n3", "n2", "n1"],
        "the list stays as the server has it"
    );
}

#[test]
fn u_and_slash_filter_the_list() {
    let mut app = app_with(sample(), None);
    app.handle(ch('u'));
    assert_eq!(ids(&app), ["n5", "n4", "n3"]);
    app.handle(ch('u'));
    app.handle(ch('/'));
    assert_eq!(app.mode, Mode::Filter);
    for c in "BACK".chars() {
        app.handle(ch(c));
    }
    assert_eq!(ids(&app), ["n2"]);
    app.handle(key(KeyCode::Backspace));
    assert_eq!(app.filter, "BAC");
    app.handle(key(KeyCode::Enter));
    assert_eq!((app.mode.clone(), ids(&app)), (Mode::Normal, vec!["n2"]));
    app.handle(key(KeyCode::Esc));
    assert_eq!(ids(&app).len(), 5);
    app.handle(ch('/'));
    app.handle(ch('z'));
    app.handle(key(KeyCode::Esc));
    assert_eq!((app.mode.clone(), app.filter.as_str()), (Mode::Normal, ""));
}

#[test]
fn help_opens_and_any_key_closes_it() {
    let mut app = app_with(sample(), None);
    app.handle(ch('?'));
    assert_eq!(app.mode, Mode::Help);
    app.handle(ch('q'));
    assert_eq!(app.mode, Mode::Normal);
    assert!(!app.quit, "q closes the help first");
}

#[test]
fn q_and_ctrl_c_quit() {
    let mut app = app_with(sample(), None);
    app.handle(ch('q'));
    assert!(app.quit);
    let mut app = app_with(sample(), None);
    app.handle(ch('/'));
    app.handle(Msg::Key(KeyEvent::new(
        KeyCode::Char('c'),
        KeyModifiers::CONTROL,
    )));
    assert!(app.quit);
}

#[test]
fn older_pages_load_near_the_end_once() {
    let items: Vec<_> = (0..30)
        .map(|i| read(note(&format!("n{i:02}"), NotificationType::Info, "t", i)))
        .collect();
    let mut app = app_with(items, Some("c1"));
    assert!(app.handle(ch('j')).is_empty(), "far from the end");
    let effects = app.handle(ch('G'));
    assert_eq!(
        effects,
        [Effect::LoadPage {
            generation: 1,
            cursor: "c1".into()
        }]
    );
    assert!(app.handle(ch('k')).is_empty(), "already loading");
    let older = (30..40)
        .map(|i| read(note(&format!("n{i:02}"), NotificationType::Info, "t", i)))
        .collect();
    let page = Page {
        notifications: older,
        unread_count: 0,
        next_cursor: None,
    };
    app.handle(Msg::PageLoaded {
        generation: 1,
        result: Ok(page),
    });
    assert_eq!(app.visible().len(), 40);
    assert_eq!(selected(&app), "n28");
    assert!(app.handle(ch('G')).is_empty(), "nothing more to load");
}

#[test]
fn status_messages_expire() {
    let mut app = app_with(sample(), None);
    app.handle(Msg::Done(Ok(Outcome::Opened("https://x".into()))));
    let later = app.clock + Duration::from_secs(10);
    app.handle(Msg::Tick {
        clock: later,
        now: now(),
    });
    assert_eq!(app.status, None);
}
