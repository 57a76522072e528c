//! The writes, each applied inside a batch's transaction (see `batch`). A write that
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
use crate::ids;
use crate::model::{
    Delivered, InboxEvent, Notification, NotifyResponse, Preferences, PreferencesPatch,
};
use crate::store::{NotifyCommand, NotifyOutcome, ReadAllOutcome, StoreError};
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

/// Sends `event` to every node once the transaction commits.
async fn announce(tx: &Transaction<'_>, event: &InboxEvent) -> Result<(), Fail> {
    let stmt = tx.prepare_cached("SELECT pg_notify($1, $2)").await?;
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

/// What a committed notify did, beyond its answer.
pub struct Notified {
    pub outcome: NotifyOutcome,
    pub created: bool,
    pub queued_email: bool,
}

/// Creates a notification as the user's preferences allow (`email`: the channel is on).
pub async fn notify(
    tx: &Transaction<'_>,
    command: &NotifyCommand,
    email: bool,
) -> Result<Notified, Fail> {
    let now = now_ms();
    if let Some((token_id, key, hash)) = &command.idempotency {
        if let Some(earlier) = claim_key(tx, *token_id, key, hash, now).await? {
            return Ok(Notified {
                outcome: earlier,
                created: false,
                queued_email: false,
            });
        }
    }
    let new = &command.notification;
    let address = reads::email_of(tx, &new.user_id).await?;
    let channels = reads::preferences(tx, &new.user_id)
        .await?
        .channels_for(new.category.as_deref());
    let id = ids::notification_id();
    let address = address.filter(|_| email && channels.email);
    if let Some(to) = &address {
        let stmt = tx
            .prepare_cached(
                "INSERT INTO email_outbox (notification_id, user_id, to_address, type, title, body, link,
                                           category, next_attempt_at, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
            )
            .await?;
        tx.execute(
            &stmt,
            &[
                &id,
                &new.user_id,
                to,
                &new.kind.as_str(),
                &new.title,
                &new.body,
                &new.link,
                &new.category,
                &now,
            ],
        )
        .await?;
    }
    let notification = if channels.in_app {
        let stmt = tx
            .prepare_cached(
                "INSERT INTO notifications (id, user_id, type, title, body, link, category, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING seq",
            )
            .await?;
        let row = tx
            .query_one(
                &stmt,
                &[
                    &id,
                    &new.user_id,
                    &new.kind.as_str(),
                    &new.title,
                    &new.body,
                    &new.link,
                    &new.category,
                    &now,
                ],
            )
            .await?;
        let notification = Notification {
            seq: row.try_get(0)?,
            id,
            user_id: new.user_id.clone(),
            kind: new.kind,
            title: new.title.clone(),
            body: new.body.clone(),
            link: new.link.clone(),
            category: new.category.clone(),
            read_at: None,
            created_at: now,
        };
        announce(tx, &InboxEvent::Created(notification.clone())).await?;
        Some(notification)
    } else {
        None
    };
    let created = notification.is_some();
    let response = NotifyResponse {
        notification,
        delivered: Delivered {
            in_app: channels.in_app,
            email: address.is_some(),
        },
    };
    if let Some((token_id, key, _)) = &command.idempotency {
        let stmt = tx
            .prepare_cached(
                "UPDATE idempotency_keys SET response = $3 WHERE token_id = $1 AND key = $2",
            )
            .await?;
        let body =
            serde_json::to_string(&response).map_err(|e| StoreError::Commit(e.to_string()))?;
        tx.execute(&stmt, &[token_id, key, &body]).await?;
    }
    Ok(Notified {
        outcome: NotifyOutcome::Created(response),
        created,
        queued_email: address.is_some(),
    })
}

/// Takes an idempotency key for this request: `None` when it is ours now (new, or expired
/// and taken over), else the outcome of the earlier request. The insert comes first, so
/// the same key sent through another node at the same time waits here for that
/// transaction, then finds its row.
async fn claim_key(
    tx: &Transaction<'_>,
    token_id: i64,
    key: &str,
    hash: &[u8; 32],
    now: i64,
) -> Result<Option<NotifyOutcome>, Fail> {
    let insert = tx
        .prepare_cached(
            "INSERT INTO idempotency_keys (token_id, key, request_hash, status, response, created_at)
             VALUES ($1, $2, $3, 201, '', $4) ON CONFLICT (token_id, key) DO NOTHING",
        )
        .await?;
    if tx
        .execute(&insert, &[&token_id, &key, &&hash[..], &now])
        .await?
        == 1
    {
        return Ok(None);
    }
    let select = tx
        .prepare_cached(
            "SELECT request_hash, response, created_at FROM idempotency_keys
             WHERE token_id = $1 AND key = $2 FOR UPDATE",
        )
        .await?;
    let Some(row) = tx.query_opt(&select, &[&token_id, &key]).await? else {
        // Deleted in between (expired, or its token revoked and removed): take it afresh.
        tx.execute(&insert, &[&token_id, &key, &&hash[..], &now])
            .await?;
        return Ok(None);
    };
    let (earlier_hash, response, at): (Vec<u8>, String, i64) =
        (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
    if now - at >= IDEMPOTENCY_TTL_MS {
        let renew = tx
            .prepare_cached(
                "UPDATE idempotency_keys SET request_hash = $3, response = '', created_at = $4
                 WHERE token_id = $1 AND key = $2",
            )
            .await?;
        tx.execute(&renew, &[&token_id, &key, &&hash[..], &now])
            .await?;
        return Ok(None);
    }
    if earlier_hash != hash[..] {
        return Err(StoreError::IdempotencyConflict.into());
    }
    Ok(Some(NotifyOutcome::Replayed(response)))
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
