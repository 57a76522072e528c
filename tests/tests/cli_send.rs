//! `notif send` and `notif list` flags people get wrong: types in any case, links with
//! spaces, bad idempotency keys, a service token without `--to`.

use crate::util::AliceApi;
use notif_tests::Alice;

#[test]
fn types_in_any_case_and_links_with_spaces_are_accepted() {
    let server = Alice::start();
    server
        .notif(&[
            "send",
            "Disk",
            "--type",
            "ERROR",
            "--link",
            "https://example.com/a b",
        ])
        .succeeds();
    let inbox = server.inbox();
    assert_eq!(inbox[0].link.as_deref(), Some("https://example.com/a%20b"));
    let run = server
        .notif(&["list", "--type", "Error", "--json"])
        .succeeds();
    assert_eq!(run.json().as_array().unwrap().len(), 1);
}

#[test]
fn mistakes_are_usage_errors_caught_before_sending() {
    let server = Alice::start();
    server
        .notif(&["send", "x", "--idempotency-key", "é"])
        .run()
        .code(2);
    server
        .notif(&["send", "x", "--link", "http://exa mple.com"])
        .run()
        .code(2);
    server
        .notif(&["list", "--limit", "3", "--all"])
        .run()
        .code(2);
    assert!(server.inbox().is_empty());
}

#[test]
fn a_service_token_without_to_is_a_usage_error() {
    let server = Alice::start();
    let service = server.service_token();
    server
        .notif_as(&service, &["send", "x"])
        .run()
        .code(2)
        .stderr_has("--to");
}
