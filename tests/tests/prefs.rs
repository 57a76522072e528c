//! `notif prefs`: show, set (global and per category), unset.

use crate::util::{Alice, AliceApi};
use serde_json::json;

#[test]
fn defaults_then_set_and_unset() {
    let server = Alice::start();
    let v = server.notif(&["prefs", "--json"]).succeeds().json();
    assert_eq!(v, json!({"inApp": true, "email": true, "categories": {}}));
    server.notif(&["prefs"]).succeeds().stdout_has("in-app  on");

    let v = server
        .notif(&["prefs", "set", "--email", "off", "--json"])
        .succeeds()
        .json();
    assert_eq!(v["email"], false);
    assert_eq!(v["inApp"], true);

    let run = server
        .notif(&[
            "prefs",
            "set",
            "--category",
            "deploy",
            "--in-app",
            "off",
            "--json",
        ])
        .succeeds();
    assert_eq!(
        run.json()["categories"]["deploy"]["inApp"],
        false,
        "{}",
        run.explain()
    );
    server.notif(&["prefs"]).succeeds().stdout_has("deploy");

    let v = server
        .notif(&["prefs", "unset", "--category", "deploy", "--json"])
        .succeeds()
        .json();
    assert_eq!(v["categories"], json!({}));
    assert_eq!(v["email"], false, "unset keeps the global flags");
}

#[test]
fn category_preference_stops_in_app_delivery() {
    let server = Alice::start();
    server
        .notif(&["prefs", "set", "--category", "noise", "--in-app", "off"])
        .succeeds();
    let run = server
        .notif(&["send", "muted", "--category", "noise", "--json"])
        .succeeds();
    assert_eq!(
        run.json()["notification"],
        serde_json::Value::Null,
        "{}",
        run.explain()
    );
    assert!(server.inbox().is_empty());
}

#[test]
fn set_without_flags_is_a_usage_error() {
    let server = Alice::start();
    server.notif(&["prefs", "set"]).run().code(2);
}
