//! [`TestServer`]: the real `notif-server serve` on `127.0.0.1:0` with a fresh database.
//!
//! [`TestServer::start`] spawns `notif-server serve --listen 127.0.0.1:0 --db <dir>/notif.db
//! FLAGS…` with a scrubbed environment ([`crate::env`]) and `NOTIF_RATE_LIMIT=0` (tests send
//! bursts from one token; a test of rate limiting passes `--rate-limit`, which wins), waits at
//! most [`START_TIMEOUT`] for the readiness line `listening on http://ADDR`, and kills the
//! child when dropped. [`TestServer::restart`] comes back on the same port and database with
//! the same flags. The admin commands (`user add`, `token add`, …) run on the same database.
//! The server's stderr goes to `<dir>/server.log`, quoted when start-up fails.
//!
//! The database is SQLite by default; with `NOTIF_TEST_STORE=postgres` every server that
//! [`TestServer::start`] makes runs on a fresh database of the process's private PostgreSQL
//! cluster ([`crate::postgres::PgCluster::shared`]), so the same tests prove the contract on
//! both stores. Tests of SQLite itself (its file, its locks) use [`TestServer::start_sqlite`].
//!
//! Every method is synchronous, so sync and async tests share it; the two waits that can be
//! long in an async test ([`TestServer::terminate`], [`TestServer::signal_and_wait`]) are async.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use tempfile::TempDir;

use crate::cli::Run;

/// Upper bound for the server to print its readiness line (debug build, loaded 2-core machine).
pub const START_TIMEOUT: Duration = Duration::from_secs(30);
/// Upper bound for the server process to exit after a signal.
pub const EXIT_TIMEOUT: Duration = Duration::from_secs(10);

/// One running `notif-server serve` with its own directory and database.
pub struct TestServer {
    /// Holds the database, `server.log` and whatever the test puts there (the CLI's config);
    /// removed when the server is dropped.
    dir: TempDir,
    /// The `serve` process; `None` once killed or exited.
    child: Option<Child>,
    /// The bound address from the readiness line; kept across restarts.
    addr: SocketAddr,
    /// What `--db` names: `<dir>/notif.db`, or a PostgreSQL URL.
    db: PathBuf,
    /// The flags after `serve --listen … --db …`, reused by [`TestServer::restart`].
    flags: Vec<String>,
    /// HTTP client for this server's lifetime; rebuilt on restart so no pooled connection to
    /// the dead process is reused.
    client: reqwest::Client,
}

