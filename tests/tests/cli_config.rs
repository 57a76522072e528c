//! The config file rule: a file named with `--config` or `NOTIF_CONFIG` must exist when
//! `notif` needs it, and errors name it once.

use std::process::Command;

use notif_tests::Alice;
use notif_tests::bins::bin;

/// `notif ARGS` with no `NOTIF_*` variables and an empty home.
fn notif(home: &std::path::Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(bin("notif"));
    for var in ["NOTIF_SERVER", "NOTIF_TOKEN", "NOTIF_CONFIG"] {
        cmd.env_remove(var);
    }
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("xdg"))
        .args(args);
    cmd
}

#[test]
fn a_misspelt_config_path_is_an_error_not_a_login_hint() {
    let home = tempfile::tempdir().unwrap();
    let missing = home.path().join("confg.toml");
    let missing = missing.to_str().unwrap();
    for cmd in [notif(home.path(), &["list", "--config", missing]), {
        let mut c = notif(home.path(), &["list"]);
        c.env("NOTIF_CONFIG", missing);
        c
    }] {
        let mut cmd = cmd;
        let out = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.starts_with(&format!("error: cannot read config file {missing}: ")),
            "{stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
}

#[test]
fn a_directory_as_config_names_its_cause_once() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().to_str().unwrap();
    let out = notif(home.path(), &["list", "--config", dir])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.matches("directory").count(), 1, "{stderr}");
}

#[test]
fn login_creates_the_named_file_and_the_default_may_be_missing() {
    let server = Alice::start();
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("new/notif.toml");
    let path_str = path.to_str().unwrap();
    let out = notif(
        home.path(),
        &["login", "--server", &server.url(), "--token", &server.token],
    )
    .arg("--config")
    .arg(path_str)
    .output()
    .unwrap();
    assert!(out.status.success(), "{out:?}");
    let out = notif(home.path(), &["list", "--config", path_str])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    // No file named and none at the default place: the login hint, as before.
    let out = notif(home.path(), &["list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{out:?}");
}
