//! The test harness: runs the real `notif-server` binary on a free port with a fresh database.
//!
//! [`TestServer::start`] spawns `notif-server serve --listen 127.0.0.1:0 --db <tempdir>/notif.db
//! --ping-interval 200ms`, waits (bounded, no sleeps) for the readiness line
//! `listening on http://127.0.0.1:PORT` on stdout, and kills the child when dropped. The admin
//! commands (`user add`, `token add`, …) run against the same database. Server logs (stderr) go
//! to `server.log` in the temp dir and are quoted when start-up fails.
//!
//! Request helpers live in [`http`], the Server-Sent Events reader in [`sse`] (framing in
//! [`frames`]).

pub mod frames;
pub mod http;
pub mod sse;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::time::timeout;

/// The server binary cargo built for this test target.
pub const BIN: &str = env!("CARGO_BIN_EXE_notif-server");

/// Upper bound for the server to print its readiness line (debug build, loaded 2-core machine).
const START_TIMEOUT: Duration = Duration::from_secs(20);
/// Upper bound for one admin command (`user add`, `token add`, …).
const ADMIN_TIMEOUT: Duration = Duration::from_secs(20);
/// Upper bound for the server process to exit after a signal.
pub const EXIT_TIMEOUT: Duration = Duration::from_secs(10);

/// The ping interval every test server uses unless a test overrides it: short, so ping tests
/// are fast, long enough not to flood the streams other tests read.
pub const PING_INTERVAL: &str = "200ms";

/// Removes every `NOTIF_*` variable from a child's environment, so the developer's setup
/// (`NOTIF_DB`, limits, SMTP, …) never leaks into a test's server. `RUST_LOG` passes through:
/// it only changes what lands in `server.log`.
pub fn scrub_env(cmd: &mut Command) {
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("NOTIF_") {
            cmd.env_remove(name);
        }
    }
}

/// One running `notif-server serve` with its own temp directory and database.
pub struct TestServer {
    /// Owns the temp directory: the database and the log live here until the server is dropped.
    dir: TempDir,
    /// `<dir>/notif.db`, shared by `serve` and the admin commands.
    db: PathBuf,
    /// The `serve` process; `None` after [`TestServer::kill`] or [`TestServer::terminate`].
    child: Option<Child>,
    /// The bound address from the readiness line; kept across restarts.
    addr: SocketAddr,
    /// Arguments after `serve --listen … --db …`, reused by [`TestServer::restart`].
    extra_args: Vec<String>,
    /// HTTP client for this server; rebuilt on restart so no pooled connection to the dead
    /// process is reused.
    client: reqwest::Client,
}

impl TestServer {
    /// Starts a server with the default test options (`--ping-interval 200ms`).
    pub async fn start() -> TestServer {
        TestServer::start_with(&["--ping-interval", PING_INTERVAL]).await
    }

    /// Starts a server with `extra` appended after `serve --listen 127.0.0.1:0 --db <db>`.
    pub async fn start_with(extra: &[&str]) -> TestServer {
        let dir = tempfile::tempdir().expect("create a temp dir for the server");
        let db = match std::env::var("NOTIF_TEST_STORE").as_deref() {
            Ok("postgres") => PathBuf::from(notif_tests::postgres::PgCluster::shared().database()),
            _ => dir.path().join("notif.db"),
        };
        let extra_args: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        let (child, addr) = spawn_serve(dir.path(), &db, "127.0.0.1:0", &extra_args).await;
        TestServer {
            dir,
            db,
            child: Some(child),
            addr,
            extra_args,
            client: new_client(),
        }
    }

    /// Starts a default server and creates `names` as users; returns it with their tokens.
    pub async fn with_users<const N: usize>(names: [&str; N]) -> (TestServer, [String; N]) {
        let server = TestServer::start().await;
        let mut tokens = Vec::with_capacity(N);
        for name in names {
            tokens.push(server.user(name).await);
        }
        let tokens = tokens
            .try_into()
            .unwrap_or_else(|_| unreachable!("one token per name"));
        (server, tokens)
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The socket address the server listens on (for raw TCP clients).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The database file the server and the admin commands use.
    pub fn db(&self) -> &Path {
        &self.db
    }

    /// The HTTP client bound to this server's lifetime.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Creates user `name` and returns its first user token.
    pub async fn user(&self, name: &str) -> String {
        last_line(&self.admin(&["user", "add", name]).await)
    }

    /// Creates another user token for `name`, labelled `label`.
    pub async fn user_token(&self, name: &str, label: &str) -> String {
        last_line(
            &self
                .admin(&["token", "add", "--user", name, "--label", label])
                .await,
        )
    }

    /// Creates a service token.
    pub async fn service_token(&self) -> String {
        last_line(&self.admin(&["token", "add", "--service"]).await)
    }

    /// Revokes the token created with `label`, found through `token list`.
    pub async fn revoke(&self, label: &str) {
        let list = self.admin(&["token", "list"]).await;
        let line = list
            .lines()
            .find(|l| l.split_whitespace().any(|w| w == label))
            .unwrap_or_else(|| panic!("`token list` shows no token labelled {label:?}:\n{list}"));
        let id = line
            .split(|c: char| c.is_whitespace() || c == ',' || c == '|' || c == '#')
            .find(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_digit()))
            .unwrap_or_else(|| panic!("no numeric token id in `token list` line {line:?}"));
        self.admin(&["token", "revoke", id]).await;
    }

