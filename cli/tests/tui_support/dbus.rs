//! A private D-Bus session bus (`dbus-daemon --session`) and a fake
//! `org.freedesktop.Notifications` service on it that records every toast.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;

use zbus::zvariant::OwnedValue;

/// One `Notify` call, as the fake service received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    /// `app_name`.
    pub app: String,
    /// `summary`.
    pub summary: String,
    /// `body`.
    pub body: String,
    /// The `urgency` hint: 0 low, 1 normal, 2 critical (`None` when absent).
    pub urgency: Option<u8>,
}

/// A `dbus-daemon` with its own socket; killed on drop.
pub struct SessionBus {
    child: Child,
    /// The address to put in `DBUS_SESSION_BUS_ADDRESS`.
    pub address: String,
}

impl SessionBus {
    /// Starts a session bus listening in `dir`.
    pub fn start(dir: &Path) -> SessionBus {
        let mut child = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .arg(format!("--address=unix:path={}", dir.join("bus").display()))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot run dbus-daemon ({e}): install the `dbus` package (cli/ci-needs.sh)")
            });
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let address = line.trim().to_owned();
        assert!(!address.is_empty(), "dbus-daemon printed no address");
        SessionBus { child, address }
    }
}

impl Drop for SessionBus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The fake notification server: answers like a desktop and records each toast.
struct Fake {
    seen: mpsc::Sender<Toast>,
    next_id: u32,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Fake {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &mut self,
        app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        _actions: Vec<String>,
        hints: HashMap<String, OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let urgency = hints.get("urgency").and_then(|v| u8::try_from(v).ok());
        let _ = self.seen.send(Toast {
            app: app_name,
            summary,
            body,
            urgency,
        });
        self.next_id += 1;
        self.next_id
    }

    fn get_capabilities(&self) -> Vec<String> {
        vec!["body".to_owned()]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        (
            "fake".into(),
            "notif-tests".into(),
            "1.0".into(),
            "1.2".into(),
        )
    }

    fn close_notification(&self, _id: u32) {}
}

/// Serves the fake on `address` until the returned connection is dropped; toasts
/// arrive on the receiver.
pub async fn serve_fake(address: &str) -> (zbus::Connection, mpsc::Receiver<Toast>) {
    let (seen, toasts) = mpsc::channel();
    let connection = zbus::connection::Builder::address(address)
        .unwrap()
        .name("org.freedesktop.Notifications")
        .unwrap()
        .serve_at("/org/freedesktop/Notifications", Fake { seen, next_id: 0 })
        .unwrap()
        .build()
        .await
        .unwrap();
    (connection, toasts)
}
