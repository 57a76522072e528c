//! A notify, in the transaction of its batch (see `batch`): one call of `notif_notify`
//! (migration V5), which reads the user's channels, writes the outbox row and the
//! notification (its trigger takes the user's sequence number under the counter row's lock)
//! and sends its event, in one round trip; with an idempotency key, the key is claimed first
//! and the answer kept after. A batch of plain notifies pipelines its calls (`pipeline`).

use deadpool_postgres::{GenericClient, Transaction};
use tokio_postgres::{Row, Statement};

use super::events;
use super::fault::Fail;
use super::writes::IDEMPOTENCY_TTL_MS;
use crate::ids;
use crate::model::{Delivered, Notification, NotifyResponse};
use crate::store::writes::{MAX_KEY_BYTES_PER_TOKEN, MAX_KEYS_PER_TOKEN};
use crate::store::{NotifyCommand, NotifyOutcome, StoreError};
use crate::timestamp::now_ms;

/// What a committed notify did, beyond its answer.
pub struct Notified {
    pub outcome: NotifyOutcome,
    pub created: bool,
    pub queued_email: bool,
    /// The user's notifications afterwards (`None` for a replay), to trim beyond the most
    /// kept.
    pub count: Option<i64>,
}

/// The one statement of a notify (`notif_notify`, migration V5): the user's channels, the
/// outbox row, the notification and its `NOTIFY` in one round trip.
pub const NOTIFY_SQL: &str = "SELECT known, seq, address, notifications \
     FROM notif_notify($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";

/// One notify's call of `NOTIFY_SQL`: its new id and time, and its event's payload.
pub struct NotifyCall<'a> {
    command: &'a NotifyCommand,
    /// The notification as created, but for its sequence number (taken by the insert).
    notification: Notification,
    payload: String,
}

