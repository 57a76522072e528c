//! A counter that can be awaited until it reaches a target: how the bench waits for "every
//! stream is open" or "every delivery arrived" without polling or sleeping.

use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

/// Shared by the tasks that count (`add`) and the one that waits (`wait_for`).
#[derive(Debug)]
pub struct Counter {
    value: AtomicU64,
    /// What the waiter waits for; `u64::MAX` while nobody waits.
    target: AtomicU64,
    reached: Notify,
}

impl Default for Counter {
    fn default() -> Self {
        Counter {
            value: AtomicU64::new(0),
            target: AtomicU64::new(u64::MAX),
            reached: Notify::new(),
        }
    }
}

impl Counter {
    /// Adds `n`, and wakes the waiter if that reaches its target.
    pub fn add(&self, n: u64) {
        let value = self.value.fetch_add(n, SeqCst) + n;
        if value >= self.target.load(SeqCst) {
            self.reached.notify_one();
        }
    }

    /// The current value.
    pub fn get(&self) -> u64 {
        self.value.load(SeqCst)
    }

    /// Waits until the value is at least `target` (true) or `timeout` passed (false).
    pub async fn wait_for(&self, target: u64, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        self.target.store(target, SeqCst);
        loop {
            if self.get() >= target {
                return true;
            }
            // A permit left by an earlier target only costs one more turn of the loop.
            if tokio::time::timeout_at(deadline, self.reached.notified())
                .await
                .is_err()
            {
                return self.get() >= target;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[tokio::test]
    async fn wakes_at_the_target_and_times_out_below_it() {
        let counter = Arc::new(Counter::default());
        let adder = Arc::clone(&counter);
        let task = tokio::spawn(async move {
            for _ in 0..10 {
                adder.add(1);
                tokio::task::yield_now().await;
            }
        });
        assert!(counter.wait_for(10, Duration::from_secs(10)).await);
        task.await.unwrap();
        assert!(!counter.wait_for(11, Duration::from_millis(10)).await);
    }
}
