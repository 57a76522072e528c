//! The writes but notify (`notify`), each applied inside a batch's transaction (see
//! `batch`). A write that
//! touches a user's inbox locks that user's counter row first (the notification insert
//! takes it through its trigger), so one user's writes commit one after another on every
//! node while different users' run side by side; its events go out with `pg_notify` in the
//! same transaction, so they are heard only once committed, in commit order. Statements are
//! prepared once per connection.

use std::future::Future;

use deadpool_postgres::{GenericClient, Pool, Transaction};

use super::events;
use super::fault::Fail;
use super::reads;
use crate::model::{InboxEvent, Notification, Preferences, PreferencesPatch};
use crate::store::{ReadAllOutcome, StoreError};
use crate::timestamp::now_ms;
use crate::validate::MAX_CATEGORIES;

/// An idempotency key is honoured for this long.
pub const IDEMPOTENCY_TTL_MS: i64 = 24 * 60 * 60 * 1000;
/// Attempts at a transaction that keeps meeting deadlocks or serialization failures.
const ATTEMPTS: u32 = 5;

/// Runs `once` until it succeeds, fails for good, or has met `ATTEMPTS` conflicts.
pub async fn retrying<T, F, Fut>(once: F) -> Result<T, StoreError>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, Fail>>,
{
    let mut attempt = 1;
    loop {
        match once().await {
            Err(fail) if fail.is_retryable() && attempt < ATTEMPTS => {
                tracing::debug!(attempt, "a transaction met a conflict; running it again");
                attempt += 1;
            }
            result => return result.map_err(StoreError::from),
        }
    }
}

/// The statement that sends a payload on `events::CHANNEL`.
pub const NOTIFY_PAYLOAD_SQL: &str = "SELECT pg_notify($1, $2)";

/// Sends `event` to every node once the transaction commits.
async fn announce(tx: &Transaction<'_>, event: &InboxEvent) -> Result<(), Fail> {
    let stmt = tx.prepare_cached(NOTIFY_PAYLOAD_SQL).await?;
    for payload in events::encode(event) {
        tx.execute(&stmt, &[&events::CHANNEL, &payload]).await?;
    }
    Ok(())
}

/// Locks `user`'s counter row: every write to one inbox takes it first, so they queue in one
/// order (no deadlock between a read-all and a mark) and their events follow commit order.
async fn lock_user(tx: &Transaction<'_>, user: &str) -> Result<(), Fail> {
    let stmt = tx
        .prepare_cached("SELECT 1 FROM user_counters WHERE user_id = $1 FOR UPDATE")
        .await?;
    tx.query_opt(&stmt, &[&user]).await?;
    Ok(())
}

/// Marks one notification read (`true`) or unread.
pub async fn set_read(
    tx: &Transaction<'_>,
    user_id: &str,
    id: &str,
    read: bool,
) -> Result<Notification, Fail> {
    lock_user(tx, user_id).await?;
    let current = reads::get(tx, user_id, id).await?;
    if current.read_at.is_some() == read {
        return Ok(current);
    }
    let read_at = read.then(now_ms);
    let stmt = tx
        .prepare_cached(
            "UPDATE notifications SET unread = $3, read_at = $4 WHERE user_id = $1 AND seq = $2",
        )
        .await?;
    tx.execute(&stmt, &[&user_id, &current.seq, &!read, &read_at])
        .await?;
    let event = InboxEvent::ReadChanged {
        user_id: user_id.to_owned(),
        ids: vec![current.id.clone()],
        unread_count: reads::unread_count(tx, user_id).await?,
    };
    announce(tx, &event).await?;
    Ok(Notification { read_at, ..current })
}