impl TestServer {
    /// Starts a server in a fresh temp directory with `flags` after `serve --listen … --db …`,
    /// on the store `NOTIF_TEST_STORE` names (`sqlite`, the default, or `postgres`).
    pub fn start(flags: &[&str]) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let db = match std::env::var("NOTIF_TEST_STORE").as_deref() {
            Ok("postgres") => PathBuf::from(crate::postgres::PgCluster::shared().database()),
            Ok("sqlite") | Err(_) => dir.path().join("notif.db"),
            Ok(other) => panic!("NOTIF_TEST_STORE={other:?}: say sqlite or postgres"),
        };
        TestServer::launch(dir, db, flags)
    }

    /// Like [`TestServer::start`], always on SQLite: for tests of the SQLite file itself.
    pub fn start_sqlite(flags: &[&str]) -> TestServer {
        TestServer::start_in(tempfile::tempdir().unwrap(), flags)
    }

    /// Like [`TestServer::start`], with the SQLite database and log in `dir` (which may be a
    /// small file system the test mounted).
    pub fn start_in(dir: TempDir, flags: &[&str]) -> TestServer {
        let db = dir.path().join("notif.db");
        TestServer::launch(dir, db, flags)
    }

    /// A server on the database `db` names (a `postgres://` URL several servers share).
    pub fn start_on(db: &str, flags: &[&str]) -> TestServer {
        TestServer::launch(tempfile::tempdir().unwrap(), PathBuf::from(db), flags)
    }

    fn launch(dir: TempDir, db: PathBuf, flags: &[&str]) -> TestServer {
        let flags: Vec<String> = flags.iter().map(|s| s.to_string()).collect();
        let (child, addr) = spawn_serve(dir.path(), &db, "127.0.0.1:0", &flags);
        TestServer {
            dir,
            child: Some(child),
            addr,
            db,
            flags,
            client: new_client(),
        }
    }

    /// A server the test runs itself (in process, on a listener it bound) at `addr`, with its
    /// database at `dir/notif.db`: the request and stream helpers and the admin commands work
    /// as for a process; [`TestServer::restart`] and the signals do not apply.
    pub fn attach(dir: TempDir, addr: SocketAddr) -> TestServer {
        TestServer {
            db: dir.path().join("notif.db"),
            dir,
            child: None,
            addr,
            flags: Vec::new(),
            client: new_client(),
        }
    }

    /// Starts a server with `flags` and creates `names` as users; returns their tokens too.
    pub fn with_users<const N: usize>(
        flags: &[&str],
        names: [&str; N],
    ) -> (TestServer, [String; N]) {
        let server = TestServer::start(flags);
        let tokens = names.map(|name| server.add_user(name));
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

    /// The server's directory (database, log, and room for the test's own files).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The database the server and the admin commands use: a SQLite file, or a PostgreSQL
    /// URL.
    pub fn db(&self) -> PathBuf {
        self.db.clone()
    }

    /// The HTTP client bound to this server's lifetime.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// The server's process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The server's stderr so far (all runs).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// Runs `notif-server ARGS --db <db>`, asserts success and returns stdout.
    pub fn admin(&self, args: &[&str]) -> String {
        admin_on(&self.db, args)
    }

    /// Like [`TestServer::admin`], awaited: the test's other tasks keep running meanwhile
    /// (writers that must go on writing while a backup is taken).
    pub async fn admin_async(&self, args: &[&str]) -> String {
        Run::of_async(admin_command(&self.db, args))
            .await
            .success()
            .stdout
    }

    /// Creates user `name` and returns its first user token.
    pub fn add_user(&self, name: &str) -> String {
        last_line(&self.admin(&["user", "add", name]))
    }

    /// Creates another user token for `name`, labelled `label`.
    pub fn user_token(&self, name: &str, label: &str) -> String {
        last_line(&self.admin(&["token", "add", "--user", name, "--label", label]))
    }

    /// Creates a service token labelled `tests`.
    pub fn service_token(&self) -> String {
        last_line(&self.admin(&["token", "add", "--service", "--label", "tests"]))
    }

    /// Revokes the token created with `label`, found through `token list`.
    pub fn revoke(&self, label: &str) {
        let list = self.admin(&["token", "list"]);
        let line = list
            .lines()
            .find(|l| l.split_whitespace().any(|w| w == label))
            .unwrap_or_else(|| panic!("`token list` shows no token labelled {label:?}:\n{list}"));
        let id = line
            .split(|c: char| c.is_whitespace() || c == ',' || c == '|' || c == '#')
            .find(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_digit()))
            .unwrap_or_else(|| panic!("no numeric token id in `token list` line {line:?}"));
        self.admin(&["token", "revoke", id]);
    }

    /// Kills the server with SIGKILL (as a crash would: no flush, no clean-up) and reaps it.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Kills the server if it runs, then starts it again on the same port and database with
    /// the flags it first started with.
    pub fn restart(&mut self) {
        self.kill();
        let (child, addr) = spawn_serve(
            self.dir.path(),
            &self.db,
            &self.addr.to_string(),
            &self.flags,
        );
        assert_eq!(addr, self.addr, "the server came back on another address");
        self.child = Some(child);
        self.client = new_client();
    }

    /// Sends `SIG<signal>` (a `kill -s` name such as `TERM` or `INT`) through `kill(1)` (the
    /// workspace forbids `unsafe`, so no libc).
    pub fn signal(&self, signal: &str) {
        let pid = self.pid().expect("the server is running");
        let status = Command::new("kill")
            .args(["-s", signal, &pid.to_string()])
            .status()
            .expect("run `kill`");
        assert!(
            status.success(),
            "`kill -s {signal} {pid}` failed: {status}"
        );
    }

    /// Waits (up to `limit`) for the server to exit by itself and returns its status; kills
    /// it and panics with its log if it does not.
    pub fn wait_exit(&mut self, limit: Duration) -> ExitStatus {
        let (pid, tx_rx) = self.reap_on_thread();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(tx_rx.blocking_recv());
        });
        match rx.recv_timeout(limit) {
            Ok(Ok(status)) => status,
            _ => self.give_up(pid, limit),
        }
    }

    /// Like [`TestServer::wait_exit`], for async tests: the wait does not block the runtime.
    pub async fn exit_within(&mut self, limit: Duration) -> ExitStatus {
        let (pid, rx) = self.reap_on_thread();
        match tokio::time::timeout(limit, rx).await {
            Ok(Ok(status)) => status,
            _ => self.give_up(pid, limit),
        }
    }

    /// Sends SIGTERM and waits (up to [`EXIT_TIMEOUT`]) for the server to exit.
    pub async fn terminate(&mut self) -> ExitStatus {
        self.signal_and_wait("TERM").await
    }

    /// Sends `SIG<signal>` and waits (up to [`EXIT_TIMEOUT`]) for the server to exit.
    pub async fn signal_and_wait(&mut self, signal: &str) -> ExitStatus {
        self.signal(signal);
        self.exit_within(EXIT_TIMEOUT).await
    }

    /// Hands the child to a thread that reaps it; returns its pid and the exit status to come.
    fn reap_on_thread(&mut self) -> (u32, tokio::sync::oneshot::Receiver<ExitStatus>) {
        let mut child = self.child.take().expect("the server is running");
        let pid = child.id();
        let (tx, rx) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || {
            if let Ok(status) = child.wait() {
                let _ = tx.send(status);
            }
        });
        (pid, rx)
    }

    /// Kills a server that did not exit in time and fails the test with its log.
    fn give_up(&self, pid: u32, limit: Duration) -> ! {
        let _ = Command::new("kill")
            .args(["-s", "KILL", &pid.to_string()])
            .status();
        panic!(
            "the server did not exit within {limit:?}\nlog:\n{}",
            self.log()
        )
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `notif-server ARGS --db DB` with a scrubbed environment: an admin command.
pub fn admin_command(db: impl AsRef<OsStr>, args: &[&str]) -> Command {
    let mut cmd = Command::new(crate::bins::server());
    cmd.args(args).arg("--db").arg(db);
    crate::env::scrub(&mut cmd);
    cmd
}

/// Runs the admin command `notif-server ARGS --db DB` on a database no [`TestServer`] runs
/// on (yet), asserts success and returns stdout.
pub fn admin_on(db: impl AsRef<OsStr>, args: &[&str]) -> String {
    Run::of(admin_command(db, args), None).success().stdout
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
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .unwrap_or_else(|| panic!("admin command printed no token:\n{stdout}"))
        .to_string()
}

/// Spawns `notif-server serve` and waits (up to [`START_TIMEOUT`]) for its readiness line;
/// returns the child and the address it printed.
fn spawn_serve(dir: &Path, db: &Path, listen: &str, flags: &[String]) -> (Child, SocketAddr) {
    let log_path = dir.join("server.log");
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)
        .expect("open the server log");
    let mut cmd = Command::new(crate::bins::server());
    cmd.args(["serve", "--listen", listen, "--db"])
        .arg(db)
        .args(flags)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log));
    crate::env::scrub(&mut cmd).env("NOTIF_RATE_LIMIT", "0");
    let mut child = cmd.spawn().expect("spawn notif-server serve");
    let lines = follow_stdout(&mut child);
    let mut seen = Vec::new();
    let deadline = std::time::Instant::now() + START_TIMEOUT;
    let why = loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) => {
                if let Some(rest) = line.trim().strip_prefix("listening on http://") {
                    match rest.parse::<SocketAddr>() {
                        Ok(addr) => return (child, addr),
                        Err(e) => break format!("bad readiness line {line:?}: {e}"),
                    }
                }
                seen.push(line);
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                break format!("no readiness line within {START_TIMEOUT:?}");
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                break "stdout closed before the readiness line".to_string();
            }
        }
    };
    let _ = child.kill();
    let status = child.wait();
    panic!(
        "notif-server serve --listen {listen} {flags:?} did not become ready: {why}\n\
         exit: {status:?}\nstdout:\n{}\nstderr:\n{}",
        seen.join("\n"),
        std::fs::read_to_string(&log_path).unwrap_or_default()
    );
}

/// Reads the child's stdout on a thread, to the end: lines go to the returned channel while
/// anyone listens, and the pipe is drained after that so a late write never fails the server.
fn follow_stdout(child: &mut Child) -> mpsc::Receiver<String> {
    let stdout = child.stdout.take().expect("stdout is piped");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let _ = tx.send(line);
        }
    });
    rx
}
