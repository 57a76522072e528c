//! The total time a command may wait for the server (`--timeout`, 10 s by default),
//! retries included, so that a server that accepts connections but never answers
//! cannot hold a script for minutes. After a moment without an answer, stderr says
//! what is being waited for.

use std::future::Future;
use std::time::Duration;

use crate::error::CliError;

/// `--timeout` when not given: long enough for a few retries of `send`, shorter than
/// typical CI step limits.
pub const DEFAULT_TIMEOUT: &str = "10s";

/// How long a command waits quietly before saying on stderr what it waits for.
const NOTICE_AFTER: Duration = Duration::from_secs(2);

/// Runs `work` (talking to `server`), failing with [`CliError::TimedOut`] (exit 5)
/// when it takes longer than `limit`.
pub async fn within<T>(
    limit: Duration,
    server: &str,
    work: impl Future<Output = anyhow::Result<T>>,
) -> anyhow::Result<T> {
    let mut work = std::pin::pin!(work);
    let quiet = NOTICE_AFTER.min(limit);
    if let Ok(done) = tokio::time::timeout(quiet, &mut work).await {
        return done;
    }
    if quiet < limit {
        eprintln!(
            "notif: waiting for {server} (giving up after {} in all; see --timeout)",
            humantime::format_duration(limit)
        );
    }
    match tokio::time::timeout(limit - quiet, work).await {
        Ok(done) => done,
        Err(_) => Err(CliError::TimedOut {
            server: server.to_owned(),
            after: humantime::format_duration(limit).to_string(),
        }
        .into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::exit_code;

    #[tokio::test(start_paused = true)]
    async fn slow_work_times_out_with_exit_5_and_fast_work_finishes() {
        let limit = Duration::from_secs(10);
        let never = std::future::pending::<anyhow::Result<()>>();
        let err = within(limit, "http://s", never).await.unwrap_err();
        assert_eq!(exit_code(&err), 5);
        assert_eq!(
            err.to_string(),
            "no answer from http://s within 10s (--timeout)"
        );
        let slow = async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            Ok(7)
        };
        assert_eq!(within(limit, "http://s", slow).await.unwrap(), 7);
    }
}
