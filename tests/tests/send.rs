//! `notif send`: ids, `--json`, stdin bodies, recipients, idempotency and retries.

use crate::util::{Alice, AliceApi, Lines};

#[test]
fn send_prints_the_new_id_and_stores_every_field() {
    let server = Alice::start();
    let run = server
        .notif(&["send", "Deploy finished", "--type", "success"])
        .args([
            "--body",
            "web-1 is on v2.3.1",
            "--link",
            "https://ci.example.com/runs/42",
        ])
        .args(["--category", "deploy"])
        .succeeds();
    let id = run.stdout.trim();
    let inbox = server.inbox();
    assert_eq!(inbox.len(), 1);
    let n = &inbox[0];
    assert_eq!(n.id, id, "{}", run.explain());
    assert_eq!(n.title, "Deploy finished");
    assert_eq!(n.kind.as_str(), "SUCCESS");
    assert_eq!(n.body.as_deref(), Some("web-1 is on v2.3.1"));
    assert_eq!(n.link.as_deref(), Some("https://ci.example.com/runs/42"));
    assert_eq!(n.category.as_deref(), Some("deploy"));
}

#[test]
fn send_json_prints_the_servers_response() {
    let server = Alice::start();
    let run = server.notif(&["send", "hello", "--json"]).succeeds();
    let v = run.json();
    assert_eq!(v["notification"]["title"], "hello", "{}", run.explain());
    assert_eq!(v["notification"]["type"], "INFO");
    assert_eq!(v["notification"]["userId"], "alice");
    assert_eq!(v["delivered"]["inApp"], true);
}

#[test]
fn body_dash_reads_stdin() {
    let server = Alice::start();
    server
        .notif(&["send", "Build log", "--body", "-"])
        .stdin("line 1\nline 2 ✓\n")
        .succeeds();
    assert_eq!(server.inbox()[0].body.as_deref(), Some("line 1\nline 2 ✓"));
}

#[test]
fn same_idempotency_key_notifies_once() {
    let server = Alice::start();
    let first = server
        .notif(&["send", "once", "--idempotency-key", "k-1"])
        .succeeds();
    let again = server
        .notif(&["send", "once", "--idempotency-key", "k-1"])
        .succeeds();
    assert_eq!(first.stdout, again.stdout);
    assert_eq!(server.inbox().len(), 1);
}

#[test]
fn same_key_with_another_body_is_a_conflict() {
    let server = Alice::start();
    server
        .notif(&["send", "one", "--idempotency-key", "k-2"])
        .succeeds();
    server
        .notif(&["send", "two", "--idempotency-key", "k-2"])
        .fails(1, "409");
}

#[test]
fn a_service_token_sends_to_any_user() {
    let server = Alice::start();
    let service = server.service_token();
    server
        .notif_as(&service, &["send", "from CI", "--to", "alice"])
        .succeeds();
    assert_eq!(server.inbox()[0].title, "from CI");
}

#[test]
fn a_user_token_cannot_notify_someone_else() {
    let server = Alice::start();
    server.add_user("bob");
    server
        .notif(&["send", "hi bob", "--to", "bob"])
        .fails(3, "403");
}

#[test]
fn an_unknown_recipient_is_not_found() {
    let server = Alice::start();
    let service = server.service_token();
    server
        .notif_as(&service, &["send", "hi", "--to", "nobody"])
        .fails(4, "unknown_user");
}

#[test]
fn invalid_fields_fail_with_the_servers_message() {
    let server = Alice::start();
    server
        .notif(&["send", "x", "--link", "javascript:alert(1)"])
        .fails(1, "422");
    assert!(server.inbox().is_empty());
}

/// The server is down when `send` starts and comes back while it retries: exactly one
/// notification is stored.
#[test]
fn send_retries_until_the_server_is_back_without_duplicates() {
    let mut server = Alice::start();
    server.kill();
    let mut child = server
        .notif(&["send", "survives restarts", "--retries", "8"])
        .spawn();
    let stderr = Lines::follow(child.stderr.take().unwrap());
    stderr.expect("a retry message", |l| l.contains("retrying"));
    server.restart();
    let status = child.wait().unwrap();
    let mut out = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut out).unwrap();
    assert!(
        status.success(),
        "send failed: {status}\nstderr: {:?}\nserver log:\n{}",
        stderr.seen(),
        server.log()
    );
    let inbox = server.inbox();
    assert_eq!(inbox.len(), 1, "{inbox:?}");
    assert_eq!(inbox[0].id, out.trim());
}

#[test]
fn send_to_a_dead_server_exits_5() {
    let mut server = Alice::start();
    server.kill();
    server
        .notif(&["send", "nobody home", "--retries", "0"])
        .fails(5, "cannot reach the server");
}
