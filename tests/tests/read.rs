//! `notif read`, `unread`, `read-all` and `rm`, with full ids and prefixes.

use crate::util::{Alice, AliceApi, block_on};

#[test]
fn read_and_unread_by_prefix() {
    let server = Alice::start();
    let id = server.seed("hello");
    let prefix = &id[..6];
    let run = server.notif(&["read", prefix, "--json"]).succeeds();
    let v = run.json();
    assert_eq!(v[0]["id"], id.as_str(), "{}", run.explain());
    assert!(v[0]["readAt"].is_string());
    assert!(server.inbox()[0].read_at.is_some());

    server
        .notif(&["unread", &id[..8]])
        .succeeds()
        .stdout_has(&id);
    assert!(server.inbox()[0].read_at.is_none());
}

#[test]
fn read_takes_several_full_ids() {
    let server = Alice::start();
    let a = server.seed("a");
    let b = server.seed("b");
    server.notif(&["read", &a, &b]).succeeds();
    assert!(server.inbox().iter().all(|n| n.read_at.is_some()));
}

#[test]
fn read_all_marks_everything() {
    let server = Alice::start();
    server.seed("a");
    server.seed("b");
    server
        .notif(&["read-all"])
        .succeeds()
        .stdout_has("2 notifications");
    let v = server.notif(&["read-all", "--json"]).succeeds().json();
    assert_eq!(v, serde_json::json!({"updated": 0, "unreadCount": 0}));
    assert!(server.inbox().iter().all(|n| n.read_at.is_some()));
}

#[test]
fn rm_deletes_by_prefix() {
    let server = Alice::start();
    let keep = server.seed("keep");
    let gone = server.seed("gone");
    server
        .notif(&["rm", &gone[..7]])
        .succeeds()
        .stdout_has(&gone);
    let inbox = server.inbox();
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].id, keep);
    let v = server.notif(&["rm", &keep, "--json"]).succeeds().json();
    assert_eq!(v, serde_json::json!({"deleted": [keep]}));
}

#[test]
fn unknown_ids_are_not_found() {
    let server = Alice::start();
    server.seed("a");
    server.notif(&["read", "zzzzzzzzzz"]).run().code(4);
    server
        .notif(&["rm", "zzzzzzzzzzzzzzzzzzzzzzzz"])
        .run()
        .code(4);
}

#[test]
fn short_prefixes_are_usage_errors() {
    let server = Alice::start();
    let id = server.seed("a");
    server.notif(&["read", &id[..5]]).fails(2, "at least 6");
}

#[test]
fn another_users_notification_is_not_found() {
    let server = Alice::start();
    let bob = server.add_user("bob");
    let id = server.seed("alice's");
    server.notif_as(&bob, &["rm", &id]).run().code(4);
    assert_eq!(
        block_on(server.api().list(&Default::default()))
            .unwrap()
            .notifications
            .len(),
        1
    );
}
