//! `notif-server quickstart` writes the CLI's config file with the same code and rules
//! as `notif login`: a valid user name, directory 0700, file 0600.

use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};

use crate::util::Lines;
use notif_tests::bins::bin;

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
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let file_mode = mode(&config);
    let dir_mode = mode(config.parent().unwrap());
    let text = std::fs::read_to_string(&config).unwrap();
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(file_mode, 0o600);
    assert_eq!(dir_mode, 0o700);
    assert!(text.contains("token = \"ntf_"), "{text}");
    assert!(text.contains("server = \"http://127.0.0.1:0\""), "{text}");
}
