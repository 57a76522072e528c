//! Back-off for retrying transient failures: `notif send` retries its request and
//! [`Subscription`](super::Subscription) reconnects the stream with it.

use std::future::Future;
use std::time::Duration;

use super::error::ApiError;

/// The longest a `Retry-After` is honoured; a longer one is cut to this.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// Exponential back-off: `start`, then doubling up to `max`.
#[derive(Debug, Clone)]
pub struct Backoff {
    start: Duration,
    max: Duration,
    next: Duration,
}

impl Backoff {
    /// Back-off starting at `start` and doubling up to `max`.
    pub fn new(start: Duration, max: Duration) -> Self {
        Self {
            start,
            max,
            next: start,
        }
    }

    /// The delay to wait now; the following one will be twice as long (up to `max`).
    pub fn next_delay(&mut self) -> Duration {
        let delay = self.next;
        self.next = (self.next * 2).min(self.max);
        delay
    }

    /// Starts again from `start`, after a success.
    pub fn reset(&mut self) {
        self.next = self.start;
    }
}

impl Default for Backoff {
    /// 500 ms, doubling up to 30 s.
    fn default() -> Self {
        Self::new(Duration::from_millis(500), Duration::from_secs(30))
    }
}

/// The delay before retrying after `err`: the server's `Retry-After` when it gave one
/// (capped at a minute), else the back-off's next delay.
pub fn delay_for(err: &ApiError, backoff: &mut Backoff) -> Duration {
    match err {
        ApiError::Http {
            retry_after: Some(after),
            ..
        } => {
            backoff.next_delay();
            (*after).min(MAX_RETRY_AFTER)
        }
        _ => backoff.next_delay(),
    }
}

/// Runs `op` until it succeeds, fails with a non-transient error, or has been retried
/// `retries` times; `on_retry` hears about each failure before its wait.
///
/// Only for operations that are safe to repeat (idempotent, or carrying an
/// `Idempotency-Key`).
pub async fn with_retries<T, F, Fut>(
    retries: u32,
    mut backoff: Backoff,
    mut op: F,
    mut on_retry: impl FnMut(&ApiError, Duration),
) -> Result<T, ApiError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ApiError>>,
{
    let mut attempt = 0;
    loop {
        match op().await {
            Err(err) if err.is_transient() && attempt < retries => {
                attempt += 1;
                let delay = delay_for(&err, &mut backoff);
                on_retry(&err, delay);
                tokio::time::sleep(delay).await;
            }
            result => return result,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn backoff_doubles_up_to_max_and_resets() {
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(5));
        let delays: Vec<u64> = (0..5).map(|_| b.next_delay().as_secs()).collect();
        assert_eq!(delays, [1, 2, 4, 5, 5]);
        b.reset();
        assert_eq!(b.next_delay(), Duration::from_secs(1));
    }

    #[test]
    fn retry_after_wins_over_backoff() {
        let err = ApiError::Http {
            status: 429,
            code: "rate_limited".into(),
            message: "slow down".into(),
            retry_after: Some(Duration::from_secs(7)),
        };
        assert_eq!(
            delay_for(&err, &mut Backoff::default()),
            Duration::from_secs(7)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn retries_transient_errors_then_gives_up() {
        let calls = Cell::new(0);
        let result: Result<(), ApiError> = with_retries(
            2,
            Backoff::default(),
            || {
                calls.set(calls.get() + 1);
                async {
                    Err(ApiError::Unreachable {
                        url: "u".into(),
                        reason: "r".into(),
                    })
                }
            },
            |_, _| {},
        )
        .await;
        assert!(result.is_err());
        assert_eq!(calls.get(), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn does_not_retry_client_errors() {
        let calls = Cell::new(0);
        let result: Result<(), ApiError> = with_retries(
            5,
            Backoff::default(),
            || {
                calls.set(calls.get() + 1);
                async { Err(ApiError::from_response(422, b"", None)) }
            },
            |_, _| {},
        )
        .await;
        assert_eq!(result.unwrap_err().status(), Some(422));
        assert_eq!(calls.get(), 1);
    }
}
