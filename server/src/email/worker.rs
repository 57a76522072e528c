//! The delivery worker: one task that sends due outbox entries, records each attempt
//! through the store's writer, and sleeps until the next entry is due or the writer says a
//! new one was queued. A restart resumes whatever is still pending.
//!
//! An attempt whose result could not be recorded (disk full, another process holding the
//! write lock) is kept here and recorded again, with a growing wait, before anything else is
//! sent: the entry still looks due in the database, and sending it again would resend the
//! email in a tight loop for as long as recording fails.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::EmailConfig;
use crate::metrics::Metrics;
use crate::store::{EmailResult, OutboxEntry, Store};
use crate::timestamp::now_ms;

/// Entries taken per round.
const BATCH: u32 = 32;
/// The longest sleep between rounds, so a missed wake-up costs at most this.
const MAX_IDLE: Duration = Duration::from_secs(60);
/// The first wait after recording an attempt failed; it doubles up to `MAX_IDLE`.
const RECORD_RETRY: Duration = Duration::from_secs(1);

/// Sends queued emails until `shutdown`.
pub async fn run(
    store: Arc<dyn Store>,
    config: EmailConfig,
    wake: Arc<Notify>,
    metrics: Arc<Metrics>,
    shutdown: CancellationToken,
) {
    let transport = match AsyncSmtpTransport::<Tokio1Executor>::from_url(&config.smtp_url) {
        Ok(builder) => builder.timeout(Some(Duration::from_secs(15))).build(),
        Err(err) => {
            tracing::error!(%err, "the SMTP URL is not usable; emails stay queued");
            return;
        }
    };
    let mut unrecorded: Option<(i64, EmailResult)> = None;
    let mut record_wait = RECORD_RETRY;
    loop {
        if let Some((id, result)) = unrecorded.take() {
            if let Err(err) = store.record_email(id, result.clone()).await {
                tracing::warn!(%err, id, wait = ?record_wait, "still cannot record an email attempt; sending nothing until it is");
                unrecorded = Some((id, result));
                tokio::select! {
                    () = shutdown.cancelled() => return,
                    () = tokio::time::sleep(record_wait) => {}
                }
                record_wait = (record_wait * 2).min(MAX_IDLE);
                continue;
            }
            record_wait = RECORD_RETRY;
        }
        let due = match store.due_emails(now_ms(), BATCH).await {
            Ok(due) => due,
            Err(err) => {
                tracing::error!(%err, "could not read the email outbox");
                Vec::new()
            }
        };
        let full_batch = due.len() as u32 == BATCH;
        for entry in due {
            if shutdown.is_cancelled() {
                return;
            }
            let result = attempt(&transport, &config, &entry).await;
            count(&metrics, &result);
            if let Err(err) = store.record_email(entry.id, result.clone()).await {
                tracing::error!(%err, id = entry.id, "could not record an email attempt; will retry before sending more");
                unrecorded = Some((entry.id, result));
                break;
            }
        }
        if unrecorded.is_some() {
            continue;
        }
        if full_batch {
            continue;
        }
        let wait = match store.next_email_at().await {
            Ok(Some(at)) => Duration::from_millis((at - now_ms()).max(0) as u64).min(MAX_IDLE),
            _ => MAX_IDLE,
        };
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = wake.notified() => {}
            () = tokio::time::sleep(wait) => {}
        }
    }
}

/// One delivery attempt, and what it means for the entry.
async fn attempt(
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    config: &EmailConfig,
    entry: &OutboxEntry,
) -> EmailResult {
    let public_url = config.public_url.as_deref().unwrap_or_default();
    let sent = match super::build_message(entry, &config.from, public_url) {
        Ok(message) => transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string()),
        // An email that cannot be built will never be: no retry.
        Err(error) => return EmailResult::Failed { error },
    };
    match sent {
        Ok(()) => {
            tracing::debug!(id = entry.id, to = %entry.to_address, "email sent");
            EmailResult::Sent { at_ms: now_ms() }
        }
        Err(error) if entry.attempts + 1 >= config.max_attempts => {
            tracing::warn!(id = entry.id, %error, "email failed for the last time");
            EmailResult::Failed { error }
        }
        Err(error) => {
            let wait = config.backoff(entry.attempts + 1);
            tracing::info!(id = entry.id, %error, ?wait, "email failed; will retry");
            EmailResult::Retry {
                error,
                next_attempt_at: now_ms() + wait.as_millis() as i64,
            }
        }
    }
}

fn count(metrics: &Metrics, result: &EmailResult) {
    let counter = match result {
        EmailResult::Sent { .. } => &metrics.emails_sent,
        EmailResult::Retry { .. } => &metrics.emails_retried,
        EmailResult::Failed { .. } => &metrics.emails_failed,
    };
    counter.fetch_add(1, Ordering::Relaxed);
}
