//! `notif login` and the config file: precedence and permissions.

use crate::util::{Alice, AliceApi};

#[test]
fn login_writes_a_private_config_that_later_commands_use() {
    let server = Alice::start();
    server
        .notif_as(&server.token, &["login"])
        .run()
        .success()
        .stdout_has("alice");
    let path = server.config_path();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains(&server.token) && text.contains(&server.url()),
        "{text}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    server.bare(&["send", "via config"]).run().success();
    server
        .bare(&["list"])
        .run()
        .success()
        .stdout_has("via config");
}

#[test]
fn login_reads_the_token_from_stdin() {
    let server = Alice::start();
    let run = server
        .bare(&["login", "--server", &server.url(), "--json"])
        .stdin(format!("created user alice\n{}\n", server.token))
        .run()
        .success();
    assert_eq!(run.json()["userId"], "alice", "{}", run.explain());
    server.bare(&["list"]).run().success();
}

#[test]
fn login_with_a_bad_token_exits_3_and_writes_nothing() {
    let server = Alice::start();
    server.notif_as("not-a-token", &["login"]).fails(3, "401");
    assert!(!server.config_path().exists());
}

#[test]
fn flag_beats_env_beats_config_file() {
    let server = Alice::start();
    let bob = server.add_user("bob");
    server.notif_as(&bob, &["login"]).run().success();
    server.seed("for alice");
    // File says bob: bob's inbox is empty.
    let v = server.bare(&["list", "--json"]).run().success().json();
    assert_eq!(v.as_array().unwrap().len(), 0);
    // Env says alice: wins over the file.
    let v = server
        .bare(&["list", "--json"])
        .env("NOTIF_TOKEN", &server.token)
        .run()
        .success()
        .json();
    assert_eq!(v.as_array().unwrap().len(), 1);
    // Flag says bob: wins over env.
    let v = server
        .bare(&["list", "--json", "--token", &bob])
        .env("NOTIF_TOKEN", &server.token)
        .run()
        .success()
        .json();
    assert_eq!(v.as_array().unwrap().len(), 0);
    // --config points to another file.
    let other = server.dir().join("other.toml");
    std::fs::write(
        &other,
        format!(
            "server = \"{}\"\ntoken = \"{}\"\n",
            server.url(),
            server.token
        ),
    )
    .unwrap();
    let v = server
        .bare(&["list", "--json", "--config"])
        .args([&other])
        .run()
        .success()
        .json();
    assert_eq!(v.as_array().unwrap().len(), 1);
    // NOTIF_SERVER wins over the file's server.
    server
        .bare(&["list"])
        .env("NOTIF_SERVER", "http://127.0.0.1:9")
        .run()
        .code(5);
}