impl<'a> NotifyCall<'a> {
    pub fn new(command: &'a NotifyCommand) -> NotifyCall<'a> {
        let new = &command.notification;
        // The sequence number is the database's to take (`notif_notify`).
        let now = now_ms();
        let notification = new.stored(ids::notification_id(now), 0, now);
        let payload = events::created(&notification);
        NotifyCall {
            command,
            notification,
            payload,
        }
    }

    /// Runs the call on `client` with `stmt` (prepared from `NOTIFY_SQL`); `marker`, the
    /// batch's end marker, is sent after its event. The request goes out when the future is
    /// first polled, so calls polled together are pipelined, in the order polled.
    pub async fn send(
        &self,
        client: &impl GenericClient,
        stmt: &Statement,
        email: bool,
        marker: Option<&str>,
    ) -> Result<Row, tokio_postgres::Error> {
        let n = &self.notification;
        client
            .query_one(
                stmt,
                &[
                    &events::CHANNEL,
                    &n.user_id,
                    &n.id,
                    &n.kind.as_str(),
                    &n.title,
                    &n.body,
                    &n.link,
                    &n.category,
                    &n.created_at,
                    &email,
                    &self.payload,
                    &marker,
                ],
            )
            .await
    }

    /// The notify's result from the call's row.
    pub fn finish(self, row: &Row) -> Result<Notified, Fail> {
        if !row.try_get::<_, bool>(0)? {
            let user = self.command.notification.user_id.clone();
            return Err(StoreError::UnknownUser(user).into());
        }
        let seq: Option<i64> = row.try_get(1)?;
        let address: Option<String> = row.try_get(2)?;
        let notification = seq.map(|seq| Notification {
            seq,
            ..self.notification
        });
        let created = notification.is_some();
        let response = NotifyResponse {
            notification,
            delivered: Delivered {
                in_app: created,
                email: address.is_some(),
            },
        };
        Ok(Notified {
            outcome: NotifyOutcome::Created(response),
            created,
            queued_email: address.is_some(),
            count: row.try_get(3)?,
        })
    }
}

/// Creates a notification as the user's preferences allow (`email`: the channel is on),
/// honouring its idempotency key.
pub async fn notify(
    tx: &Transaction<'_>,
    command: &NotifyCommand,
    email: bool,
) -> Result<Notified, Fail> {
    if let Some((token_id, key, hash)) = &command.idempotency {
        if let Some(earlier) = claim_key(tx, *token_id, key, hash, now_ms()).await? {
            return Ok(Notified {
                outcome: earlier,
                created: false,
                queued_email: false,
                count: None,
            });
        }
    }
    let stmt = tx.prepare_cached(NOTIFY_SQL).await?;
    let call = NotifyCall::new(command);
    let row = call.send(tx, &stmt, email, None).await?;
    let notified = call.finish(&row)?;
    if let (Some((token_id, key, _)), NotifyOutcome::Created(response)) =
        (&command.idempotency, &notified.outcome)
    {
        let stmt = tx
            .prepare_cached(
                "UPDATE idempotency_keys SET response = $3 WHERE token_id = $1 AND key = $2",
            )
            .await?;
        let body =
            serde_json::to_string(response).map_err(|e| StoreError::Commit(e.to_string()))?;
        tx.execute(&stmt, &[token_id, key, &body]).await?;
        cap_keys(tx, *token_id, MAX_KEYS_PER_TOKEN, MAX_KEY_BYTES_PER_TOKEN).await?;
    }
    Ok(notified)
}

/// Forgets a token's oldest idempotency records beyond `max_keys` of them or `max_bytes`
/// of stored answers and keys, as the SQLite store does: one token cannot fill the disk.
async fn cap_keys(
    tx: &impl GenericClient,
    token_id: i64,
    max_keys: i64,
    max_bytes: i64,
) -> Result<(), Fail> {
    let stmt = tx
        .prepare_cached(
            "DELETE FROM idempotency_keys WHERE token_id = $1 AND key IN (
                 SELECT key FROM (
                     SELECT key,
                            row_number() OVER newest AS n,
                            sum(octet_length(response) + octet_length(key)) OVER newest AS bytes
                       FROM idempotency_keys WHERE token_id = $1
                     WINDOW newest AS (ORDER BY created_at DESC, key DESC)
                 ) AS ranked WHERE n > $2 OR bytes > $3)",
        )
        .await?;
    tx.execute(&stmt, &[&token_id, &max_keys, &max_bytes])
        .await?;
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::cap_keys;
    use crate::store::postgres::{admin, admin_connection};

    #[tokio::test]
    async fn issue11_point5_a_tokens_oldest_idempotency_records_are_forgotten() {
        let url = notif_tests::postgres::PgCluster::shared().database();
        let c = admin_connection(&url).await.unwrap();
        let (mine, _) = admin::add_token(&c, None, Some("ci")).await.unwrap();
        let (other, _) = admin::add_token(&c, None, Some("other")).await.unwrap();
        for (token, key, at) in [
            (mine, "k1", 1_i64),
            (mine, "k2", 2),
            (mine, "k3", 3),
            (mine, "k4", 4),
            (other, "k1", 1),
        ] {
            c.execute(
                "INSERT INTO idempotency_keys (token_id, key, request_hash, status, response, created_at)
                 VALUES ($1, $2, '\\x00', 201, repeat('x', 100), $3)",
                &[&token, &key, &at],
            )
            .await
            .unwrap();
        }
        let keys = |token: i64| {
            let c = &c;
            async move {
                c.query(
                    "SELECT key FROM idempotency_keys WHERE token_id = $1 ORDER BY key",
                    &[&token],
                )
                .await
                .unwrap()
                .iter()
                .map(|r| r.get::<_, String>(0))
                .collect::<Vec<_>>()
            }
        };
        cap_keys(&c, mine, 3, i64::MAX).await.unwrap();
        assert_eq!(
            keys(mine).await,
            ["k2", "k3", "k4"],
            "the oldest goes first"
        );
        // 102 bytes a record: two fit in 250.
        cap_keys(&c, mine, 1000, 250).await.unwrap();
        assert_eq!(keys(mine).await, ["k3", "k4"]);
        assert_eq!(keys(other).await, ["k1"], "other tokens keep theirs");
    }
}
