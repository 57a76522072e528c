//! The notify write: honour an idempotency key, create the notification as the user's
//! preferences allow, queue its email, and remember the answer for the key.

use rusqlite::{Connection, OptionalExtension, params};

use super::{Recipients, Written};
use crate::ids;
use crate::model::{Delivered, InboxEvent, NewNotification, Notification, NotifyResponse};
use crate::store::{NotifyCommand, NotifyOutcome, StoreError, outbox, stored_id};

/// An idempotency key is honoured for this long.
pub const IDEMPOTENCY_TTL_MS: i64 = 24 * 60 * 60 * 1000;
/// Idempotency records kept per token at most; beyond, its oldest are forgotten (a retry
/// with a forgotten key creates the notification again).
pub const MAX_KEYS_PER_TOKEN: i64 = 1000;
/// Bytes of stored answers (and keys) kept per token at most, likewise.
pub const MAX_KEY_BYTES_PER_TOKEN: i64 = 4 * 1024 * 1024;

/// Creates the notification of `command` at `now` (`email`: whether the email channel is
/// on), or replays the first answer to the same idempotent request. A created in-app
/// notification is the one event. For tests: one notify on its own, in a savepoint that a
/// failure rolls back, as the writer would (which uses [`notify_with`]).
#[cfg(test)]
pub fn notify(
    conn: &Connection,
    command: &NotifyCommand,
    email: bool,
    now: i64,
) -> Result<Written<NotifyOutcome>, StoreError> {
    conn.execute_batch("SAVEPOINT notify")?;
    let mut recipients = Recipients::default();
    let written = notify_with(conn, &mut recipients, command, email, now)
        .and_then(|written| recipients.write_counts(conn).map(|()| written));
    let end = match written {
        Ok(_) => "RELEASE notify",
        Err(_) => "ROLLBACK TO notify; RELEASE notify",
    };
    conn.execute_batch(end)?;
    written
}

/// Creates the notification of `command` as `notify` does, with the recipient's existence
/// and preferences taken from `recipients` (read into it on first use), and the
/// notification counted in its user's totals only when `recipients` writes its counts: the
/// writer's way, for a batch's notifications.
pub fn notify_with(
    conn: &Connection,
    recipients: &mut Recipients,
    command: &NotifyCommand,
    email: bool,
    now: i64,
) -> Result<Written<NotifyOutcome>, StoreError> {
    if let Some((token_id, key, hash)) = &command.idempotency {
        if let Some(body) = earlier_answer(conn, *token_id, key, hash, now)? {
            return Ok(Written::quiet(NotifyOutcome::Replayed(body)));
        }
    }
    let response = create(conn, recipients, &command.notification, email, now)?;
    if let Some((token_id, key, hash)) = &command.idempotency {
        remember(conn, (*token_id, key, hash), &response, now)?;
    }
    // Last: a write that failed is undone without it.
    if let Some(created) = &response.notification {
        recipients.count_created(&created.user_id);
    }
    let events = response
        .notification
        .iter()
        .map(|n| InboxEvent::Created(n.clone()))
        .collect();
    Ok(Written {
        value: NotifyOutcome::Created(response),
        events,
    })
}

