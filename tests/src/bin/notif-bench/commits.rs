//! The server's commit times over a stretch of a run, from `notif_commit_seconds` in its
//! `/metrics` (read before and after): how many write batches it committed, how long they
//! took together, and how many were slow.
//!
//! Fan-out reports them because its tail follows them: a write waits for the commit in
//! progress and then its own, and every stream of the users written to waits with it. With
//! `--sync full` a commit is counted until the flush of the log after it, which the streams
//! wait for 1 ms at most (see the server's `store/writer/flusher.rs`) and each fixed-rate
//! sender waits for in full, for its answer: the senders fall behind during a slow flush
//! and catch up after it.

use std::fmt;
use std::net::SocketAddr;

use crate::http::Conn;
use crate::protocol::Protocol;
use crate::report;
use crate::server::Target;

const METRIC: &str = "notif_commit_seconds";
/// The bounds (in seconds, each one of the metric's buckets, and in milliseconds as
/// printed) past which a commit counts as slow in the summary.
const SLOW: [(f64, u32); 3] = [(0.005, 5), (0.025, 25), (0.1, 100)];

/// The histogram as read, or the difference of two readings.
#[derive(Debug, Clone, PartialEq)]
pub struct CommitTimes {
    /// Each bucket's upper bound in seconds and the commits at most that long.
    buckets: Vec<(f64, u64)>,
    seconds: f64,
    count: u64,
}

impl CommitTimes {
    /// Reads the histogram when `addrs` is `target`'s one node (a second node's commits
    /// are not in this one's metrics).
    pub async fn read_one_node(target: &Target, addrs: &[SocketAddr]) -> Option<CommitTimes> {
        match addrs {
            [addr] if *addr == target.addr => CommitTimes::read(target).await,
            _ => None,
        }
    }

    /// What `target` committed since `before` was read (none without it).
    pub async fn since(target: &Target, before: Option<CommitTimes>) -> Option<CommitTimes> {
        let before = before?;
        Some(CommitTimes::read(target).await?.minus(&before))
    }

    /// Reads the histogram from the server `target` names; `None` for nchan, or (saying
    /// why on stderr) when its `/metrics` cannot be read or has no such histogram.
    async fn read(target: &Target) -> Option<CommitTimes> {
        if target.protocol != Protocol::Notif {
            return None;
        }
        let read = async {
            let mut conn = Conn::connect(target.addr).await?;
            // `/metrics` takes no token unless the server was given a --metrics-token.
            let reply = conn.send(hyper::Method::GET, "/metrics", "", None).await?;
            anyhow::ensure!(
                reply.status.is_success(),
                "/metrics answered {}",
                reply.status
            );
            CommitTimes::parse(&String::from_utf8_lossy(&reply.body))
                .ok_or_else(|| anyhow::anyhow!("/metrics has no {METRIC} histogram"))
        };
        read.await
            .map_err(|err| crate::progress(format_args!("the server's commits not read: {err:#}")))
            .ok()
    }

    /// The histogram in a Prometheus text exposition.
    pub fn parse(text: &str) -> Option<CommitTimes> {
        let mut buckets = Vec::new();
        let (mut seconds, mut count) = (None, None);
        for line in text.lines() {
            let Some(rest) = line.strip_prefix(METRIC) else {
                continue;
            };
            let Some((name, value)) = rest.rsplit_once(' ') else {
                continue;
            };
            if let Some(bound) = name
                .strip_prefix("_bucket{le=\"")
                .and_then(|b| b.strip_suffix("\"}"))
            {
                let bound = if bound == "+Inf" {
                    f64::INFINITY
                } else {
                    bound.parse().ok()?
                };
                buckets.push((bound, value.parse().ok()?));
            } else if name == "_sum" {
                seconds = value.parse().ok();
            } else if name == "_count" {
                count = value.parse().ok();
            }
        }
        // Each bound the summary counts past must be one of the buckets.
        let has = |bound: f64| buckets.iter().any(|&(b, _)| b == bound);
        if !SLOW.iter().all(|&(bound, _)| has(bound)) {
            return None;
        }
        Some(CommitTimes {
            buckets,
            seconds: seconds?,
            count: count?,
        })
    }

    /// What happened between `before` and this reading.
    fn minus(&self, before: &CommitTimes) -> CommitTimes {
        let earlier = |bound: f64| before.at_most(bound);
        CommitTimes {
            buckets: self
                .buckets
                .iter()
                .map(|&(bound, n)| (bound, n.saturating_sub(earlier(bound))))
                .collect(),
            seconds: (self.seconds - before.seconds).max(0.0),
            count: self.count.saturating_sub(before.count),
        }
    }

