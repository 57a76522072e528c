//! The real `notif` run against a [`TestServer`]: [`NotifCmd`] builds an isolated command
//! line, [`Run`]'s asserts print the command, its status, stdout and stderr when they fail,
//! [`Lines`] follows the output of a long-running command (`notif watch`) without sleeping,
//! and [`Alice`] is a server with one user whose token the commands carry.

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;
use tempfile::TempDir;

use crate::server::TestServer;

/// How long any one command or wait may take before the test fails instead of hanging.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// A running server with one user, `alice`, whose token [`Alice::notif`] passes to `notif`.
/// Dereferences to the [`TestServer`].
pub struct Alice {
    /// The server alice lives on.
    pub server: TestServer,
    /// A user token of alice.
    pub token: String,
}

impl Alice {
    /// Starts a server with no extra flags and creates alice.
    pub fn start() -> Alice {
        Alice::start_with(&[])
    }

    /// Starts a server with `flags` (e.g. `--stream-buffer 4`) and creates alice.
    pub fn start_with(flags: &[&str]) -> Alice {
        Alice::on(TestServer::start(flags))
    }

    /// Like [`Alice::start_with`], with the database and log in `dir`.
    pub fn start_in(dir: TempDir, flags: &[&str]) -> Alice {
        Alice::on(TestServer::start_in(dir, flags))
    }

    /// Creates alice on `server`.
    pub fn on(server: TestServer) -> Alice {
        let token = server.add_user("alice");
        Alice { server, token }
    }

    /// `notif ARGS --server URL --token ALICE`.
    pub fn notif(&self, args: &[&str]) -> NotifCmd {
        self.notif_as(&self.token, args)
    }

    /// `notif ARGS --server URL --token TOKEN`: another user's, a service or a bad token.
    pub fn notif_as(&self, token: &str, args: &[&str]) -> NotifCmd {
        self.bare(args)
            .args(["--server", &self.server.url(), "--token", token])
    }

    /// `notif ARGS` with no server or token (only the isolated config file location).
    pub fn bare(&self, args: &[&str]) -> NotifCmd {
        NotifCmd::new(self.server.dir()).args(args)
    }

    /// The config file the CLI reads and `notif login` writes in these tests.
    pub fn config_path(&self) -> PathBuf {
        config_path(self.server.dir())
    }
}

impl Deref for Alice {
    type Target = TestServer;
    fn deref(&self) -> &TestServer {
        &self.server
    }
}

impl DerefMut for Alice {
    fn deref_mut(&mut self) -> &mut TestServer {
        &mut self.server
    }
}

/// The CLI's default config file when [`NotifCmd::new`] points `XDG_CONFIG_HOME` under
/// `dir` (no `NOTIF_CONFIG`: a config file named explicitly must exist).
fn config_path(dir: &Path) -> PathBuf {
    dir.join("xdg/notif/config.toml")
}

/// `notif send` of the notification most tests send: "Deploy finished", a success in the
/// `deploy` category (more flags may follow it).
pub const SEND_DEPLOY_FINISHED: &[&str] = &[
    "send",
    "Deploy finished",
    "--type",
    "success",
    "--category",
    "deploy",
];

/// A `notif` command line, isolated from the user's environment and config.
pub struct NotifCmd {
    cmd: Command,
    stdin: Option<Vec<u8>>,
}

impl NotifCmd {
    /// `notif` with a config file under `dir` and a scrubbed environment ([`crate::env`]).
    pub fn new(dir: &Path) -> NotifCmd {
        let mut cmd = Command::new(crate::bins::notif());
        crate::env::scrub(&mut cmd);
        cmd.env("HOME", dir).env("XDG_CONFIG_HOME", dir.join("xdg"));
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

    /// Runs to completion and asserts it succeeded.
    pub fn succeeds(self) -> Run {
        self.run().success()
    }

    /// Runs to completion and asserts it failed with `code` (and its one `error:` line) and
    /// that stderr contains `needle`.
    pub fn fails(self, code: i32, needle: &str) -> Run {
        self.run().code(code).stderr_has(needle)
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
    pub fn of(mut cmd: Command, stdin: Option<Vec<u8>>) -> Run {
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
        Run::finished(display, output)
    }

    /// Like [`Run::of`] with an empty stdin, awaited on the test's runtime, so that its other
    /// tasks run meanwhile; the command is killed if the test gives up on it.
    pub async fn of_async(cmd: Command) -> Run {
        let display = describe(&cmd);
        let mut cmd = tokio::process::Command::from(cmd);
        cmd.stdin(Stdio::null()).kill_on_drop(true);
        let output = tokio::time::timeout(TIMEOUT, cmd.output())
            .await
            .unwrap_or_else(|_| panic!("{display} did not finish within {TIMEOUT:?}"))
            .unwrap_or_else(|e| panic!("cannot run {display}: {e}"));
        Run::finished(display, output)
    }

    fn finished(cmd: String, output: Output) -> Run {
        Run {
            cmd,
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

    /// Asserts exit status `code`, printing the run when it differs.
    pub fn assert_code(&self, code: i32) {
        assert_eq!(
            self.code,
            code,
            "unexpected exit status\n{}",
            self.explain()
        );
    }

    /// Asserts that stdout contains `needle`.
    pub fn stdout_has(self, needle: &str) -> Self {
        self.assert_has("stdout", &self.stdout, needle);
        self
    }

    /// Asserts that stderr contains `needle`.
    pub fn stderr_has(self, needle: &str) -> Self {
        self.assert_has("stderr", &self.stderr, needle);
        self
    }

    /// Asserts that `output` (the run's `stream`) contains `needle`.
    fn assert_has(&self, stream: &str, output: &str, needle: &str) {
        assert!(
            output.contains(needle),
            "{stream} lacks {needle:?}\n{}",
            self.explain()
        );
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
