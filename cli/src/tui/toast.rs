//! Desktop toasts for new notifications, raised off the UI thread.
//!
//! The event loop calls [`Toaster::show`], which only queues; a dedicated thread owns
//! the D-Bus side (notify-rust opens a session connection per toast and blocks on
//! it), coalesces bursts ([`coalesce`]) and reports once if the desktop has no
//! notification service, so the inbox keeps working without one.

pub mod coalesce;

use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::Instant;

use coalesce::Coalescer;

use crate::api::types::{Notification, NotificationType};

/// The application name desktops show next to every toast.
pub const APP_NAME: &str = "notif";

/// How insistent a toast is, from the notification's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Urgency {
    /// INFO and SUCCESS.
    Low,
    /// WARNING.
    Normal,
    /// ERROR: desktops keep these on screen until dismissed.
    Critical,
}

/// One desktop toast, as handed to the notification service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    /// The bold first line: the notification's title.
    pub summary: String,
    /// The notification's body (may be empty).
    pub body: String,
    /// How insistent the toast is.
    pub urgency: Urgency,
}

/// The toast for a new notification: its title, its body, urgency from its type.
pub fn toast_for(n: &Notification) -> Toast {
    Toast {
        summary: n.title.clone(),
        body: n.body.clone().unwrap_or_default(),
        urgency: match n.kind {
            NotificationType::Error => Urgency::Critical,
            NotificationType::Warning => Urgency::Normal,
            NotificationType::Info | NotificationType::Success => Urgency::Low,
        },
    }
}

/// Where toasts go: the desktop in the binary, a recorder in tests.
pub trait ToastSink: Send + 'static {
    /// Checks that a notification service is there, before any toast is due.
    fn probe(&mut self) -> Result<(), String>;
    /// Shows one toast; may block, it runs on the toaster's own thread.
    fn show(&mut self, toast: &Toast) -> Result<(), String>;
}

/// The freedesktop notification service through notify-rust.
#[derive(Debug, Default)]
pub struct DesktopSink;

impl ToastSink for DesktopSink {
    fn probe(&mut self) -> Result<(), String> {
        #[cfg(all(unix, not(target_os = "macos")))]
        notify_rust::get_server_information().map_err(|err| err.to_string())?;
        Ok(())
    }

    fn show(&mut self, toast: &Toast) -> Result<(), String> {
        let mut notification = notify_rust::Notification::new();
        notification
            .appname(APP_NAME)
            .summary(&toast.summary)
            .body(&toast.body);
        #[cfg(all(unix, not(target_os = "macos")))]
        notification.urgency(match toast.urgency {
            Urgency::Low => notify_rust::Urgency::Low,
            Urgency::Normal => notify_rust::Urgency::Normal,
            Urgency::Critical => notify_rust::Urgency::Critical,
        });
        notification.show().map(drop).map_err(|err| err.to_string())
    }
}

/// A cheap handle to the toaster thread; dropping the last one stops the thread.
#[derive(Debug, Clone)]
pub struct Toaster {
    tx: mpsc::Sender<Toast>,
}

impl Toaster {
    /// Starts the toaster thread. `unavailable` is called at most once, from that
    /// thread, with the reason when the notification service cannot be reached.
    pub fn spawn(
        sink: impl ToastSink,
        unavailable: impl FnOnce(String) + Send + 'static,
    ) -> std::io::Result<Self> {
        let (tx, rx) = mpsc::channel();
        thread::Builder::new()
            .name("notif-toaster".into())
            .spawn(move || run(sink, rx, unavailable))?;
        Ok(Self { tx })
    }

    /// Queues a toast; never blocks. A stopped thread is ignored: toasts are a nicety.
    pub fn show(&self, toast: Toast) {
        let _ = self.tx.send(toast);
    }
}

/// The toaster thread: wait for arrivals or the next deadline, show what is due.
fn run(mut sink: impl ToastSink, rx: mpsc::Receiver<Toast>, unavailable: impl FnOnce(String)) {
    let mut report = Some(unavailable);
    let mut fail = |reason: String| {
        if let Some(report) = report.take() {
            report(reason);
        }
    };
    if let Err(reason) = sink.probe() {
        fail(reason);
    }
    let mut coalescer = Coalescer::default();
    loop {
        let received = match coalescer.deadline() {
            None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
            Some(due) => rx.recv_timeout(due.saturating_duration_since(Instant::now())),
        };
        match received {
            Ok(toast) => coalescer.push(toast, Instant::now()),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        for toast in coalescer.flush(Instant::now()) {
            if let Err(reason) = sink.show(&toast) {
                fail(reason);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Records shown toasts into a channel; fails on demand.
    struct Recorder {
        shown: mpsc::Sender<Toast>,
        broken: bool,
    }

    impl ToastSink for Recorder {
        fn probe(&mut self) -> Result<(), String> {
            if self.broken {
                Err("no session bus".into())
            } else {
                Ok(())
            }
        }
        fn show(&mut self, toast: &Toast) -> Result<(), String> {
            let _ = self.shown.send(toast.clone());
            self.probe()
        }
    }

    fn toast(title: &str) -> Toast {
        Toast {
            summary: title.into(),
            body: "b".into(),
            urgency: Urgency::Critical,
        }
    }

    #[test]
    fn a_queued_toast_reaches_the_sink() {
        let (shown, seen) = mpsc::channel();
        let toaster = Toaster::spawn(
            Recorder {
                shown,
                broken: false,
            },
            |_| panic!("should be available"),
        )
        .unwrap();
        toaster.show(toast("hello"));
        let got = seen.recv_timeout(Duration::from_secs(5)).unwrap();
        assert_eq!(got, toast("hello"));
    }

    #[test]
    fn an_unavailable_service_is_reported_once() {
        let (shown, seen) = mpsc::channel();
        let (reports_tx, reports) = mpsc::channel();
        let toaster = Toaster::spawn(
            Recorder {
                shown,
                broken: true,
            },
            move |reason| reports_tx.send(reason).unwrap(),
        )
        .unwrap();
        toaster.show(toast("one"));
        seen.recv_timeout(Duration::from_secs(5)).unwrap();
        toaster.show(toast("two"));
        seen.recv_timeout(Duration::from_secs(5)).unwrap();
        drop(toaster);
        let all: Vec<String> = reports.iter().collect();
        assert_eq!(all, ["no session bus"]);
    }
}