    /// Commits that took at most `bound` seconds (a bucket's bound; 0 for any other).
    fn at_most(&self, bound: f64) -> u64 {
        self.buckets
            .iter()
            .find(|&&(b, _)| b == bound)
            .map_or(0, |&(_, n)| n)
    }

    /// Commits that took longer than `bound` seconds (a bucket's bound).
    pub fn over(&self, bound: f64) -> u64 {
        self.count.saturating_sub(self.at_most(bound))
    }

    /// A lower bound of the time the commits longer than `bound` took together: each
    /// counted at its bucket's lower bound (the buckets are all the histogram keeps).
    pub fn seconds_over_at_least(&self, bound: f64) -> f64 {
        self.buckets
            .windows(2)
            .filter(|pair| pair[0].0 >= bound)
            .map(|pair| pair[1].1.saturating_sub(pair[0].1) as f64 * pair[0].0)
            .sum()
    }

    /// The report's note on these commits.
    pub fn note(&self) -> String {
        format!(
            "The server's commits while the notifications went out: {self} (with --sync \
             full each counted until it was on the disk). A notification waits for the \
             commit in progress and then its own, and so do the streams of its user: a slow \
             commit shows in the tail; a slow flush holds up the answers, and the senders \
             who wait for them, but the streams little (1 ms at most while fewer than \
             3,072 writes wait)."
        )
    }

    /// The figures as JSON cells, for `--json`.
    pub fn cells(&self) -> serde_json::Value {
        serde_json::json!({
            "commits": self.count,
            "commitSeconds": self.seconds,
            "commitsOver5Ms": self.over(SLOW[0].0),
            "secondsOver5MsAtLeast": self.seconds_over_at_least(SLOW[0].0),
            "commitsOver25Ms": self.over(SLOW[1].0),
            "commitsOver100Ms": self.over(SLOW[2].0),
        })
    }
}

/// "3,545 commits, 1.38 s in all; 54 over 5 ms (together at least 0.52 s), 11 over 25 ms,
/// 1 over 100 ms".
impl fmt::Display for CommitTimes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} commits, {:.2} s in all; ",
            report::thousands(self.count),
            self.seconds
        )?;
        let slow: Vec<String> = SLOW
            .iter()
            .map(|&(bound, ms)| format!("{} over {ms} ms", self.over(bound)))
            .collect();
        write!(
            f,
            "{} (together at least {:.2} s), {}",
            slow[0],
            self.seconds_over_at_least(SLOW[0].0),
            slow[1..].join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exposition(buckets: [u64; 5], sum: f64) -> String {
        let bounds = ["0.001", "0.005", "0.025", "0.1", "+Inf"];
        let mut text =
            String::from("# TYPE notif_commit_seconds histogram\nnotif_commit_seconds_total 7\n");
        for (bound, n) in bounds.iter().zip(buckets) {
            text.push_str(&format!("{METRIC}_bucket{{le=\"{bound}\"}} {n}\n"));
        }
        text.push_str(&format!(
            "{METRIC}_sum {sum}\n{METRIC}_count {}\n",
            buckets[4]
        ));
        text
    }

    #[test]
    fn the_difference_of_two_readings_counts_the_slow_commits_between_them() {
        let before = CommitTimes::parse(&exposition([10, 12, 12, 12, 12], 0.02)).unwrap();
        let after = CommitTimes::parse(&exposition([100, 150, 156, 158, 159], 1.52)).unwrap();
        let between = after.minus(&before);
        assert_eq!(between.count, 147);
        assert!((between.seconds - 1.5).abs() < 1e-9);
        assert_eq!(
            [between.over(0.005), between.over(0.025), between.over(0.1)],
            [9, 3, 1]
        );
        // 6 between 5 and 25 ms, 2 between 25 and 100, 1 over 100: 6 × 5 + 2 × 25 + 100 ms.
        assert!((between.seconds_over_at_least(0.005) - 0.18).abs() < 1e-9);
        assert_eq!(
            between.to_string(),
            "147 commits, 1.50 s in all; 9 over 5 ms (together at least 0.18 s), 3 over 25 ms, \
             1 over 100 ms"
        );
        assert_eq!(between.cells()["commitsOver25Ms"], 3);
    }

    #[test]
    fn an_exposition_without_the_histogram_or_its_bounds_reads_as_none() {
        assert_eq!(CommitTimes::parse("notif_commit_batch_size_sum 3\n"), None);
        assert_eq!(CommitTimes::parse(""), None);
        let other = exposition([1, 2, 3, 4, 5], 0.1).replace("le=\"0.025\"", "le=\"0.03\"");
        assert_eq!(CommitTimes::parse(&other), None);
    }
}
