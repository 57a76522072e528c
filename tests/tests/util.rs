//! The harness: [`TestServer`] runs the real `notif-server` on a free port with a fresh
//! database; [`NotifCmd`] runs the real `notif` against it; [`Run`]'s asserts print the
//! command, its status, stdout and stderr when they fail; [`Lines`] follows the output
//! of a long-running command (`notif watch`) without sleeping.

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;
use tempfile::TempDir;

/// How long any one step may take before the test fails instead of hanging.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// The path of a workspace binary, next to this test binary's `deps/` directory.
pub fn bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary has a path");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test binaries live in target/<profile>/deps");
    let path = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} not found: run `cargo build --workspace --bins` first",
        path.display()
    );
    path
}

/// A running `notif-server` with a fresh database and one user, `alice`.
pub struct TestServer {
    /// Holds the database, the server's log and the CLI's config file.
    pub dir: TempDir,
    /// The running server, if not stopped.
    child: Option<Child>,
    /// `127.0.0.1:PORT`, kept across restarts.
    pub addr: String,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// A user token of `alice`.
    pub token: String,
}

impl TestServer {
    /// Starts a server on a free port and creates the user `alice`.
    pub fn start() -> TestServer {
        TestServer::start_in(tempfile::tempdir().unwrap(), &[])
    }

    /// The database file.
    pub fn db(&self) -> PathBuf {
        self.dir.path().join("notif.db")
    }

    /// Kills the server (as a crash would) and waits for it to exit.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port and database.
    pub fn restart(&mut self) {
        self.stop();
        let (child, url) = spawn_server(self.dir.path(), &self.addr);
        assert_eq!(url, self.url, "the server came back on another address");
        self.child = Some(child);
    }

    /// Runs `notif-server ARGS --db <db>` and returns its stdout, asserting success.
    pub fn admin(&self, args: &[&str]) -> String {
        let mut cmd = Command::new(bin("notif-server"));
        cmd.args(args).arg("--db").arg(self.db());
        let run = Run::of(cmd, None);
        run.assert_code(0);
        run.stdout
    }

    /// Creates a user and returns a user token (the last line of `user add`).
    pub fn add_user(&self, name: &str) -> String {
        last_line(&self.admin(&["user", "add", name]))
    }

    /// Creates a service token.
    pub fn service_token(&self) -> String {
        last_line(&self.admin(&["token", "add", "--service", "--label", "tests"]))
    }

    /// `notif` with `--server` and alice's `--token`.
    pub fn notif(&self, args: &[&str]) -> NotifCmd {
        self.bare(args)
            .args(["--server", &self.url, "--token", &self.token])
    }

    /// `notif` with no server or token (only the isolated config file location).
    pub fn bare(&self, args: &[&str]) -> NotifCmd {
        NotifCmd::new(self.dir.path()).args(args)
    }

    /// The config file the CLI reads and `notif login` writes in these tests.
    pub fn config_path(&self) -> PathBuf {
        self.dir.path().join("config/notif.toml")
    }

    /// The server's log (its stderr).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// An API client acting as alice, for setting up data quickly.
    pub fn client(&self) -> notif::api::Client {
        notif::api::Client::new(&self.url, Some(self.token.clone())).unwrap()
    }

    /// Sends a notification to alice through the API and returns its id.
    pub fn send(&self, title: &str) -> String {
        let req = notif::api::NotifyRequest::new(title);
        let key = format!("setup-{title}-{}", rand_suffix());
        let resp = block_on(self.client().notify(&req, &key)).unwrap();
        resp.notification.expect("in-app delivery is on").id
    }

    /// alice's notifications, all pages.
    pub fn inbox(&self) -> Vec<notif::api::Notification> {
        let client = self.client();
        let mut query = notif::api::ListQuery {
            limit: Some(200),
            ..Default::default()
        };
        let mut all = Vec::new();
        loop {
            let page = block_on(client.list(&query)).unwrap();
            all.extend(page.notifications);
            match page.next_cursor {
                Some(c) => query.cursor = Some(c),
                None => return all,
            }
        }
    }
}

/// Additions for the fault tests: extra `serve` flags, a chosen directory, signals.
impl TestServer {
    /// Starts a server with extra `serve` flags (e.g. `--stream-buffer 4`) and creates
    /// the user `alice`.
    pub fn start_with(extra: &[&str]) -> TestServer {
        TestServer::start_in(tempfile::tempdir().unwrap(), extra)
    }

