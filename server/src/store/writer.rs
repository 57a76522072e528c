//! The single writer: one thread owns the write connection and commits in batches (group
//! commit). Requests queue their writes; the writer takes everything queued at that moment,
//! applies each in its own savepoint inside one transaction, commits once, then publishes the
//! committed events to the hub (in commit order) and answers each request.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread::{self, JoinHandle};

use crossbeam_channel::{Receiver, Sender};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use tokio::sync::{Notify, oneshot};

use super::outbox::{self, EmailResult};
use super::{NotifyCommand, NotifyOutcome, ReadAllOutcome, StoreError, queries};
use crate::hub::{Hub, HubEvent, to_json};
use crate::ids;
use crate::metrics::Metrics;
use crate::model::{Delivered, Notification, NotifyResponse, Preferences, PreferencesPatch};
use crate::timestamp::now_ms;

/// At most this many writes share one transaction.
const MAX_BATCH: usize = 1024;
/// An idempotency key is honoured for this long.
const IDEMPOTENCY_TTL_MS: i64 = 24 * 60 * 60 * 1000;
/// At most this many category entries per user.
pub const MAX_CATEGORIES: i64 = 100;

type Reply<T> = oneshot::Sender<Result<T, StoreError>>;

/// A write waiting for the writer.
pub enum WriteOp {
    Notify {
        command: NotifyCommand,
        reply: Reply<NotifyOutcome>,
    },
    SetRead {
        user_id: String,
        id: String,
        read: bool,
        reply: Reply<Notification>,
    },
    ReadAll {
        user_id: String,
        reply: Reply<ReadAllOutcome>,
    },
    Delete {
        user_id: String,
        id: String,
        reply: Reply<()>,
    },
    UpdatePreferences {
        user_id: String,
        patch: PreferencesPatch,
        reply: Reply<Preferences>,
    },
    TouchToken {
        token_id: i64,
        at_ms: i64,
    },
    RecordEmail {
        id: i64,
        result: EmailResult,
        reply: Reply<()>,
    },
    /// Commit what came before, then stop.
    Stop,
}

/// Sends a write's answer, or the commit's error (`Some(message)`) in its place.
type Settle = Box<dyn FnOnce(Option<&str>) + Send>;

/// What applying one write left to do once the batch is committed (or failed).
struct Applied {
    events: Vec<(String, HubEvent)>,
    created: u64,
    /// An email was queued: wake the delivery worker once committed.
    queued_email: bool,
    settle: Settle,
}

impl Applied {
    fn nothing() -> Applied {
        Applied {
            events: Vec::new(),
            created: 0,
            queued_email: false,
            settle: Box::new(|_| ()),
        }
    }

    fn answer<T: Send + 'static>(reply: Reply<T>, result: Result<T, StoreError>) -> Applied {
        Applied {
            events: Vec::new(),
            created: 0,
            queued_email: false,
            settle: Box::new(move |commit_error| {
                let result = match commit_error {
                    Some(message) => Err(StoreError::Commit(message.to_owned())),
                    None => result,
                };
                let _ = reply.send(result);
            }),
        }
    }
}

/// What the writer tidies when it is idle.
#[derive(Debug, Clone, Copy)]
pub struct Housekeeping {
    /// Read notifications older than this are deleted.
    pub retention: std::time::Duration,
    /// Notifications kept per user at most.
    pub max_per_user: u64,
}

impl Default for Housekeeping {
    fn default() -> Self {
        Housekeeping {
            retention: std::time::Duration::MAX,
            max_per_user: u64::MAX,
        }
    }
}

/// Who the writer tells about what it committed.
pub struct Listeners {
    /// Committed inbox events go to open streams.
    pub hub: Arc<Hub>,
    pub metrics: Arc<Metrics>,
    /// Woken when an email was queued; `None` when the email channel is off.
    pub outbox: Option<Arc<Notify>>,
}