/// The body first sent for this key, if it was sent in the last 24 hours for the same
/// request body; `IdempotencyConflict` for another body. An expired key is forgotten.
fn earlier_answer(
    conn: &Connection,
    token_id: i64,
    key: &str,
    hash: &[u8; 32],
    now: i64,
) -> Result<Option<String>, StoreError> {
    let earlier: Option<(Vec<u8>, String, i64)> = conn
        .prepare_cached(
            "SELECT request_hash, response, created_at FROM idempotency_keys WHERE token_id = ?1 AND key = ?2",
        )?
        .query_row(params![token_id, key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    match earlier {
        Some((_, _, at)) if now - at >= IDEMPOTENCY_TTL_MS => {
            conn.prepare_cached("DELETE FROM idempotency_keys WHERE token_id = ?1 AND key = ?2")?
                .execute(params![token_id, key])?;
            Ok(None)
        }
        Some((earlier_hash, body, _)) if earlier_hash == hash => Ok(Some(body)),
        Some(_) => Err(StoreError::IdempotencyConflict),
        None => Ok(None),
    }
}

/// Stores the notification (if in-app is on for it) and queues its email (if email is on
/// for it and the user has an address).
fn create(
    conn: &Connection,
    recipients: &mut Recipients,
    new: &NewNotification,
    email: bool,
    now: i64,
) -> Result<NotifyResponse, StoreError> {
    let Some(preferences) = recipients.preferences(conn, &new.user_id)? else {
        return Err(StoreError::UnknownUser(new.user_id.clone()));
    };
    let channels = preferences.channels_for(new.category.as_deref());
    let id = ids::notification_id(now);
    let address = if email && channels.email {
        outbox::email_of(conn, &new.user_id)?
    } else {
        None
    };
    if let Some(to) = &address {
        outbox::enqueue(conn, &id, new, to, now)?;
    }
    let notification = if channels.in_app {
        Some(insert(conn, id, new, now)?)
    } else {
        None
    };
    Ok(NotifyResponse {
        notification,
        delivered: Delivered {
            in_app: channels.in_app,
            email: address.is_some(),
        },
    })
}

/// Inserts the notification; its count goes to the user's totals, which `notify_with`'s
/// caller writes (the bookkeeping insert triggers did before migration 0008), and the
/// search index takes it at its next indexing, as it is above the index's watermark
/// (migration 0012).
fn insert(
    conn: &Connection,
    id: String,
    new: &NewNotification,
    now: i64,
) -> Result<Notification, StoreError> {
    conn.prepare_cached(
        "INSERT INTO notifications (id, user_id, type, title, body, link, category, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        stored_id::to_stored(&id),
        new.user_id,
        new.kind,
        new.title,
        new.body,
        new.link,
        new.category,
        now
    ])?;
    let seq = conn.last_insert_rowid();
    Ok(new.stored(id, seq, now))
}

/// Keeps the `201` body for the key. Serialised here, with its error: a body that cannot
/// be serialised fails the write rather than being stored as anything else.
fn remember(
    conn: &Connection,
    (token_id, key, hash): (i64, &str, &[u8; 32]),
    response: &NotifyResponse,
    now: i64,
) -> Result<(), StoreError> {
    let body = serde_json::to_string(response)
        .map_err(|err| rusqlite::Error::ToSqlConversionFailure(Box::new(err)))?;
    conn.prepare_cached(
        "INSERT INTO idempotency_keys (token_id, key, request_hash, status, response, created_at)
         VALUES (?1, ?2, ?3, 201, ?4, ?5)",
    )?
    .execute(params![token_id, key, &hash[..], body, now])?;
    cap_keys(conn, token_id, MAX_KEYS_PER_TOKEN, MAX_KEY_BYTES_PER_TOKEN)?;
    Ok(())
}

/// Forgets a token's oldest idempotency records beyond `max_keys` records or `max_bytes` of
/// answers and keys, so that one token cannot fill the disk within the 24 hours.
fn cap_keys(
    conn: &Connection,
    token_id: i64,
    max_keys: i64,
    max_bytes: i64,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "DELETE FROM idempotency_keys WHERE token_id = ?1 AND key IN (
             SELECT key FROM (
                 SELECT key,
                        row_number() OVER newest AS n,
                        sum(length(CAST(response AS BLOB)) + length(CAST(key AS BLOB))) OVER newest AS bytes
                 FROM idempotency_keys WHERE token_id = ?1
                 WINDOW newest AS (ORDER BY created_at DESC, key DESC)
             ) WHERE n > ?2 OR bytes > ?3)",
    )?
    .execute(params![token_id, max_keys, max_bytes])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::admin::add_token;
    use crate::store::testing::{add_user, database};
    use crate::store::{NotifyCommand, queries};

    fn count(conn: &Connection, table: &str) -> i64 {
        conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    }

    fn created(outcome: NotifyOutcome) -> NotifyResponse {
        match outcome {
            NotifyOutcome::Created(response) => response,
            NotifyOutcome::Replayed(body) => panic!("replayed {body}"),
        }
    }

    #[test]
    fn creates_the_notification_and_its_event() {
        let conn = database();
        add_user(&conn, "alice", None);
        let written = notify(&conn, &NotifyCommand::plain("alice", "hello"), false, 1_000).unwrap();
        let response = created(written.value);
        let n = response.notification.unwrap();
        assert_eq!(
            (n.title.as_str(), n.created_at, n.read_at),
            ("hello", 1_000, None)
        );
        assert_eq!(written.events, vec![InboxEvent::Created(n.clone())]);
        assert_eq!(queries::get(&conn, "alice", &n.id).unwrap(), n);
        assert_eq!(queries::unread_count(&conn, "alice").unwrap(), 1);
        assert_eq!(
            response.delivered,
            Delivered {
                in_app: true,
                email: false
            }
        );
    }

    #[test]
    fn an_unknown_user_is_refused() {
        let conn = database();
        let err = notify(&conn, &NotifyCommand::plain("nobody", "t"), false, 0).unwrap_err();
        assert!(matches!(err, StoreError::UnknownUser(u) if u == "nobody"));
    }

    #[test]
    fn preferences_choose_the_channels() {
        let conn = database();
        add_user(&conn, "alice", Some("alice@example.com"));
        conn.execute(
            "INSERT INTO preferences (user_id, in_app, email) VALUES ('alice', 0, 1)",
            [],
        )
        .unwrap();
        let written = notify(&conn, &NotifyCommand::plain("alice", "t"), true, 0).unwrap();
        let response = created(written.value);
        assert!(response.notification.is_none() && written.events.is_empty());
        assert_eq!(
            response.delivered,
            Delivered {
                in_app: false,
                email: true
            }
        );
        assert_eq!(
            (count(&conn, "notifications"), count(&conn, "email_outbox")),
            (0, 1)
        );
        let off = notify(&conn, &NotifyCommand::plain("alice", "t"), false, 0).unwrap();
        assert!(
            !created(off.value).delivered.email,
            "the email channel is off"
        );
        assert_eq!(count(&conn, "email_outbox"), 1);
    }

    #[test]
    fn issue11_point5_idempotency_records_are_capped_per_token() {
        let conn = database();
        add_user(&conn, "alice", None);
        let (token, _) = add_token(&conn, None, None).unwrap();
        let (other, _) = add_token(&conn, None, None).unwrap();
        let keyed = |token: i64, key: &str, at: i64| {
            let mut cmd = NotifyCommand::plain("alice", "t");
            cmd.idempotency = Some((token, key.into(), [0; 32]));
            notify(&conn, &cmd, false, at).unwrap();
        };
        keyed(other, "theirs", 0);
        for i in 0..(MAX_KEYS_PER_TOKEN + 3) {
            keyed(token, &format!("k{i}"), i);
        }
        let kept = |token: i64| -> Vec<String> {
            conn.prepare("SELECT key FROM idempotency_keys WHERE token_id = ?1 ORDER BY created_at")
                .unwrap()
                .query_map([token], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        let mine = kept(token);
        assert_eq!(mine.len() as i64, MAX_KEYS_PER_TOKEN);
        assert_eq!(mine[0], "k3", "the oldest went first");
        assert_eq!(kept(other), ["theirs"], "another token's are its own");

        let size: i64 = conn
            .query_row(
                "SELECT length(response) + length(key) FROM idempotency_keys WHERE key = 'k1002'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        cap_keys(&conn, token, i64::MAX, 3 * size).unwrap();
        assert_eq!(kept(token).len(), 3, "by bytes too");
    }

    #[test]
    fn an_idempotent_request_is_answered_once_for_a_day() {
        let conn = database();
        add_user(&conn, "alice", None);
        let (token, _) = add_token(&conn, None, None).unwrap();
        let mut cmd = NotifyCommand::plain("alice", "once");
        cmd.idempotency = Some((token, "k".into(), [1; 32]));
        let first = created(notify(&conn, &cmd, false, 0).unwrap().value);
        let again = notify(&conn, &cmd, false, 1_000).unwrap();
        let NotifyOutcome::Replayed(body) = again.value else {
            panic!("not replayed")
        };
        assert_eq!(body, serde_json::to_string(&first).unwrap());
        assert!(again.events.is_empty());
        assert_eq!(count(&conn, "notifications"), 1);

        let mut other_body = cmd.clone();
        other_body.idempotency = Some((token, "k".into(), [2; 32]));
        let err = notify(&conn, &other_body, false, 1_000).unwrap_err();
        assert!(matches!(err, StoreError::IdempotencyConflict));

        let later = notify(&conn, &other_body, false, IDEMPOTENCY_TTL_MS).unwrap();
        assert!(
            matches!(later.value, NotifyOutcome::Created(_)),
            "the key expired"
        );
        assert_eq!(count(&conn, "notifications"), 2);
    }
}