    /// Like [`TestServer::start_with`], with the database and log in `dir` (which may be a
    /// small file system mounted by the test).
    pub fn start_in(dir: TempDir, extra: &[&str]) -> TestServer {
        let (child, url) = spawn_server_with(dir.path(), "127.0.0.1:0", extra);
        let addr = url.trim_start_matches("http://").to_owned();
        let mut server = TestServer {
            dir,
            child: Some(child),
            addr,
            url,
            token: String::new(),
        };
        server.token = server.add_user("alice");
        server
    }

    /// The server's process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Sends `signal` (a `kill -s` name such as `TERM`) to the server.
    pub fn signal(&self, signal: &str) {
        let pid = self.pid().expect("the server is running");
        let status = Command::new("kill")
            .args(["-s", signal, &pid.to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "kill -s {signal} {pid} failed");
    }

    /// Waits (up to `limit`) for the server to exit by itself and returns its status;
    /// kills it and panics with its log if it does not.
    pub fn wait_exit(&mut self, limit: Duration) -> std::process::ExitStatus {
        let mut child = self.child.take().expect("the server is running");
        let pid = child.id().to_string();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(child.wait());
        });
        match rx.recv_timeout(limit) {
            Ok(status) => status.unwrap(),
            Err(_) => {
                let _ = Command::new("kill").args(["-s", "KILL", &pid]).status();
                panic!(
                    "the server did not exit within {limit:?}\nlog:\n{}",
                    self.log()
                );
            }
        }
    }
}

/// [`spawn_server`] with extra `serve` flags.
fn spawn_server_with(dir: &Path, listen: &str, extra: &[&str]) -> (Child, String) {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("server.log"))
        .unwrap();
    let mut child = Command::new(bin("notif-server"))
        .args(["serve", "--listen", listen, "--db"])
        .arg(dir.join("notif.db"))
        .args(extra)
        .env_remove("NOTIF_LISTEN")
        .env_remove("NOTIF_DB")
        // The end-to-end tests send bursts from one token; no rate limit here.
        .env("NOTIF_RATE_LIMIT", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .unwrap();
    let lines = Lines::follow(child.stdout.take().unwrap());
    match lines.wait_for(|l| l.starts_with("listening on http://")) {
        Some(line) => (
            child,
            line.trim_start_matches("listening on ").trim().to_owned(),
        ),
        None => {
            let _ = child.kill();
            let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
            panic!(
                "notif-server serve --listen {listen} {extra:?} printed no readiness line\n\
                 stdout: {:?}\nlog:\n{log}",
                lines.seen()
            );
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Starts `notif-server serve` and waits for its readiness line; returns the child
/// and the URL it printed.
fn spawn_server(dir: &Path, listen: &str) -> (Child, String) {
    spawn_server_with(dir, listen, &[])
}

/// The last non-empty line of `text`.
fn last_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .unwrap_or_default()
        .to_owned()
}

/// A few random hex digits, for unique keys.
pub fn rand_suffix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{nanos:x}")
}

/// Runs a future to completion on a fresh current-thread runtime.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// A `notif` command line, isolated from the user's environment and config.
pub struct NotifCmd {
    cmd: Command,
    stdin: Option<Vec<u8>>,
}

impl NotifCmd {
    /// `notif` with a config file under `dir` and no `NOTIF_*` from the environment.
    fn new(dir: &Path) -> NotifCmd {
        let mut cmd = Command::new(bin("notif"));
        for var in [
            "NOTIF_SERVER",
            "NOTIF_TOKEN",
            "NO_COLOR",
            "NOTIF_UPDATE_COMPLETIONS",
        ] {
            cmd.env_remove(var);
        }
        cmd.env("NOTIF_CONFIG", dir.join("config/notif.toml"))
            .env("HOME", dir)
            .env("XDG_CONFIG_HOME", dir.join("xdg"));
        NotifCmd { cmd, stdin: None }
    }

    /// Adds arguments.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.cmd.args(args);
        self
    }

    /// Sets an environment variable.
    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Self {
        self.cmd.env(key, value);
        self
    }

    /// Feeds `input` on stdin (else stdin is empty).
    pub fn stdin(mut self, input: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(input.into());
        self
    }

    /// Runs to completion.
    pub fn run(self) -> Run {
        Run::of(self.cmd, self.stdin)
    }

    /// Starts in the background with piped stdout and stderr (for `watch`).
    pub fn spawn(mut self) -> Child {
        self.cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }
}

