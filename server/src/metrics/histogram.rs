//! Prometheus histograms over fixed bounds: a count per bucket and a sum, in plain atomics.
//! What is counted, and how its bounds read, is the histogram's [`Scale`].

use std::fmt::Write;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, Ordering};

/// What a histogram counts: its upper bounds, ascending, and how they are written.
pub trait Scale {
    /// The buckets' upper bounds, ascending (a last bucket, `+Inf`, takes the rest).
    const BOUNDS: &'static [u64];
    /// How many recorded units make the exposed unit: 1 for plain counts, 1,000,000,000
    /// for durations recorded in nanoseconds and exposed in seconds.
    const PER_UNIT: u64;
}

/// Counts of values by bucket of `S` (one more than its bounds, for `+Inf`), and their sum.
pub struct Histogram<S> {
    buckets: Box<[AtomicU64]>,
    sum: AtomicU64,
    scale: PhantomData<S>,
}

impl<S: Scale> Default for Histogram<S> {
    fn default() -> Self {
        debug_assert!(
            S::BOUNDS.windows(2).all(|pair| pair[0] < pair[1]),
            "bounds must ascend"
        );
        Histogram {
            buckets: (0..=S::BOUNDS.len()).map(|_| AtomicU64::new(0)).collect(),
            sum: AtomicU64::new(0),
            scale: PhantomData,
        }
    }
}

impl<S: Scale> Histogram<S> {
    /// Counts one value.
    pub fn observe(&self, value: u64) {
        let bucket = S::BOUNDS
            .iter()
            .position(|&bound| value <= bound)
            .unwrap_or(S::BOUNDS.len());
        self.buckets[bucket].fetch_add(1, Ordering::Relaxed);
        self.sum.fetch_add(value, Ordering::Relaxed);
    }

    /// Appends the histogram to `out` in the text exposition format, as `name`. The count
    /// is the last cumulative bucket's, so that the two always agree.
    pub fn render(&self, out: &mut String, name: &str, help: &str) {
        let _ = write!(out, "# HELP {name} {help}\n# TYPE {name} histogram\n");
        let mut cumulative = 0;
        for (i, bucket) in self.buckets.iter().enumerate() {
            cumulative += bucket.load(Ordering::Relaxed);
            let le = S::BOUNDS
                .get(i)
                .map_or("+Inf".to_owned(), |&bound| in_units::<S>(bound));
            let _ = writeln!(out, "{name}_bucket{{le=\"{le}\"}} {cumulative}");
        }
        let sum = in_units::<S>(self.sum.load(Ordering::Relaxed));
        let _ = write!(out, "{name}_sum {sum}\n{name}_count {cumulative}\n");
    }
}

/// `value` written in the exposed unit: as it is for plain counts, else as a decimal.
fn in_units<S: Scale>(value: u64) -> String {
    if S::PER_UNIT == 1 {
        value.to_string()
    } else {
        (value as f64 / S::PER_UNIT as f64).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Nanos;

    impl Scale for Nanos {
        const BOUNDS: &'static [u64] = &[250_000, 1_000_000, 2_000_000_000];
        const PER_UNIT: u64 = 1_000_000_000;
    }

    #[test]
    fn nanoseconds_are_exposed_as_seconds_in_cumulative_buckets() {
        let h = Histogram::<Nanos>::default();
        for nanos in [100_000, 250_000, 250_001, 3_000_000_000] {
            h.observe(nanos);
        }
        let mut out = String::new();
        h.render(&mut out, "t_seconds", "Time.");
        assert_eq!(
            out,
            "# HELP t_seconds Time.\n# TYPE t_seconds histogram\n\
             t_seconds_bucket{le=\"0.00025\"} 2\n\
             t_seconds_bucket{le=\"0.001\"} 3\n\
             t_seconds_bucket{le=\"2\"} 3\n\
             t_seconds_bucket{le=\"+Inf\"} 4\n\
             t_seconds_sum 3.000600001\n\
             t_seconds_count 4\n"
        );
    }
}