/// Starts the writer thread on `conn`.
pub fn start(
    conn: Connection,
    listeners: Listeners,
    housekeeping: Housekeeping,
) -> Result<(Sender<WriteOp>, JoinHandle<()>), StoreError> {
    let (tx, rx) = crossbeam_channel::unbounded();
    let handle = thread::Builder::new()
        .name("notif-writer".into())
        .spawn(move || {
            Writer {
                conn,
                listeners,
                housekeeping,
                last_cleanup: 0,
                grown: HashSet::new(),
            }
            .run(&rx)
        })?;
    Ok((tx, handle))
}

struct Writer {
    conn: Connection,
    listeners: Listeners,
    housekeeping: Housekeeping,
    last_cleanup: i64,
    /// Users who got notifications since the last trim to `max_per_user`.
    grown: HashSet<String>,
}

impl Writer {
    fn run(mut self, rx: &Receiver<WriteOp>) {
        let mut batch = Vec::with_capacity(MAX_BATCH);
        while let Ok(first) = rx.recv() {
            batch.push(first);
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(op) => batch.push(op),
                    Err(_) => break,
                }
            }
            let stop = self.commit_batch(&mut batch);
            if stop {
                break;
            }
            if rx.is_empty() {
                self.idle_maintenance();
            }
        }
        tracing::debug!("writer stopped");
    }

    /// Applies and commits one batch; returns whether a `Stop` was in it.
    fn commit_batch(&mut self, batch: &mut Vec<WriteOp>) -> bool {
        let size = batch.len();
        let mut stop = false;
        let mut applied = Vec::with_capacity(size);
        let tx = match self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
        {
            Ok(tx) => tx,
            Err(err) => {
                let message = err.to_string();
                tracing::error!(%message, "could not begin a transaction");
                for op in batch.drain(..) {
                    (refuse(op, || StoreError::Commit(message.clone())).settle)(None);
                }
                return false;
            }
        };
        let email = self.listeners.outbox.is_some();
        let mut aborted: Option<String> = None;
        for op in batch.drain(..) {
            if matches!(op, WriteOp::Stop) {
                stop = true;
                continue;
            }
            if let Some(message) = &aborted {
                applied.push(refuse(op, || StoreError::Commit(message.clone())));
                continue;
            }
            applied.push(apply_in_savepoint(&tx, op, email));
            // Some errors (I/O, out of memory, some disk-full cases) make SQLite roll back
            // the whole transaction: nothing of this batch will commit, and what follows
            // must not run outside a transaction.
            if tx.is_autocommit() {
                aborted = Some("the transaction was rolled back by the database".to_owned());
            }
        }
        let commit_error = match aborted {
            Some(message) => {
                drop(tx);
                Some(message)
            }
            None => tx.commit().err().map(|e| e.to_string()),
        };
        if let Some(message) = &commit_error {
            tracing::error!(%message, "commit failed");
        } else {
            self.listeners.metrics.record_batch(size);
        }
        let mut queued_email = false;
        for a in applied {
            if commit_error.is_none() {
                for (user, event) in &a.events {
                    self.listeners.hub.publish(user, event);
                    if matches!(event, HubEvent::Created(_)) && !self.grown.contains(user) {
                        self.grown.insert(user.clone());
                    }
                }
                self.listeners
                    .metrics
                    .notifications_created
                    .fetch_add(a.created, Ordering::Relaxed);
                queued_email |= a.queued_email;
            }
            (a.settle)(commit_error.as_deref());
        }
        if let (true, Some(outbox)) = (queued_email, &self.listeners.outbox) {
            outbox.notify_one();
        }
        stop
    }

    /// Work for quiet moments: trim users over `max_per_user`; hourly (or every retention
    /// period, if shorter), forget idempotency keys past their 24 hours and read
    /// notifications past the retention.
    fn idle_maintenance(&mut self) {
        for user in std::mem::take(&mut self.grown) {
            if let Err(err) = trim(&self.conn, &user, self.housekeeping.max_per_user) {
                tracing::warn!(%err, user, "could not trim a user's notifications");
            }
        }
        let now = now_ms();
        let retention_ms =
            i64::try_from(self.housekeeping.retention.as_millis()).unwrap_or(i64::MAX);
        if now - self.last_cleanup < retention_ms.clamp(1, 60 * 60 * 1000) {
            return;
        }
        self.last_cleanup = now;
        let read_before = now.saturating_sub(retention_ms);
        let cleanup = self
            .conn
            .execute(
                "DELETE FROM idempotency_keys WHERE created_at < ?1",
                [now - IDEMPOTENCY_TTL_MS],
            )
            .and_then(|_| {
                self.conn.execute(
                    "DELETE FROM notifications WHERE unread = 0 AND read_at < ?1",
                    [read_before],
                )
            });
        match cleanup {
            Ok(0) => {}
            Ok(deleted) => tracing::info!(deleted, "deleted read notifications past the retention"),
            Err(err) => tracing::warn!(%err, "hourly cleanup failed"),
        }
    }
}

