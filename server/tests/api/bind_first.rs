//! Issue 16: the port is bound before anything leaves a trace. `serve` on a port in use
//! fails without creating a database; `quickstart` on a port in use fails without writing
//! the CLI config, and with `--listen 127.0.0.1:0` writes the port it actually bound.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;
use tokio::time::timeout;

use crate::support::{BIN, scrub_env};

/// Runs `notif-server ARGS` to its end; its exit status and stderr.
async fn run_to_end(args: &[&str], db: &Path) -> (bool, String) {
    let mut cmd = Command::new(BIN);
    cmd.args(args).arg("--db").arg(db).kill_on_drop(true);
    scrub_env(&mut cmd);
    let out = timeout(Duration::from_secs(20), cmd.output())
        .await
        .expect("notif-server ended in time")
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn serve_on_a_port_in_use_fails_before_creating_the_database() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("notif.db");
    let (ok, stderr) = run_to_end(&["serve", "--listen", &port], &db).await;
    assert!(!ok, "serve on a port in use succeeded");
    assert!(stderr.contains("could not listen"), "{stderr}");
    assert!(
        !db.exists(),
        "a database was created before the bind failed"
    );
}

#[tokio::test]
async fn quickstart_on_a_port_in_use_fails_before_writing_the_config() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let (db, config) = (
        dir.path().join("notif.db"),
        dir.path().join("cli/config.toml"),
    );
    let config_arg = config.to_str().unwrap();
    let args = ["quickstart", "--listen", &port, "--config", config_arg];
    let (ok, stderr) = run_to_end(&args, &db).await;
    assert!(!ok, "quickstart on a port in use succeeded");
    assert!(stderr.contains("could not listen"), "{stderr}");
    assert!(!config.exists(), "the CLI config was written");
    assert!(!db.exists(), "a database was created");
}

#[tokio::test]
async fn quickstart_on_port_0_writes_the_port_it_bound() {
    let dir = tempfile::tempdir().unwrap();
    let (db, config) = (
        dir.path().join("notif.db"),
        dir.path().join("cli/config.toml"),
    );
    let mut cmd = Command::new(BIN);
    cmd.args(["quickstart", "--listen", "127.0.0.1:0", "--config"])
        .arg(&config)
        .arg("--db")
        .arg(&db)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    scrub_env(&mut cmd);
    let mut child = cmd.spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = timeout(Duration::from_secs(20), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(addr) = line.trim().strip_prefix("listening on ") {
                return addr.to_owned();
            }
        }
        panic!("quickstart ended without its readiness line")
    })
    .await
    .expect("quickstart became ready in time");
    let text = std::fs::read_to_string(&config).unwrap();
    child.start_kill().unwrap();
    let _ = child.wait().await;
    assert!(!addr.ends_with(":0"), "{addr}");
    assert!(
        text.contains(&format!("server = \"{addr}\"")),
        "the config names {addr}:\n{text}"
    );
}
