//! Exit statuses and error lines that are not specific to one command.

use crate::util::Alice;

#[test]
fn usage_errors_exit_2() {
    let server = Alice::start();
    server.notif(&["send"]).fails(2, "error:");
    server.notif(&["list", "--frobnicate"]).run().code(2);
    server
        .notif(&["send", "x", "--type", "fatal"])
        .run()
        .code(2);
    server
        .bare(&["list", "--server", "not a url", "--token", "t"])
        .fails(2, "invalid server URL");
}

#[test]
fn help_and_version_exit_0() {
    let server = Alice::start();
    server
        .bare(&["--help"])
        .run()
        .success()
        .stdout_has("Exit status");
    server
        .bare(&["send", "--help"])
        .run()
        .success()
        .stdout_has("Examples:");
    server
        .bare(&["--version"])
        .run()
        .success()
        .stdout_has("notif ");
}

#[test]
fn bad_or_missing_token_exits_3() {
    let server = Alice::start();
    server.notif_as("wrong", &["list"]).fails(3, "401");
    server
        .bare(&["list", "--server", &server.url()])
        .fails(3, "notif login");
}

#[test]
fn a_service_token_cannot_read_an_inbox() {
    let server = Alice::start();
    let service = server.service_token();
    server.notif_as(&service, &["list"]).fails(3, "403");
}

#[test]
fn unreachable_server_exits_5() {
    let mut server = Alice::start();
    server.kill();
    server.notif(&["list"]).fails(5, "cannot reach the server");
    server.notif(&["read-all"]).run().code(5);
}

#[test]
fn a_bad_config_file_is_named() {
    let server = Alice::start();
    let path = server.config_path();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, "server = [").unwrap();
    server.bare(&["list"]).fails(2, "config.toml");
}