/// Deletes `user`'s oldest notifications beyond `max`, read ones first.
fn trim(conn: &Connection, user: &str, max: u64) -> Result<(), StoreError> {
    let count: i64 = conn
        .prepare_cached("SELECT notification_count FROM users WHERE id = ?1")?
        .query_row([user], |r| r.get(0))
        .optional()?
        .unwrap_or(0);
    let excess = count - i64::try_from(max).unwrap_or(i64::MAX);
    if excess > 0 {
        conn.prepare_cached(
            "DELETE FROM notifications WHERE seq IN
                 (SELECT seq FROM notifications WHERE user_id = ?1 ORDER BY unread, seq LIMIT ?2)",
        )?
        .execute(params![user, excess])?;
        tracing::info!(
            user,
            deleted = excess,
            "trimmed to the most notifications kept per user"
        );
    }
    Ok(())
}

/// Answers a write that never got to run with `error`.
fn refuse(op: WriteOp, error: impl Fn() -> StoreError) -> Applied {
    match op {
        WriteOp::Notify { reply, .. } => Applied::answer(reply, Err(error())),
        WriteOp::SetRead { reply, .. } => Applied::answer(reply, Err(error())),
        WriteOp::ReadAll { reply, .. } => Applied::answer(reply, Err(error())),
        WriteOp::Delete { reply, .. } => Applied::answer(reply, Err(error())),
        WriteOp::UpdatePreferences { reply, .. } => Applied::answer(reply, Err(error())),
        WriteOp::RecordEmail { reply, .. } => Applied::answer(reply, Err(error())),
        WriteOp::TouchToken { .. } | WriteOp::Stop => Applied::nothing(),
    }
}

/// Applies one write in a savepoint, so that its failure undoes only itself.
fn apply_in_savepoint(conn: &Connection, op: WriteOp, email: bool) -> Applied {
    if let Err(err) = conn.execute_batch("SAVEPOINT op") {
        let message = err.to_string();
        return refuse(op, || StoreError::Commit(message.clone()));
    }
    let (applied, failed) = apply(conn, op, email);
    let end = if failed {
        "ROLLBACK TO op; RELEASE op"
    } else {
        "RELEASE op"
    };
    if let Err(err) = conn.execute_batch(end) {
        tracing::error!(%err, "could not end a savepoint");
    }
    applied
}

