//! Percentiles over latency samples: nearest-rank on a sorted copy, exact rather than
//! estimated, because a bench run holds at most a few million samples.

use std::time::Duration;

/// The summary of a set of latency samples, in nanoseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub count: usize,
    pub p50: u64,
    pub p90: u64,
    pub p99: u64,
    pub p999: u64,
    pub min: u64,
    pub max: u64,
}

impl Summary {
    /// Sorts `samples` in place and summarises them; all zeros when there are none.
    pub fn of(samples: &mut [u64]) -> Summary {
        samples.sort_unstable();
        Summary {
            count: samples.len(),
            p50: percentile(samples, 50.0),
            p90: percentile(samples, 90.0),
            p99: percentile(samples, 99.0),
            p999: percentile(samples, 99.9),
            min: samples.first().copied().unwrap_or(0),
            max: samples.last().copied().unwrap_or(0),
        }
    }
}

/// The nearest-rank `p`th percentile (0 < p ≤ 100) of ascending `sorted`: the smallest
/// sample that at least `p` % of the samples do not exceed. 0 for no samples.
pub fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Nanoseconds as milliseconds, for tables and JSON.
pub fn ms(nanos: u64) -> f64 {
    nanos as f64 / 1e6
}

/// A duration as whole nanoseconds (saturating: no bench sample is 584 years long).
pub fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let sorted: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&sorted, 50.0), 50);
        assert_eq!(percentile(&sorted, 99.0), 99);
        assert_eq!(percentile(&sorted, 99.9), 100);
        assert_eq!(percentile(&sorted, 100.0), 100);
        assert_eq!(percentile(&sorted, 0.1), 1);
    }

    #[test]
    fn small_and_empty_sets() {
        assert_eq!(percentile(&[], 50.0), 0);
        assert_eq!(percentile(&[7], 99.9), 7);
        assert_eq!(percentile(&[1, 2], 50.0), 1);
        assert_eq!(percentile(&[1, 2], 51.0), 2);
    }

    #[test]
    fn summary_sorts_first() {
        let mut samples = vec![5, 1, 4, 2, 3];
        let summary = Summary::of(&mut samples);
        assert_eq!(samples, [1, 2, 3, 4, 5]);
        assert_eq!(
            (summary.count, summary.min, summary.p50, summary.max),
            (5, 1, 3, 5)
        );
        assert_eq!(Summary::of(&mut []), Summary::default());
    }
}