    /// Runs `notif-server ARGS --db <db>`, asserts success and returns stdout.
    pub async fn admin(&self, args: &[&str]) -> String {
        let mut cmd = Command::new(BIN);
        cmd.args(args)
            .arg("--db")
            .arg(&self.db)
            .stdin(Stdio::null())
            .kill_on_drop(true);
        scrub_env(&mut cmd);
        let shown = format!("notif-server {} --db {}", args.join(" "), self.db.display());
        let out = timeout(ADMIN_TIMEOUT, cmd.output())
            .await
            .unwrap_or_else(|_| panic!("`{shown}` did not finish within {ADMIN_TIMEOUT:?}"))
            .unwrap_or_else(|e| panic!("cannot run `{shown}`: {e}"));
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "`{shown}` failed with {}\nstdout:\n{stdout}\nstderr:\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    }

    /// Kills the server with SIGKILL (no chance to flush or clean up) and reaps it.
    pub async fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.start_kill().expect("send SIGKILL to the server");
            timeout(EXIT_TIMEOUT, child.wait())
                .await
                .expect("the server exits after SIGKILL")
                .expect("reap the killed server");
        }
    }

    /// Sends SIGTERM and waits (bounded) for the server to exit; returns its exit status.
    pub async fn terminate(&mut self) -> ExitStatus {
        self.signal_and_wait("TERM").await
    }

    /// Sends `SIG<signal>` (e.g. `TERM`, `INT`) through `kill(1)` (the workspace forbids
    /// `unsafe`, so no libc) and waits (bounded) for the server to exit.
    pub async fn signal_and_wait(&mut self, signal: &str) -> ExitStatus {
        let mut child = self.child.take().expect("the server is running");
        let pid = child.id().expect("a running child has a pid").to_string();
        let sent = Command::new("kill")
            .args([&format!("-{signal}"), &pid])
            .status()
            .await
            .expect("run `kill`");
        assert!(sent.success(), "`kill -{signal} {pid}` failed: {sent}");
        match timeout(EXIT_TIMEOUT, child.wait()).await {
            Ok(status) => status.expect("reap the terminated server"),
            Err(_) => {
                let _ = child.start_kill();
                panic!(
                    "the server did not exit within {EXIT_TIMEOUT:?} after SIG{signal}\nlog:\n{}",
                    self.log()
                )
            }
        }
    }

    /// Kills the server if it runs, then starts it again on the same database and port.
    pub async fn restart(&mut self) {
        self.kill().await;
        let listen = self.addr.to_string();
        let (child, addr) = spawn_serve(self.dir.path(), &self.db, &listen, &self.extra_args).await;
        assert_eq!(
            addr, self.addr,
            "the restarted server must listen on the same address"
        );
        self.child = Some(child);
        self.client = new_client();
    }

    /// The server's stderr so far (all runs).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }
}

/// A client with no global timeout (streams stay open); every call site bounds its own wait.
fn new_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("build the HTTP client")
}

/// The token an admin command printed: its last non-empty stdout line.
fn last_line(stdout: &str) -> String {
    stdout
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_else(|| panic!("admin command printed no token:\n{stdout}"))
        .to_string()
}

/// Spawns `notif-server serve` and waits for its readiness line; returns the child and address.
async fn spawn_serve(dir: &Path, db: &Path, listen: &str, extra: &[String]) -> (Child, SocketAddr) {
    let log_path = dir.join("server.log");
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)
        .expect("open the server log");
    let mut cmd = Command::new(BIN);
    cmd.arg("serve")
        .args(["--listen", listen])
        .arg("--db")
        .arg(db)
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log))
        .kill_on_drop(true);
    scrub_env(&mut cmd);
    // Contract tests send bursts from one token; the tests of rate limiting pass their own
    // `--rate-limit`, which wins over this.
    cmd.env("NOTIF_RATE_LIMIT", "0");
    let mut child = cmd.spawn().expect("spawn notif-server serve");
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut lines = BufReader::new(stdout).lines();
    let mut seen = Vec::new();
    let ready = timeout(START_TIMEOUT, async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(rest) = line.trim().strip_prefix("listening on http://") {
                return rest
                    .parse::<SocketAddr>()
                    .map_err(|e| format!("{line:?}: {e}"));
            }
            seen.push(line);
        }
        Err("stdout closed before the readiness line".to_string())
    })
    .await;
    let addr = match ready {
        Ok(Ok(addr)) => addr,
        failure => {
            let why = match failure {
                Ok(Err(why)) => why,
                _ => format!("no readiness line within {START_TIMEOUT:?}"),
            };
            let _ = child.start_kill();
            let status = child.wait().await;
            panic!(
                "notif-server serve --listen {listen} did not become ready: {why}\n\
                 exit: {status:?}\nstdout:\n{}\nstderr:\n{}",
                seen.join("\n"),
                std::fs::read_to_string(&log_path).unwrap_or_default()
            );
        }
    };
    // Keep draining stdout so a later write by the server never hits a closed pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, addr)
}