/// Applies one write (`email`: whether the email channel is on); the flag says whether it
/// failed (and must be rolled back).
fn apply(conn: &Connection, op: WriteOp, email: bool) -> (Applied, bool) {
    match op {
        WriteOp::Notify { command, reply } => {
            let result = notify(conn, command, email);
            let queued_email = matches!(
                &result,
                Ok((NotifyOutcome::Created(NotifyResponse { delivered, .. }), _)) if delivered.email
            );
            let (mut applied, failed) = finish(reply, result, |(outcome, created)| {
                let events = match &outcome {
                    NotifyOutcome::Created(NotifyResponse {
                        notification: Some(n),
                        ..
                    }) => {
                        vec![(n.user_id.clone(), HubEvent::Created(n.clone()))]
                    }
                    _ => Vec::new(),
                };
                (outcome, events, created)
            });
            applied.queued_email = queued_email;
            (applied, failed)
        }
        WriteOp::RecordEmail { id, result, reply } => {
            finish(reply, outbox::record(conn, id, &result), |()| {
                ((), Vec::new(), 0)
            })
        }
        WriteOp::SetRead {
            user_id,
            id,
            read,
            reply,
        } => finish(reply, set_read(conn, &user_id, &id, read), |(n, event)| {
            let events = event.map(|e| (user_id.clone(), e)).into_iter().collect();
            (n, events, 0)
        }),
        WriteOp::ReadAll { user_id, reply } => {
            finish(reply, read_all(conn, &user_id), |(outcome, event)| {
                let events = event.map(|e| (user_id.clone(), e)).into_iter().collect();
                (outcome, events, 0)
            })
        }
        WriteOp::Delete { user_id, id, reply } => {
            finish(reply, delete(conn, &user_id, &id), |event| {
                ((), vec![(user_id.clone(), event)], 0)
            })
        }
        WriteOp::UpdatePreferences {
            user_id,
            patch,
            reply,
        } => finish(reply, update_preferences(conn, &user_id, &patch), |p| {
            (p, Vec::new(), 0)
        }),
        WriteOp::TouchToken { token_id, at_ms } => {
            if let Err(err) = conn.execute(
                "UPDATE tokens SET last_used_at = ?2 WHERE id = ?1",
                params![token_id, at_ms],
            ) {
                tracing::warn!(%err, "could not record token use");
            }
            (Applied::nothing(), false)
        }
        WriteOp::Stop => (Applied::nothing(), false),
    }
}

/// Turns a write's result into its reply and the events it publishes once committed.
fn finish<R, T: Send + 'static>(
    reply: Reply<T>,
    result: Result<R, StoreError>,
    split: impl FnOnce(R) -> (T, Vec<(String, HubEvent)>, u64),
) -> (Applied, bool) {
    match result {
        Ok(r) => {
            let (value, events, created) = split(r);
            let mut applied = Applied::answer(reply, Ok(value));
            applied.events = events;
            applied.created = created;
            (applied, false)
        }
        Err(err) => (Applied::answer(reply, Err(err.classify())), true),
    }
}

