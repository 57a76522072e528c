//! Shared by the TUI's integration tests: a real `notif-server` on a free port with a
//! fresh database and the user alice (the workspace's test kit, [`notif_tests::Alice`]), and
//! the real `notif tui` in a pseudo-terminal whose screen is emulated (vt100) so tests can
//! wait for text to appear — never sleeping.
#![allow(dead_code)]

pub mod dbus;

use std::io::{Read, Write};
use std::path::Path;
use std::process::Command;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub use notif_tests::Alice;
use portable_pty::{CommandBuilder, MasterPty, PtySize, SlavePty, native_pty_system};

/// How long a test waits for any one condition.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// A typed API client acting as alice.
pub fn api(server: &Alice) -> notif::api::Client {
    notif::api::Client::new(&server.url(), Some(server.token.clone())).unwrap()
}

/// `notif tui` running in an 80×24 pseudo-terminal.
pub struct Tui {
    child: Box<dyn portable_pty::Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    /// The emulated screen, fed by a reader thread.
    screen: Arc<Mutex<vt100::Parser>>,
    /// Signalled after every chunk of output.
    output: mpsc::Receiver<()>,
    /// Kept open so the terminal's settings can be read after the TUI exits.
    _slave: Box<dyn SlavePty + Send>,
    master: Box<dyn MasterPty + Send>,
}

impl Tui {
    /// Starts `notif tui EXTRA…` against `server`, with the given D-Bus session bus
    /// address (`None`: a bus that does not exist).
    pub fn start(server: &Alice, dbus: Option<&str>, extra: &[&str]) -> Tui {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 24,
                cols: 80,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(notif_tests::bins::notif());
        cmd.arg("tui");
        cmd.args(extra);
        cmd.cwd(server.dir());
        for name in notif_tests::env::removed() {
            cmd.env_remove(name);
        }
        cmd.env("TERM", "xterm-256color");
        cmd.env("NOTIF_SERVER", server.url());
        cmd.env("NOTIF_TOKEN", &server.token);
        cmd.env("HOME", server.dir());
        cmd.env("XDG_CONFIG_HOME", server.dir().join("xdg"));
        cmd.env("BROWSER", "true");
        let missing = format!("unix:path={}", server.dir().join("no-bus").display());
        cmd.env("DBUS_SESSION_BUS_ADDRESS", dbus.unwrap_or(&missing));
        let child = pair.slave.spawn_command(cmd).unwrap();
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let screen = Arc::new(Mutex::new(vt100::Parser::new(24, 80, 0)));
        let (tx, output) = mpsc::channel();
        let feed = Arc::clone(&screen);
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                feed.lock().unwrap().process(&buf[..n]);
                if tx.send(()).is_err() {
                    break;
                }
            }
        });
        Tui {
            child,
            writer,
            screen,
            output,
            _slave: pair.slave,
            master: pair.master,
        }
    }

    /// The screen's text, one line per row.
    pub fn contents(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    /// Waits until the screen satisfies `cond`; panics with the screen otherwise.
    pub fn wait_for(&self, what: &str, cond: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let text = self.contents();
            if cond(&text) {
                return;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                panic!("timed out waiting for {what}; the screen is:\n{text}");
            }
            // New output or the tick redraw (every 500 ms), whichever comes first.
            let _ = self.output.recv_timeout(left.min(Duration::from_secs(1)));
        }
    }

    /// Waits until `text` is on screen.
    pub fn wait_for_text(&self, text: &str) {
        self.wait_for(&format!("{text:?}"), |screen| screen.contains(text));
    }

    /// Types `keys`.
    pub fn keys(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    /// Waits for the TUI to exit and returns its status.
    pub fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "notif tui did not exit:\n{}",
                self.contents()
            );
            let _ = self.output.recv_timeout(Duration::from_millis(50));
        }
    }

    /// Waits until the emulated terminal is back to normal: main screen, cursor shown
    /// (the last bytes may still be in flight when the process has exited).
    pub fn wait_restored(&self) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            {
                let parser = self.screen.lock().unwrap();
                let screen = parser.screen();
                if !screen.alternate_screen() && !screen.hide_cursor() {
                    return;
                }
                assert!(
                    Instant::now() < deadline,
                    "terminal not restored: alternate screen {}, cursor hidden {}",
                    screen.alternate_screen(),
                    screen.hide_cursor()
                );
            }
            let _ = self.output.recv_timeout(Duration::from_millis(100));
        }
    }

    /// The terminal's line settings (`stty -a`), to check that raw mode was left.
    pub fn stty(&self) -> String {
        let tty = self.master.tty_name().expect("a unix pty has a name");
        stty(&tty)
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// `stty -a` of the terminal at `tty`.
fn stty(tty: &Path) -> String {
    let out = Command::new("stty")
        .arg("-a")
        .stdin(std::fs::File::open(tty).unwrap())
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Whether a `stty -a` listing shows a cooked terminal (canonical mode and echo on).
pub fn cooked(stty: &str) -> bool {
    let flags: Vec<&str> = stty.split_whitespace().collect();
    flags.contains(&"icanon") && flags.contains(&"echo")
}
