//! Counters for `/metrics`, rendered in the Prometheus text format. Plain atomics for the hot
//! paths; a std mutex (never held across an `.await`) for the request counts by route.

mod histogram;

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use histogram::{Histogram, Scale};

/// Writes committed together in one transaction.
struct BatchSize;

impl Scale for BatchSize {
    const BOUNDS: &'static [u64] = &[1, 2, 4, 8, 16, 64, 256, 1024];
    const PER_UNIT: u64 = 1;
}

/// A write batch's time in the database, in nanoseconds (exposed in seconds).
struct CommitTime;

impl Scale for CommitTime {
    const BOUNDS: &'static [u64] = &[
        250_000,
        500_000,
        1_000_000,
        2_000_000,
        5_000_000,
        10_000_000,
        25_000_000,
        50_000_000,
        100_000_000,
        250_000_000,
        1_000_000_000,
    ];
    const PER_UNIT: u64 = 1_000_000_000;
}

/// The server's counters. Shared as `Arc<Metrics>` by the router, the hub and the writer.
#[derive(Default)]
pub struct Metrics {
    /// Requests by (route pattern, status code).
    requests: Mutex<BTreeMap<(&'static str, u16), u64>>,
    pub streams_open: AtomicI64,
    pub connections_open: AtomicI64,
    /// New connections closed at once: `--max-connections` were open, all busy.
    pub connections_refused: AtomicU64,
    /// Connections closed before their first request to make room for a new one.
    pub connections_evicted: AtomicU64,
    /// Connections closed for sending no request head within `--header-timeout`.
    pub connections_silent: AtomicU64,
    /// Streams closed because their client read nothing for a whole ping interval.
    pub streams_stalled: AtomicU64,
    pub streams_lagged: AtomicU64,
    pub notifications_created: AtomicU64,
    pub emails_sent: AtomicU64,
    pub emails_retried: AtomicU64,
    pub emails_failed: AtomicU64,
    /// Write batches rolled back and redone with a savepoint per write, because one write
    /// failed after changing rows (SQLite).
    pub batches_redone: AtomicU64,
    /// Writes per committed transaction (`notif_commit_batch_size`).
    batch_sizes: Histogram<BatchSize>,
    /// Each batch's time in the database (`notif_commit_seconds`).
    commit_times: Histogram<CommitTime>,
}

impl Metrics {
    /// Counts one answered request.
    pub fn record_request(&self, route: &'static str, status: u16) {
        let mut requests = self.requests.lock().unwrap_or_else(|p| p.into_inner());
        *requests.entry((route, status)).or_default() += 1;
    }

    /// Counts one committed batch of `size` writes.
    pub fn record_batch(&self, size: usize) {
        self.batch_sizes.observe(size as u64);
    }

    /// Counts the time a batch took in the database: from the start of its transaction
    /// until its commit returned (with SQLite's `--sync full`, and then from when its events
    /// went to the streams until the flusher's sync of the log after it returned, so until
    /// it was on the disk). For a batch
    /// that SQLite redid with savepoints, both tries; on PostgreSQL, the try that went
    /// through.
    pub fn record_commit(&self, took: Duration) {
        self.commit_times
            .observe(u64::try_from(took.as_nanos()).unwrap_or(u64::MAX));
    }

    /// The Prometheus text exposition of every counter.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP notif_http_requests_total HTTP requests answered, by route and status.\n",
        );
        out.push_str("# TYPE notif_http_requests_total counter\n");
        let requests = self
            .requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        for ((route, status), count) in requests {
            let _ = writeln!(
                out,
                "notif_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {count}"
            );
        }
        gauge(
            &mut out,
            "notif_streams_open",
            "Open event streams.",
            self.streams_open.load(Ordering::Relaxed),
        );
        counter(
            &mut out,
            "notif_streams_lagged_total",
            "Streams closed because they could not keep up.",
            self.streams_lagged.load(Ordering::Relaxed),
        );
        counter(
            &mut out,
            "notif_streams_stalled_total",
            "Streams closed because their client read nothing for a whole ping interval.",
            self.streams_stalled.load(Ordering::Relaxed),
        );
        gauge(
            &mut out,
            "notif_connections_open",
            "Open connections.",
            self.connections_open.load(Ordering::Relaxed),
        );
        for (name, help, value) in [
            (
                "notif_connections_refused_total",
                "New connections closed at once: --max-connections were open, all busy.",
                &self.connections_refused,
            ),
            (
                "notif_connections_evicted_total",
                "Connections closed before their first request to make room for a new one.",
                &self.connections_evicted,
            ),
            (
                "notif_connections_silent_total",
                "Connections closed for sending no request head within --header-timeout.",
                &self.connections_silent,
            ),
        ] {
            counter(&mut out, name, help, value.load(Ordering::Relaxed));
        }
        counter(
            &mut out,
            "notif_notifications_created_total",
            "Notifications committed.",
            self.notifications_created.load(Ordering::Relaxed),
        );
        for (name, help, value) in [
            (
                "notif_emails_sent_total",
                "Emails accepted by the SMTP relay.",
                &self.emails_sent,
            ),
            (
                "notif_emails_retried_total",
                "Email attempts that failed and will be retried.",
                &self.emails_retried,
            ),
            (
                "notif_emails_failed_total",
                "Emails given up on.",
                &self.emails_failed,
            ),
            (
                "notif_write_batches_redone_total",
                "Write batches redone with a savepoint per write, after one failed midway.",
                &self.batches_redone,
            ),
        ] {
            counter(&mut out, name, help, value.load(Ordering::Relaxed));
        }
        self.batch_sizes.render(
            &mut out,
            "notif_commit_batch_size",
            "Writes committed together in one transaction.",
        );
        self.commit_times.render(
            &mut out,
            "notif_commit_seconds",
            "Time a write batch took in the database, from its transaction's start to its commit.",
        );
        out
    }
}

fn gauge(out: &mut String, name: &str, help: &str, value: i64) {
    let _ = write!(
        out,
        "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}\n"
    );
}

fn counter(out: &mut String, name: &str, help: &str, value: u64) {
    let _ = write!(
        out,
        "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}\n"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_requests_and_a_cumulative_histogram() {
        let m = Metrics::default();
        m.record_request("GET /api/notifications", 200);
        m.record_request("GET /api/notifications", 200);
        m.record_batch(1);
        m.record_batch(3);
        m.record_batch(5000);
        m.record_commit(Duration::from_nanos(1_000_001));
        let text = m.render();
        assert!(text.contains(
            "notif_http_requests_total{route=\"GET /api/notifications\",status=\"200\"} 2"
        ));
        assert!(text.contains("notif_commit_batch_size_bucket{le=\"1\"} 1"));
        assert!(text.contains("notif_commit_batch_size_bucket{le=\"4\"} 2"));
        assert!(text.contains("notif_commit_batch_size_bucket{le=\"+Inf\"} 3"));
        assert!(text.contains("notif_commit_batch_size_sum 5004"));
        assert!(text.contains("notif_commit_seconds_bucket{le=\"0.001\"} 0"));
        assert!(text.contains("notif_commit_seconds_bucket{le=\"0.002\"} 1"));
        assert!(text.contains("notif_commit_seconds_sum 0.001000001"));
    }
}