fn notify(
    conn: &Connection,
    command: NotifyCommand,
    email: bool,
) -> Result<(NotifyOutcome, u64), StoreError> {
    let now = now_ms();
    if let Some((token_id, key, hash)) = &command.idempotency {
        let earlier: Option<(Vec<u8>, String, i64)> = conn
            .prepare_cached(
                "SELECT request_hash, response, created_at FROM idempotency_keys WHERE token_id = ?1 AND key = ?2",
            )?
            .query_row(params![token_id, key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        match earlier {
            Some((_, _, at)) if now - at >= IDEMPOTENCY_TTL_MS => {
                conn.prepare_cached(
                    "DELETE FROM idempotency_keys WHERE token_id = ?1 AND key = ?2",
                )?
                .execute(params![token_id, key])?;
            }
            Some((earlier_hash, response, _)) if earlier_hash == hash => {
                return Ok((NotifyOutcome::Replayed(response), 0));
            }
            Some(_) => return Err(StoreError::IdempotencyConflict),
            None => {}
        }
    }
    let new = &command.notification;
    if !queries::user_exists(conn, &new.user_id)? {
        return Err(StoreError::UnknownUser(new.user_id.clone()));
    }
    let channels = queries::preferences(conn, &new.user_id)?.channels_for(new.category.as_deref());
    let id = ids::notification_id();
    let address = if email && channels.email {
        outbox::email_of(conn, &new.user_id)?
    } else {
        None
    };
    if let Some(to) = &address {
        outbox::enqueue(conn, &id, new, to, now)?;
    }
    let notification = if channels.in_app {
        conn.prepare_cached(
            "INSERT INTO notifications (id, user_id, type, title, body, link, category, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            id,
            new.user_id,
            new.kind.as_str(),
            new.title,
            new.body,
            new.link,
            new.category,
            now
        ])?;
        Some(Notification {
            seq: conn.last_insert_rowid(),
            id,
            user_id: new.user_id.clone(),
            kind: new.kind,
            title: new.title.clone(),
            body: new.body.clone(),
            link: new.link.clone(),
            category: new.category.clone(),
            read_at: None,
            created_at: now,
        })
    } else {
        None
    };
    let created = u64::from(notification.is_some());
    let response = NotifyResponse {
        notification,
        delivered: Delivered {
            in_app: channels.in_app,
            email: address.is_some(),
        },
    };
    if let Some((token_id, key, hash)) = &command.idempotency {
        conn.prepare_cached(
            "INSERT INTO idempotency_keys (token_id, key, request_hash, status, response, created_at)
             VALUES (?1, ?2, ?3, 201, ?4, ?5)",
        )?
        .execute(params![token_id, key, &hash[..], to_json(&response), now])?;
    }
    Ok((NotifyOutcome::Created(response), created))
}

fn set_read(
    conn: &Connection,
    user_id: &str,
    id: &str,
    read: bool,
) -> Result<(Notification, Option<HubEvent>), StoreError> {
    let current = queries::get(conn, user_id, id)?;
    if current.read_at.is_some() == read {
        return Ok((current, None));
    }
    let read_at = read.then(now_ms);
    conn.prepare_cached("UPDATE notifications SET unread = ?2, read_at = ?3 WHERE seq = ?1")?
        .execute(params![current.seq, !read, read_at])?;
    let event = HubEvent::ReadChanged {
        ids: vec![current.id.clone()],
        unread_count: queries::unread_count(conn, user_id)?,
    };
    Ok((Notification { read_at, ..current }, Some(event)))
}

fn read_all(
    conn: &Connection,
    user_id: &str,
) -> Result<(ReadAllOutcome, Option<HubEvent>), StoreError> {
    let ids: Vec<String> = conn
        .prepare_cached("SELECT id FROM notifications WHERE user_id = ?1 AND unread = 1")?
        .query_map([user_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let updated = conn
        .prepare_cached(
            "UPDATE notifications SET unread = 0, read_at = ?2 WHERE user_id = ?1 AND unread = 1",
        )?
        .execute(params![user_id, now_ms()])? as u64;
    let unread_count = queries::unread_count(conn, user_id)?;
    let event = (updated > 0).then_some(HubEvent::ReadChanged { ids, unread_count });
    Ok((
        ReadAllOutcome {
            updated,
            unread_count,
        },
        event,
    ))
}

fn delete(conn: &Connection, user_id: &str, id: &str) -> Result<HubEvent, StoreError> {
    let deleted = conn
        .prepare_cached("DELETE FROM notifications WHERE id = ?1 AND user_id = ?2")?
        .execute(params![id, user_id])?;
    if deleted == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(HubEvent::Deleted {
        id: id.to_owned(),
        unread_count: queries::unread_count(conn, user_id)?,
    })
}

fn update_preferences(
    conn: &Connection,
    user_id: &str,
    patch: &PreferencesPatch,
) -> Result<Preferences, StoreError> {
    conn.prepare_cached(
        "INSERT INTO preferences (user_id, in_app, email) VALUES (?1, coalesce(?2, 1), coalesce(?3, 1))
         ON CONFLICT (user_id) DO UPDATE SET
             in_app = coalesce(?2, in_app), email = coalesce(?3, email)",
    )?
    .execute(params![user_id, patch.in_app, patch.email])?;
    for (category, entry) in &patch.categories {
        match entry {
            None => {
                conn.prepare_cached(
                    "DELETE FROM category_preferences WHERE user_id = ?1 AND category = ?2",
                )?
                .execute(params![user_id, category])?;
            }
            Some(entry) => {
                conn.prepare_cached(
                    "INSERT INTO category_preferences (user_id, category, in_app, email) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (user_id, category) DO UPDATE SET
                         in_app = coalesce(?3, in_app), email = coalesce(?4, email)",
                )?
                .execute(params![user_id, category, entry.in_app, entry.email])?;
            }
        }
    }
    let count: i64 = conn
        .prepare_cached("SELECT count(*) FROM category_preferences WHERE user_id = ?1")?
        .query_row([user_id], |r| r.get(0))?;
    if count > MAX_CATEGORIES {
        return Err(StoreError::Invalid {
            field: "categories".into(),
            problem: format!("at most {MAX_CATEGORIES} categories (this would make {count})"),
        });
    }
    queries::preferences(conn, user_id)
}
