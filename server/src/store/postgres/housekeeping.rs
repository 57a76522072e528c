//! Tidying a shared database: one node at a time (whichever holds the advisory lock) trims
//! users over the per-user maximum every minute and, hourly (or every retention period, if
//! shorter), forgets idempotency keys past their 24 hours, read notifications past the
//! retention, and sent or failed emails past the email retention. The SQLite writer does
//! the same in its idle moments.

use std::time::Duration;

use deadpool_postgres::{GenericClient, Pool};
use tokio_util::sync::CancellationToken;

use super::fault::Fail;
use super::writes::IDEMPOTENCY_TTL_MS;
use crate::store::Housekeeping;
use crate::timestamp::now_ms;

/// The advisory lock of housekeeping (any fixed number; this one spells "notifhk").
const HOUSEKEEPING_LOCK: i64 = 0x6e6f_7469_6668_6b00;
/// How often a node looks for users over the maximum.
const TRIM_EVERY: Duration = Duration::from_secs(60);

/// Runs housekeeping rounds until `shutdown`.
pub async fn run(pool: Pool, rules: Housekeeping, shutdown: CancellationToken) {
    let mut ticker = tokio::time::interval(TRIM_EVERY);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_cleanup = 0;
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            _ = ticker.tick() => {}
        }
        match round(&pool, rules, &mut last_cleanup).await {
            Ok(true) | Ok(false) => {}
            Err(fail) => {
                let err = crate::store::StoreError::from(fail);
                tracing::warn!(%err, "housekeeping failed; trying again later");
            }
        }
    }
}

/// One round under the lock; `false` when another node holds it.
pub async fn round(pool: &Pool, rules: Housekeeping, last_cleanup: &mut i64) -> Result<bool, Fail> {
    let client = pool.get().await?;
    let locked: bool = client
        .query_one("SELECT pg_try_advisory_lock($1)", &[&HOUSEKEEPING_LOCK])
        .await?
        .try_get(0)?;
    if !locked {
        return Ok(false);
    }
    let outcome = tidy(&client, rules, last_cleanup).await;
    client
        .execute("SELECT pg_advisory_unlock($1)", &[&HOUSEKEEPING_LOCK])
        .await?;
    outcome.map(|()| true)
}

async fn tidy(
    client: &deadpool_postgres::Object,
    rules: Housekeeping,
    last_cleanup: &mut i64,
) -> Result<(), Fail> {
    let max = i64::try_from(rules.max_per_user).unwrap_or(i64::MAX);
    let over = client
        .query(
            "SELECT user_id FROM user_counters WHERE notification_count > $1",
            &[&max],
        )
        .await?;
    for row in over {
        let user: String = row.try_get(0)?;
        let deleted = trim(client, &user, max).await?;
        tracing::info!(
            user,
            deleted,
            "trimmed to the most notifications kept per user"
        );
    }
    let now = now_ms();
    let retention_ms = i64::try_from(rules.retention.as_millis()).unwrap_or(i64::MAX);
    let email_ms = i64::try_from(rules.email_retention.as_millis()).unwrap_or(i64::MAX);
    if now - *last_cleanup < retention_ms.min(email_ms).clamp(1, 60 * 60 * 1000) {
        return Ok(());
    }
    *last_cleanup = now;
    delete_before(
        client,
        "DELETE FROM idempotency_keys WHERE created_at < $1",
        now - IDEMPOTENCY_TTL_MS,
    )
    .await?;
    let read_before = now.saturating_sub(retention_ms);
    let deleted = delete_before(
        client,
        "DELETE FROM notifications WHERE NOT unread AND read_at < $1",
        read_before,
    )
    .await?;
    if deleted > 0 {
        tracing::info!(deleted, "deleted read notifications past the retention");
    }
    let pruned = delete_before(
        client,
        "DELETE FROM email_outbox WHERE status <> 'pending' AND created_at < $1",
        now.saturating_sub(email_ms),
    )
    .await?;
    if pruned > 0 {
        tracing::info!(
            pruned,
            "deleted sent and failed emails past the email retention"
        );
    }
    Ok(())
}

/// Runs `delete`, whose one parameter is a time in Unix milliseconds; returns the rows gone.
async fn delete_before(
    client: &deadpool_postgres::Object,
    delete: &str,
    before: i64,
) -> Result<u64, Fail> {
    Ok(client.execute(delete, &[&before]).await?)
}

/// Trims those of `users` who are over `max` notifications (the writers call it after a
/// batch that gave them some, as the SQLite writer does when idle).
pub async fn trim_users(pool: &Pool, users: &[String], max: u64) -> Result<(), Fail> {
    let max = i64::try_from(max).unwrap_or(i64::MAX);
    if users.is_empty() || max == i64::MAX {
        return Ok(());
    }
    let client = pool.get().await?;
    let over = client
        .query(
            "SELECT user_id FROM user_counters WHERE user_id = ANY($1) AND notification_count > $2",
            &[&users, &max],
        )
        .await?;
    for row in over {
        let user: String = row.try_get(0)?;
        trim(&client, &user, max).await?;
    }
    Ok(())
}

