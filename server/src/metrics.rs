//! Counters for `/metrics`, rendered in the Prometheus text format. Plain atomics for the hot
//! paths; a std mutex (never held across an `.await`) for the request counts by route.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

/// Upper bounds of the commit batch size histogram.
const BATCH_BUCKETS: [u64; 8] = [1, 2, 4, 8, 16, 64, 256, 1024];

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
    /// Commit batches: a count per bucket of `BATCH_BUCKETS` (plus +Inf), sum and count.
    batch_buckets: [AtomicU64; BATCH_BUCKETS.len() + 1],
    batch_sum: AtomicU64,
    batch_count: AtomicU64,
}

impl Metrics {
    /// Counts one answered request.
    pub fn record_request(&self, route: &'static str, status: u16) {
        let mut requests = self.requests.lock().unwrap_or_else(|p| p.into_inner());
        *requests.entry((route, status)).or_default() += 1;
    }

    /// Counts one committed batch of `size` writes.
    pub fn record_batch(&self, size: usize) {
        let size = size as u64;
        let bucket = BATCH_BUCKETS
            .iter()
            .position(|&bound| size <= bound)
            .unwrap_or(BATCH_BUCKETS.len());
        self.batch_buckets[bucket].fetch_add(1, Ordering::Relaxed);
        self.batch_sum.fetch_add(size, Ordering::Relaxed);
        self.batch_count.fetch_add(1, Ordering::Relaxed);
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
        out.push_str(
            "# HELP notif_commit_batch_size Writes committed together in one transaction.\n",
        );
        out.push_str("# TYPE notif_commit_batch_size histogram\n");
        let mut cumulative = 0;
        for (i, bucket) in self.batch_buckets.iter().enumerate() {
            cumulative += bucket.load(Ordering::Relaxed);
            let le = BATCH_BUCKETS
                .get(i)
                .map_or("+Inf".to_owned(), u64::to_string);
            let _ = writeln!(
                out,
                "notif_commit_batch_size_bucket{{le=\"{le}\"}} {cumulative}"
            );
        }
        let _ = writeln!(
            out,
            "notif_commit_batch_size_sum {}",
            self.batch_sum.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "notif_commit_batch_size_count {}",
            self.batch_count.load(Ordering::Relaxed)
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
        let text = m.render();
        assert!(text.contains(
            "notif_http_requests_total{route=\"GET /api/notifications\",status=\"200\"} 2"
        ));
        assert!(text.contains("notif_commit_batch_size_bucket{le=\"1\"} 1"));
        assert!(text.contains("notif_commit_batch_size_bucket{le=\"4\"} 2"));
        assert!(text.contains("notif_commit_batch_size_bucket{le=\"+Inf\"} 3"));
        assert!(text.contains("notif_commit_batch_size_sum 5004"));
    }
}
