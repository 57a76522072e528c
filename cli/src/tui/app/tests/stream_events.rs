//! The state machine driven by stream events: new notifications, read and deleted
//! events, and reconnects.

use std::time::{Duration, Instant};

use super::super::*;
use super::{event, ids, selected};
use crate::api::types::NotificationType;
use crate::tui::fixtures::{app_with, ch, note, sample};
use crate::tui::toast::Urgency;

#[test]
fn a_new_notification_goes_on_top_counts_and_toasts() {
    let mut app = app_with(sample(), None);
    app.handle(ch('j'));
    let mut n = note("n6", NotificationType::Error, "Build failed", 0);
    n.body = Some("main is red".into());
    let effects = app.handle(event(StreamEvent::Notification {
        seq: 6,
        notification: n,
    }));
    assert_eq!(ids(&app)[0], "n6");
    assert_eq!(app.unread_count, Some(4));
    assert_eq!(
        selected(&app),
        "n4",
        "the selection stays on the same notification"
    );
    let [Effect::Toast(toast)] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(
        (toast.summary.as_str(), toast.body.as_str()),
        ("Build failed", "main is red")
    );
    assert_eq!(toast.urgency, Urgency::Critical);
}

#[test]
fn toasts_follow_the_type_and_can_be_off() {
    let mut app = app_with(vec![], None);
    let urgency = |app: &mut App, kind, id: &str| {
        let n = note(id, kind, "t", 0);
        match app
            .handle(event(StreamEvent::Notification {
                seq: 1,
                notification: n,
            }))
            .as_slice()
        {
            [Effect::Toast(t)] => Some(t.urgency),
            [] => None,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(
        urgency(&mut app, NotificationType::Warning, "a"),
        Some(Urgency::Normal)
    );
    assert_eq!(
        urgency(&mut app, NotificationType::Info, "b"),
        Some(Urgency::Low)
    );
    assert_eq!(
        urgency(&mut app, NotificationType::Success, "c"),
        Some(Urgency::Low)
    );
    app.handle(Msg::ToastsUnavailable("no session bus".into()));
    assert_eq!(app.toasts, Toasts::Unavailable);
    assert!(
        app.status
            .as_ref()
            .is_some_and(|s| s.text.contains("no session bus"))
    );
    assert_eq!(urgency(&mut app, NotificationType::Error, "d"), None);
}

#[test]
fn read_events_apply_in_the_direction_of_the_count() {
    let mut app = app_with(sample(), None);
    app.handle(event(StreamEvent::Read {
        ids: vec!["n5".into()],
        unread_count: 2,
    }));
    assert!(app.inbox.get("n5").unwrap().read_at.is_some());
    assert_eq!(ids(&app), ["n4", "n3", "n5", "n2", "n1"]);
    app.handle(event(StreamEvent::Read {
        ids: vec!["n1".into()],
        unread_count: 3,
    }));
    assert!(app.inbox.get("n1").unwrap().read_at.is_none());
    assert_eq!(app.unread_count, Some(3));
}

#[test]
fn an_unloaded_id_marked_unread_triggers_a_sync() {
    let mut app = app_with(sample(), Some("more"));
    let effects = app.handle(event(StreamEvent::Read {
        ids: vec!["far-away".into()],
        unread_count: 4,
    }));
    assert_eq!(
        effects,
        [Effect::Sync {
            generation: 2,
            want: 100
        }]
    );
}

#[test]
fn deleted_events_remove_and_keep_the_row() {
    let mut app = app_with(sample(), None);
    app.handle(ch('j'));
    app.handle(event(StreamEvent::Deleted {
        id: "n4".into(),
        unread_count: 2,
    }));
    assert_eq!(ids(&app), ["n5", "n3", "n2", "n1"]);
    assert_eq!(selected(&app), "n3");
    assert_eq!(app.unread_count, Some(2));
}

#[test]
fn a_reconnect_resyncs_and_replays_what_arrived_meanwhile() {
    let mut app = app_with(sample(), None);
    let retry_at = Instant::now() + Duration::from_secs(4);
    app.handle(Msg::Stream(StreamMsg::Reconnecting {
        retry_at,
        reason: "reset".into(),
    }));
    assert!(matches!(app.connection, Connection::Reconnecting { .. }));
    let effects = app.handle(Msg::Stream(StreamMsg::Connected));
    assert_eq!(
        effects,
        [Effect::Sync {
            generation: 2,
            want: 100
        }]
    );
    assert_eq!(app.connection, Connection::Connected);
    // While the sync is in flight: a resumed notification and a deletion.
    let new = note("n7", NotificationType::Info, "Sent while away", 0);
    app.handle(event(StreamEvent::Notification {
        seq: 7,
        notification: new.clone(),
    }));
    app.handle(event(StreamEvent::Deleted {
        id: "n3".into(),
        unread_count: 3,
    }));
    // The snapshot was taken before both and still has n3, and not n7.
    let mut stale = sample();
    stale.remove(0);
    let snapshot = Snapshot {
        notifications: stale,
        next_cursor: None,
        unread_count: 2,
    };
    app.handle(Msg::Synced {
        generation: 2,
        result: Ok(snapshot),
    });
    assert_eq!(ids(&app), ["n7", "n4", "n2", "n1"]);
    assert_eq!(app.unread_count, Some(3));
    // A late answer to an older sync changes nothing.
    let old = Snapshot {
        notifications: sample(),
        next_cursor: None,
        unread_count: 3,
    };
    app.handle(Msg::Synced {
        generation: 1,
        result: Ok(old),
    });
    assert_eq!(ids(&app), ["n7", "n4", "n2", "n1"]);
}
