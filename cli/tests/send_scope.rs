//! `notif login` records what the server says the token is (`token_scope` in the config
//! file), so that `notif send` with a service token and no `--to` is refused before any
//! request (exit 2); a token whose scope is not known is still told by the server's `422`
//! (issue 16). Needs `notif-server` built (`cargo build --workspace --bins`).

#![allow(clippy::unwrap_used)]

use notif_tests::Alice;

/// `notif login` with `token` into the test's config file; returns the file's text.
fn login(server: &Alice, token: &str) -> String {
    server
        .bare(&["login", "--server", &server.url(), "--token", token])
        .run()
        .success();
    std::fs::read_to_string(server.config_path()).unwrap()
}

#[test]
fn login_records_the_tokens_scope() {
    let server = Alice::start();
    let text = login(&server, &server.token);
    assert!(text.contains("token_scope = \"user\""), "{text}");
    let text = login(&server, &server.service_token());
    assert!(text.contains("token_scope = \"service\""), "{text}");
}

#[test]
fn a_saved_service_token_without_to_is_refused_before_any_request() {
    let mut server = Alice::start();
    login(&server, &server.service_token());
    // No server to ask any more: only a check made before the request can say exit 2.
    server.kill();
    server
        .bare(&["send", "hello", "--retries", "0"])
        .fails(2, "is a service token: name the recipient with --to USER");
}

#[test]
fn a_saved_service_token_with_to_sends() {
    let server = Alice::start();
    login(&server, &server.service_token());
    server
        .bare(&["send", "for alice", "--to", "alice"])
        .run()
        .success();
    server
        .notif(&["list"])
        .run()
        .success()
        .stdout_has("for alice");
}

#[test]
fn a_service_token_of_unknown_scope_is_told_by_the_server() {
    let server = Alice::start();
    let service = server.service_token();
    // Saved by an older `notif login`: no `token_scope` in the file.
    std::fs::create_dir_all(server.config_path().parent().unwrap()).unwrap();
    let old_file = format!("server = \"{}\"\ntoken = \"{service}\"\n", server.url());
    std::fs::write(server.config_path(), old_file).unwrap();
    server.bare(&["send", "hello"]).fails(2, "--to USER");
    // Given on the command line, whatever the file says.
    login(&server, &server.token);
    server
        .bare(&["send", "hello", "--token", &service])
        .fails(2, "--to USER");
}