/// `program arg arg …`, for messages.
fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        let _ = write!(s, " {:?}", arg.to_string_lossy());
    }
    s
}

/// A finished command.
pub struct Run {
    /// The command line.
    pub cmd: String,
    /// Exit status (`-1` when killed by a signal).
    pub code: i32,
    /// Everything on stdout.
    pub stdout: String,
    /// Everything on stderr.
    pub stderr: String,
}

impl Run {
    /// Runs `cmd` with `stdin`, failing the test if it takes longer than [`TIMEOUT`].
    fn of(mut cmd: Command, stdin: Option<Vec<u8>>) -> Run {
        let display = describe(&cmd);
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {display}: {e}"));
        let mut input = child.stdin.take().unwrap();
        let data = stdin.unwrap_or_default();
        std::thread::spawn(move || {
            let _ = input.write_all(&data);
        });
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(child.wait_with_output());
        });
        let output = rx
            .recv_timeout(TIMEOUT)
            .unwrap_or_else(|_| panic!("{display} did not finish within {TIMEOUT:?}"))
            .unwrap();
        Run {
            cmd: display,
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Asserts exit status 0.
    pub fn success(self) -> Self {
        self.assert_code(0);
        self
    }

    /// Asserts exit status `code`, and for failures the one-line `error: …` on stderr.
    pub fn code(self, code: i32) -> Self {
        self.assert_code(code);
        if code != 0 && code != 2 {
            let lines: Vec<&str> = self
                .stderr
                .lines()
                .filter(|l| l.starts_with("error:"))
                .collect();
            assert!(
                lines.len() == 1,
                "expected one `error:` line\n{}",
                self.explain()
            );
            assert!(
                !self.stderr.contains("panicked"),
                "panic\n{}",
                self.explain()
            );
        }
        self
    }

    fn assert_code(&self, code: i32) {
        assert_eq!(
            self.code,
            code,
            "unexpected exit status\n{}",
            self.explain()
        );
    }

    /// Asserts that stdout contains `needle`.
    pub fn stdout_has(self, needle: &str) -> Self {
        assert!(
            self.stdout.contains(needle),
            "stdout lacks {needle:?}\n{}",
            self.explain()
        );
        self
    }

    /// Asserts that stderr contains `needle`.
    pub fn stderr_has(self, needle: &str) -> Self {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}\n{}",
            self.explain()
        );
        self
    }

    /// stdout parsed as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON: {e}\n{}", self.explain()))
    }

    /// The command, status, stdout and stderr, for failure messages.
    pub fn explain(&self) -> String {
        format!(
            "command: {}\nstatus: {}\n--- stdout\n{}\n--- stderr\n{}",
            self.cmd, self.code, self.stdout, self.stderr
        )
    }
}

/// The lines of a child's stdout or stderr, read on a thread as they come.
pub struct Lines {
    rx: mpsc::Receiver<String>,
    seen: std::cell::RefCell<Vec<String>>,
}

impl Lines {
    /// Starts reading `source` line by line.
    pub fn follow(source: impl Read + Send + 'static) -> Lines {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(source).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Lines {
            rx,
            seen: Default::default(),
        }
    }

    /// Waits (up to [`TIMEOUT`]) for a line matching `pred`, keeping the others.
    pub fn wait_for(&self, pred: impl Fn(&str) -> bool) -> Option<String> {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            let line = self.rx.recv_timeout(left).ok()?;
            self.seen.borrow_mut().push(line.clone());
            if pred(&line) {
                return Some(line);
            }
        }
    }

    /// Like [`Lines::wait_for`], panicking with what was seen on timeout.
    pub fn expect(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        self.wait_for(pred)
            .unwrap_or_else(|| panic!("no line with {what}; saw {:?}", self.seen()))
    }

    /// Every line read so far.
    pub fn seen(&self) -> Vec<String> {
        self.seen.borrow().clone()
    }
}
