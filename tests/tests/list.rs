//! `notif list`: plain rows when piped, `--json`, filters, limits and paging.

use crate::util::{Alice, AliceApi, block_on};
use notif::api::{NotificationType, NotifyRequest};

/// Sends `title` with a type and category through the API.
fn send(server: &Alice, title: &str, kind: NotificationType, category: Option<&str>) -> String {
    let mut req = NotifyRequest::new(title);
    req.kind = Some(kind);
    req.category = category.map(str::to_owned);
    let resp = block_on(server.api().notify(&req, &format!("k-{title}"))).unwrap();
    resp.notification.unwrap().id
}

#[test]
fn piped_list_is_tab_separated_unread_first() {
    let server = Alice::start();
    let old = server.seed("old");
    let new = server.seed("new");
    block_on(server.api().mark_read(&new)).unwrap();
    let run = server.notif(&["list"]).run().success();
    let rows: Vec<Vec<&str>> = run
        .stdout
        .lines()
        .map(|l| l.split('\t').collect())
        .collect();
    assert_eq!(rows.len(), 2, "{}", run.explain());
    assert_eq!(&rows[0][..4], [old.as_str(), "unread", "INFO", "old"]);
    assert_eq!(&rows[1][..4], [new.as_str(), "read", "INFO", "new"]);
    assert!(!run.stdout.contains('\x1b'), "no colours when piped");
}

#[test]
fn json_is_an_array_of_notifications() {
    let server = Alice::start();
    let id = send(&server, "Disk full", NotificationType::Error, Some("ops"));
    let run = server.notif(&["list", "--json"]).run().success();
    let v = run.json();
    let items = v.as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], id.as_str());
    assert_eq!(items[0]["type"], "ERROR");
    assert_eq!(items[0]["category"], "ops");
    assert_eq!(items[0]["readAt"], serde_json::Value::Null);
    assert!(items[0]["createdAt"].as_str().unwrap().ends_with('Z'));
}

#[test]
fn filters_by_unread_type_and_category() {
    let server = Alice::start();
    let a = send(&server, "a", NotificationType::Error, Some("ops"));
    let b = send(&server, "b", NotificationType::Info, Some("ops"));
    let c = send(&server, "c", NotificationType::Error, None);
    block_on(server.api().mark_read(&c)).unwrap();
    let ids = |args: &[&str]| -> Vec<String> {
        let v = server
            .notif(&["list", "--json"])
            .args(args)
            .run()
            .success()
            .json();
        let mut ids: Vec<String> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_str().unwrap().to_owned())
            .collect();
        ids.sort();
        ids
    };
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_eq!(ids(&["--unread"]), sorted(vec![a.clone(), b.clone()]));
    assert_eq!(
        ids(&["--type", "error"]),
        sorted(vec![a.clone(), c.clone()])
    );
    assert_eq!(ids(&["--category", "ops"]), sorted(vec![a.clone(), b]));
    assert_eq!(
        ids(&["--unread", "--type", "error", "--category", "ops"]),
        vec![a]
    );
}

#[test]
fn limit_and_all_page_through_the_inbox() {
    let server = Alice::start();
    let client = server.api();
    block_on(async {
        for i in 0..230 {
            let req = NotifyRequest::new(format!("n{i}"));
            client.notify(&req, &format!("bulk-{i}")).await.unwrap();
        }
    });
    let count = |args: &[&str]| {
        let run = server.notif(&["list", "--json"]).args(args).run().success();
        run.json().as_array().unwrap().len()
    };
    assert_eq!(count(&[]), 50);
    assert_eq!(count(&["--limit", "7"]), 7);
    assert_eq!(count(&["--limit", "210"]), 210);
    let v = server
        .notif(&["list", "--all", "--json"])
        .run()
        .success()
        .json();
    let mut ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 230);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 230, "no repeats across pages");
}

#[test]
fn empty_inbox_prints_nothing_when_piped() {
    let server = Alice::start();
    server.notif(&["list"]).run().success();
    let run = server.notif(&["list", "--json"]).run().success();
    assert_eq!(run.json(), serde_json::json!([]));
}

#[test]
fn closed_stdout_is_success() {
    let server = Alice::start();
    server.seed("one");
    let mut child = server.notif(&["list"]).spawn();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(status.success(), "{status}: {err}");
    assert!(err.is_empty(), "{err}");
}
