//! One `notif-server serve` process on a shared PostgreSQL database, which can be killed
//! (SIGKILL) and started again on the same port.

use std::process::Stdio;
use std::time::Duration;

use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const BIN: &str = env!("CARGO_BIN_EXE_notif-server");
const START_TIMEOUT: Duration = Duration::from_secs(30);

pub struct Node {
    dir: TempDir,
    db: String,
    child: Option<Child>,
    /// `127.0.0.1:PORT`, kept across restarts.
    pub addr: String,
}

impl Node {
    pub async fn start(db: &str) -> Node {
        let dir = tempfile::tempdir().unwrap();
        let (child, addr) = spawn(&dir, db, "127.0.0.1:0").await;
        Node {
            dir,
            db: db.to_owned(),
            child: Some(child),
            addr,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// SIGKILL: no chance to finish anything.
    pub async fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.start_kill().unwrap();
            child.wait().await.unwrap();
        }
    }

    pub async fn restart(&mut self) {
        self.kill().await;
        let (child, addr) = spawn(&self.dir, &self.db, &self.addr).await;
        assert_eq!(addr, self.addr);
        self.child = Some(child);
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.start_kill();
        }
    }
}

async fn spawn(dir: &TempDir, db: &str, listen: &str) -> (Child, String) {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.path().join("server.log"))
        .unwrap();
    let mut cmd = Command::new(BIN);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("NOTIF_") {
            cmd.env_remove(name);
        }
    }
    cmd.args(["serve", "--listen", listen, "--db", db])
        .args(["--ping-interval", "500ms", "--rate-limit", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log)
        .kill_on_drop(true);
    let mut child = cmd.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let line = tokio::time::timeout(START_TIMEOUT, lines.next_line())
        .await
        .expect("the node starts in time")
        .unwrap()
        .unwrap_or_else(|| {
            panic!(
                "the node exited before it was ready:\n{}",
                std::fs::read_to_string(dir.path().join("server.log")).unwrap_or_default()
            )
        });
    let addr = line
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    (child, addr)
}

/// Runs `notif-server ARGS --db DB` and returns its last line of output (a token).
pub async fn admin(db: &str, args: &[&str]) -> String {
    let out = Command::new(BIN)
        .args(args)
        .args(["--db", db])
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "notif-server {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap()
        .trim()
        .to_owned()
}