/// Deletes `user`'s oldest notifications beyond `max`, read ones first, counting them under
/// the user's counter row (taken first, as every write to an inbox does), so two nodes
/// trimming at once do not both delete the same excess. Returns how many went.
async fn trim(client: &deadpool_postgres::Object, user: &str, max: i64) -> Result<i64, Fail> {
    client.batch_execute("BEGIN").await?;
    let done = async {
        let count: i64 = client
            .query_opt(
                "SELECT notification_count FROM user_counters WHERE user_id = $1 FOR UPDATE",
                &[&user],
            )
            .await?
            .map(|row| row.try_get(0))
            .transpose()?
            .unwrap_or(0);
        let excess = count - max;
        if excess > 0 {
            client
                .execute(
                    "DELETE FROM notifications WHERE user_id = $1 AND seq IN
                         (SELECT seq FROM notifications WHERE user_id = $1
                          ORDER BY unread, seq LIMIT $2)",
                    &[&user, &excess],
                )
                .await?;
        }
        Ok::<_, Fail>(excess.max(0))
    }
    .await;
    let end = if done.is_ok() { "COMMIT" } else { "ROLLBACK" };
    client.batch_execute(end).await?;
    done
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::postgres::{admin, admin_connection, connect};

    /// The first column of every row `sql` returns, as text.
    async fn texts(c: &deadpool_postgres::Object, sql: &str) -> Vec<String> {
        let rows = c.query(sql, &[]).await.unwrap();
        rows.iter().map(|r| r.get(0)).collect()
    }

    /// A small pool on `url`, as a node has.
    fn pool_on(url: &str) -> Pool {
        connect::pool(connect::config(url).unwrap(), 2).unwrap()
    }

    #[tokio::test]
    async fn one_node_at_a_time_tidies_and_trims_oldest_read_first() {
        let url = notif_tests::postgres::PgCluster::shared().database();
        let c = admin_connection(&url).await.unwrap();
        admin::add_user(&c, "alice", None).await.unwrap();
        for i in 0..6 {
            c.execute(
                "INSERT INTO notifications (id, user_id, type, title, unread, created_at)
                 VALUES ($1, 'alice', 'INFO', 't', $2, 0)",
                &[&format!("n{i}"), &(i != 1)],
            )
            .await
            .unwrap();
        }
        let pool = pool_on(&url);
        let rules = Housekeeping {
            retention: Duration::MAX,
            max_per_user: 4,
            email_retention: Duration::MAX,
        };
        // Another node holds the lock: this one leaves everything alone.
        c.execute("SELECT pg_advisory_lock($1)", &[&HOUSEKEEPING_LOCK])
            .await
            .unwrap();
        assert!(!round(&pool, rules, &mut 0).await.unwrap());
        c.execute("SELECT pg_advisory_unlock($1)", &[&HOUSEKEEPING_LOCK])
            .await
            .unwrap();
        assert!(round(&pool, rules, &mut 0).await.unwrap());
        assert_eq!(
            texts(&c, "SELECT id FROM notifications ORDER BY seq").await,
            ["n2", "n3", "n4", "n5"],
            "the read one went first, then the oldest"
        );
        let counts = c
            .query_one(
                "SELECT notification_count, unread_count FROM user_counters WHERE user_id = 'alice'",
                &[],
            )
            .await
            .unwrap();
        assert_eq!((counts.get::<_, i64>(0), counts.get::<_, i64>(1)), (4, 4));
    }

    #[tokio::test]
    async fn issue11_point5_sent_and_failed_emails_are_pruned_after_their_retention() {
        let url = notif_tests::postgres::PgCluster::shared().database();
        let c = admin_connection(&url).await.unwrap();
        admin::add_user(&c, "bob", Some("bob@example.com"))
            .await
            .unwrap();
        let old = now_ms() - 60_000;
        for (id, status, at) in [
            ("sent-old", "sent", old),
            ("failed-old", "failed", old),
            ("pending-old", "pending", old),
            ("sent-new", "sent", now_ms()),
        ] {
            c.execute(
                "INSERT INTO email_outbox (notification_id, user_id, to_address, type, title,
                                           status, next_attempt_at, created_at)
                 VALUES ($1, 'bob', 'bob@example.com', 'INFO', 't', $2, 0, $3)",
                &[&id, &status, &at],
            )
            .await
            .unwrap();
        }
        let pool = pool_on(&url);
        let rules = Housekeeping {
            retention: Duration::MAX,
            max_per_user: 1000,
            email_retention: Duration::from_secs(5),
        };
        assert!(round(&pool, rules, &mut 0).await.unwrap());
        let sql = "SELECT notification_id FROM email_outbox WHERE user_id = 'bob' ORDER BY id";
        assert_eq!(
            texts(&c, sql).await,
            ["pending-old", "sent-new"],
            "pending emails are never pruned"
        );
    }
}
