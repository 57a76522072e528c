//! The email channel: notifications whose preferences ask for email are queued in the
//! outbox (in the notification's own transaction, by the store's writer); the worker here
//! sends them through SMTP with lettre, retrying with exponential back-off.

mod message;
mod worker;

use std::time::Duration;

use lettre::message::Mailbox;

pub use message::build as build_message;
pub use worker::run as run_worker;

/// How the email channel is set up. Without it the channel is off.
#[derive(Debug, Clone)]
pub struct EmailConfig {
    /// `smtp://host:port`, `smtps://user:pass@host`, `smtp://host?tls=required`.
    pub smtp_url: String,
    pub from: Mailbox,
    /// Where the server is reached from outside, for the `List-Unsubscribe` hint; `None`
    /// until the server knows its bound address, which is then the default.
    pub public_url: Option<String>,
    /// The wait after the first failure; it doubles with each further one.
    pub retry_base: Duration,
    /// Attempts before an email is marked failed.
    pub max_attempts: u32,
}

impl EmailConfig {
    /// The wait before attempt `attempts + 1`, after `attempts` failures: base × 2^(n−1),
    /// at most an hour.
    pub fn backoff(&self, attempts: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempts.saturating_sub(1));
        self.retry_base
            .saturating_mul(factor)
            .min(Duration::from_secs(3600))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        let config = EmailConfig {
            smtp_url: String::new(),
            from: "notif <notif@localhost>".parse().unwrap(),
            public_url: None,
            retry_base: Duration::from_secs(5),
            max_attempts: 8,
        };
        assert_eq!(config.backoff(1), Duration::from_secs(5));
        assert_eq!(config.backoff(2), Duration::from_secs(10));
        assert_eq!(config.backoff(4), Duration::from_secs(40));
        assert_eq!(config.backoff(30), Duration::from_secs(3600));
    }
}