/// Marks all of a user's notifications read.
pub async fn read_all(tx: &Transaction<'_>, user_id: &str) -> Result<ReadAllOutcome, Fail> {
    lock_user(tx, user_id).await?;
    let stmt = tx
        .prepare_cached(
            "UPDATE notifications SET unread = false, read_at = $2 WHERE user_id = $1 AND unread
             RETURNING id",
        )
        .await?;
    let rows = tx.query(&stmt, &[&user_id, &now_ms()]).await?;
    let ids = rows
        .iter()
        .map(|r| r.try_get::<_, String>(0))
        .collect::<Result<Vec<_>, _>>()?;
    let unread_count = reads::unread_count(tx, user_id).await?;
    let updated = ids.len() as u64;
    if !ids.is_empty() {
        let event = InboxEvent::ReadChanged {
            user_id: user_id.to_owned(),
            ids,
            unread_count,
        };
        announce(tx, &event).await?;
    }
    Ok(ReadAllOutcome {
        updated,
        unread_count,
    })
}

/// Deletes one notification of the user.
pub async fn delete(tx: &Transaction<'_>, user_id: &str, id: &str) -> Result<(), Fail> {
    lock_user(tx, user_id).await?;
    let stmt = tx
        .prepare_cached("DELETE FROM notifications WHERE id = $1 AND user_id = $2")
        .await?;
    if tx.execute(&stmt, &[&id, &user_id]).await? == 0 {
        return Err(StoreError::NotFound.into());
    }
    let event = InboxEvent::Deleted {
        user_id: user_id.to_owned(),
        id: id.to_owned(),
        unread_count: reads::unread_count(tx, user_id).await?,
    };
    announce(tx, &event).await?;
    Ok(())
}

/// Applies a preferences change and returns the result.
pub async fn update_preferences(
    tx: &Transaction<'_>,
    user_id: &str,
    patch: &PreferencesPatch,
) -> Result<Preferences, Fail> {
    let stmt = tx
        .prepare_cached(
            "INSERT INTO preferences (user_id, in_app, email) VALUES ($1, coalesce($2, true), coalesce($3, true))
             ON CONFLICT (user_id) DO UPDATE SET
                 in_app = coalesce($2, preferences.in_app), email = coalesce($3, preferences.email)",
        )
        .await?;
    tx.execute(&stmt, &[&user_id, &patch.in_app, &patch.email])
        .await?;
    for (category, entry) in &patch.categories {
        match entry {
            None => {
                let stmt = tx
                    .prepare_cached(
                        "DELETE FROM category_preferences WHERE user_id = $1 AND category = $2",
                    )
                    .await?;
                tx.execute(&stmt, &[&user_id, category]).await?;
            }
            Some(entry) => {
                let stmt = tx
                    .prepare_cached(
                        "INSERT INTO category_preferences (user_id, category, in_app, email) VALUES ($1, $2, $3, $4)
                         ON CONFLICT (user_id, category) DO UPDATE SET
                             in_app = coalesce($3, category_preferences.in_app),
                             email = coalesce($4, category_preferences.email)",
                    )
                    .await?;
                tx.execute(&stmt, &[&user_id, category, &entry.in_app, &entry.email])
                    .await?;
            }
        }
    }
    let stmt = tx
        .prepare_cached("SELECT count(*) FROM category_preferences WHERE user_id = $1")
        .await?;
    let count: i64 = tx.query_one(&stmt, &[&user_id]).await?.try_get(0)?;
    if usize::try_from(count).unwrap_or(usize::MAX) > MAX_CATEGORIES {
        return Err(StoreError::Invalid {
            field: "categories".into(),
            problem: format!("at most {MAX_CATEGORIES} categories (this would make {count})"),
        }
        .into());
    }
    reads::preferences(tx, user_id).await
}

/// Notes a token's last use.
pub async fn touch_token(pool: &Pool, token_id: i64, at_ms: i64) -> Result<(), Fail> {
    let client = pool.get().await?;
    let stmt = client
        .prepare_cached("UPDATE tokens SET last_used_at = $2 WHERE id = $1")
        .await?;
    client.execute(&stmt, &[&token_id, &at_ms]).await?;
    Ok(())
}
