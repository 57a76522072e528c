//! Rate limiting by key (a token and its rate class, a client address): a token bucket for
//! each key, refilled at `rate` per second up to `burst`. A std mutex guards the buckets; it
//! is never held across an `.await`.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Buckets kept before idle ones (full again) are forgotten.
const PRUNE_ABOVE: usize = 10_000;

/// The limiter. `rate == 0` turns it off.
pub struct RateLimiter<K = i64> {
    rate: f64,
    burst: f64,
    buckets: Mutex<HashMap<K, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl<K: Hash + Eq + Clone> RateLimiter<K> {
    /// `rate` requests per second per key, bursts of up to `burst`.
    pub fn new(rate: u32, burst: u32) -> RateLimiter<K> {
        RateLimiter::with_rate(f64::from(rate), burst)
    }

    /// `count` events per key in any `window` (a bucket of `count` refilled over `window`);
    /// `count == 0` turns it off.
    pub fn per_window(count: u32, window: Duration) -> RateLimiter<K> {
        let rate = f64::from(count) / window.as_secs_f64().max(f64::MIN_POSITIVE);
        RateLimiter::with_rate(rate, count)
    }

    fn with_rate(rate: f64, burst: u32) -> RateLimiter<K> {
        RateLimiter {
            rate,
            burst: f64::from(burst.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Whether the limiter limits anything.
    pub fn is_on(&self) -> bool {
        self.rate > 0.0
    }

    /// Takes one request from `key`'s bucket, or says how long to wait for one.
    pub fn check(&self, key: &K) -> Result<(), Duration> {
        self.take_at(key, Instant::now(), true)
    }

    /// Whether `key`'s bucket holds a request, without taking it; else how long to wait.
    pub fn peek(&self, key: &K) -> Result<(), Duration> {
        self.take_at(key, Instant::now(), false)
    }

    fn take_at(&self, key: &K, now: Instant, take: bool) -> Result<(), Duration> {
        if !self.is_on() {
            return Ok(());
        }
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() > PRUNE_ABOVE {
            let (rate, burst) = (self.rate, self.burst);
            buckets.retain(|_, b| b.tokens + now.duration_since(b.at).as_secs_f64() * rate < burst);
        }
        if !take && !buckets.contains_key(key) {
            return Ok(());
        }
        let bucket = buckets.entry(key.clone()).or_insert(Bucket {
            tokens: self.burst,
            at: now,
        });
        let refilled = now.duration_since(bucket.at).as_secs_f64() * self.rate;
        bucket.tokens = (bucket.tokens + refilled).min(self.burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            if take {
                bucket.tokens -= 1.0;
            }
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / self.rate))
        }
    }

    #[cfg(test)]
    fn check_at(&self, key: K, now: Instant) -> Result<(), Duration> {
        self.take_at(&key, now, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_the_rate() {
        let limiter = RateLimiter::<i64>::new(10, 3);
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check_at(1, t0).is_ok());
        }
        let wait = limiter.check_at(1, t0).unwrap_err();
        assert!(
            wait <= Duration::from_millis(100) && wait > Duration::ZERO,
            "{wait:?}"
        );
        assert!(
            limiter.check_at(2, t0).is_ok(),
            "tokens have their own buckets"
        );
        assert!(limiter.check_at(1, t0 + Duration::from_millis(100)).is_ok());
        assert!(
            limiter
                .check_at(1, t0 + Duration::from_millis(100))
                .is_err()
        );
    }

    #[test]
    fn zero_rate_is_off() {
        let limiter = RateLimiter::<i64>::new(0, 1);
        let now = Instant::now();
        for _ in 0..1000 {
            assert!(limiter.check_at(1, now).is_ok());
        }
    }

    #[test]
    fn a_window_allows_its_count_and_peeking_takes_nothing() {
        let limiter = RateLimiter::<&str>::per_window(2, Duration::from_secs(60));
        for _ in 0..5 {
            assert!(limiter.peek(&"a").is_ok());
        }
        assert!(limiter.check(&"a").is_ok());
        assert!(limiter.check(&"a").is_ok());
        let wait = limiter.peek(&"a").unwrap_err();
        assert!(wait > Duration::from_secs(20), "{wait:?}");
        assert!(limiter.peek(&"b").is_ok(), "keys have their own buckets");
    }
}
