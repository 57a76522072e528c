//! `notif-server quickstart` writes the CLI's config file with the same code and rules
//! as `notif login`: a valid user name, directory 0700, file 0600.

use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};

use crate::util::Lines;
use notif_tests::bins::bin;

/// A loopback address that is in use while the returned listener lives.
fn taken_address() -> (std::net::TcpListener, String) {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    (taken, addr)
}

#[test]
fn quickstart_refuses_a_bad_user_name_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("cfg/config.toml");
    let out = Command::new(bin("notif-server"))
        .args([
            "quickstart",
            "--user",
            "bad name",
            "--listen",
            "127.0.0.1:0",
        ])
        .arg("--config")
        .arg(&config)
        .arg("--db")
        .arg(dir.path().join("notif.db"))
        .output()
        .unwrap();
    assert!(!out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("user name"), "{stderr}");
    assert!(!config.exists());
}

#[test]
fn quickstart_writes_a_private_config_with_a_token() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("cfg/config.toml");
    let mut server = Command::new(bin("notif-server"))
        .args(["quickstart", "--user", "alice", "--listen", "127.0.0.1:0"])
        .arg("--config")
        .arg(&config)
        .arg("--db")
        .arg(dir.path().join("notif.db"))
        .env_remove("NOTIF_CONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = Lines::follow(server.stdout.take().unwrap());
    stdout.expect("the config line", |l| l.contains("the notif CLI is set up"));
    let listening = stdout.expect("the readiness line", |l| l.starts_with("listening on "));
    let bound = listening
        .trim_start_matches("listening on ")
        .trim()
        .to_owned();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let file_mode = mode(&config);
    let dir_mode = mode(config.parent().unwrap());
    let text = std::fs::read_to_string(&config).unwrap();
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(file_mode, 0o600);
    assert_eq!(dir_mode, 0o700);
    assert!(text.contains("token = \"ntf_"), "{text}");
    assert!(!bound.ends_with(":0"), "{listening}");
    assert!(text.contains(&format!("server = \"{bound}\"")), "{text}");
}

#[test]
fn quickstart_on_a_port_in_use_fails_before_writing_anything() {
    let (_taken, addr) = taken_address();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("cfg/config.toml");
    let db = dir.path().join("notif.db");
    let out = Command::new(bin("notif-server"))
        .args(["quickstart", "--user", "alice", "--listen", &addr])
        .arg("--config")
        .arg(&config)
        .arg("--db")
        .arg(&db)
        .env_remove("NOTIF_CONFIG")
        .output()
        .unwrap();
    assert!(!out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("set up"), "{stdout}");
    assert!(!config.exists(), "the config was written");
    assert!(!db.exists(), "the database was created");
}

#[test]
fn serve_on_a_port_in_use_creates_no_database() {
    let (_taken, addr) = taken_address();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("notif.db");
    let out = Command::new(bin("notif-server"))
        .args(["serve", "--listen", &addr])
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(!db.exists(), "the database was created");
}
