//! The storage interface handlers speak to: domain verbs, domain errors. Two backends
//! implement it: SQLite (`store::sqlite`, the default) and PostgreSQL (`store::postgres`,
//! for several nodes); `store::database` picks one from `--db`, so no handler knows which.
//!
//! Inside the SQLite backend: `queries` reads and `writes` writes (plain functions over a
//! connection; a write returns the `InboxEvent`s it causes), `writer` is the group-commit
//! engine that runs the writes and hands what it committed to a `Publisher`, and
//! `housekeeping` is what the writer tidies when idle.

pub mod admin;
pub mod backup;
mod checkpointer;
mod columns;
pub mod database;
mod housekeeping;
mod inline_reads;
pub mod outbox;
#[cfg(test)]
mod plans;
pub mod postgres;
mod private_file;
mod queries;
mod reader;
pub mod replay;
pub mod revocations;
pub mod search;
pub mod sqlite;
mod stored_id;
#[cfg(test)]
mod testing;
mod token_cache;
mod writer;
mod writes;

use std::future::Future;
use std::pin::Pin;

pub use admin::{AdminError, TokenInfo, UserInfo};
pub use housekeeping::Housekeeping;
pub use outbox::{EmailResult, OutboxEntry, OutboxStatus};
pub use sqlite::{Capacity, SqliteStore};
pub use writer::Listeners;
/// For `quickstart`, which makes a sign-in link before its server starts.
pub use writes::create_login_code;

use crate::cursor::Cursor;
use crate::model::{
    InboxEvent, Kind, NewNotification, Notification, NotifyResponse, Preferences, PreferencesPatch,
    Principal,
};

/// The future every store verb returns: boxed, so `Store` can be used as `dyn Store`.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// What went wrong in the store, in domain terms. Driver errors stop here as `Sqlite`.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("unknown user {0:?}")]
    UnknownUser(String),
    #[error("idempotency key reused with a different body")]
    IdempotencyConflict,
    #[error("{field}: {problem}")]
    Invalid { field: String, problem: String },
    #[error("the store is shut down")]
    Closed,
    /// Too many requests wait for the database already (its read or write queue is full):
    /// the client should retry shortly rather than wait in an unbounded queue.
    #[error("too many {0} are waiting for the database; retry shortly")]
    Busy(&'static str),
    #[error("commit failed: {0}")]
    Commit(String),
    /// The disk is full, the file read-only, or the device failing.
    #[error("{0}")]
    Unwritable(String),
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error(transparent)]
    Migration(#[from] rusqlite_migration::Error),
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Postgres(#[from] tokio_postgres::Error),
    /// A stored notification could not be rendered for a stream.
    #[error("could not render a notification: {0}")]
    Render(String),
}

impl StoreError {
    /// Sorts a driver error: the ones that mean "the database cannot be written now"
    /// become `Unwritable`, so clients get `503` rather than `500`.
    pub fn classify(self) -> StoreError {
        use rusqlite::ErrorCode::{
            CannotOpen, DatabaseBusy, DatabaseLocked, DiskFull, ReadOnly, SystemIoFailure,
        };
        match &self {
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _))
                if matches!(
                    e.code,
                    DiskFull
                        | ReadOnly
                        | SystemIoFailure
                        | CannotOpen
                        | DatabaseBusy
                        | DatabaseLocked
                ) =>
            {
                StoreError::Unwritable(self.to_string())
            }
            _ => self,
        }
    }
}

/// Which page of which inbox to list.
#[derive(Debug, Clone, PartialEq)]
pub struct ListQuery {
    pub user_id: String,
    pub limit: u32,
    pub after: Option<Cursor>,
    pub unread_only: bool,
    pub kind: Option<Kind>,
    pub category: Option<String>,
    /// Only notifications whose title, body or category contains every one of these words,
    /// ignoring case (`?q=` split at blanks, in lower case: `search::words`); empty: no search.
    pub words: Vec<String>,
}

/// One page of an inbox.
#[derive(Debug, Clone)]
pub struct Page {
    pub notifications: Vec<Notification>,
    pub unread_count: u64,
    pub next: Option<Cursor>,
}

/// A notify to commit, with what makes it idempotent.
#[derive(Debug, Clone)]
pub struct NotifyCommand {
    pub notification: NewNotification,
    /// `(token id, key, hash of the body)` when the request carried an `Idempotency-Key`.
    pub idempotency: Option<(i64, String, [u8; 32])>,
}

impl NotifyCommand {
    /// The smallest notify: an info notification for `user` titled `title`, with no body,
    /// link or category and no idempotency key. The store's tests send it, the unit tests
    /// over SQLite and the PostgreSQL tests alike, so it is built in one place.
    pub fn plain(user: &str, title: &str) -> NotifyCommand {
        NotifyCommand {
            notification: NewNotification {
                user_id: user.into(),
                kind: Kind::Info,
                title: title.into(),
                body: None,
                link: None,
                category: None,
            },
            idempotency: None,
        }
    }
}

/// The answer to a notify: created now, or the first answer to the same idempotent request.
#[derive(Debug, Clone)]
pub enum NotifyOutcome {
    Created(NotifyResponse),
    /// The JSON body first sent for this idempotency key.
    Replayed(String),
}

/// The result of marking everything read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadAllOutcome {
    pub updated: u64,
    pub unread_count: u64,
}

/// Where a store hands the events it committed: the hub, which fans them out to open
/// streams. A trait, so that a backend need not know the hub, and so that a PostgreSQL
/// backend can feed it from `LISTEN` as well as from its own commits.
pub trait Publisher: Send + Sync {
    /// Called once the writes that caused `events` are durably committed, with the events
    /// in commit order (and before those writes are answered).
    fn publish(&self, events: &[InboxEvent]);
}

/// The storage verbs of the API. Writes resolve only once durably committed.
pub trait Store: Send + Sync + 'static {
    /// The principal behind a token hash, unless unknown or revoked.
    fn authenticate(&self, token_hash: [u8; 32]) -> StoreFuture<'_, Option<Principal>>;
    /// Notes that the token `token_id` (whose hash is `token_hash`) was used (best effort,
    /// batched with other writes).
    fn touch_token(&self, token_hash: [u8; 32], token_id: i64, at_ms: i64);
    /// One page of a user's inbox, unread first, newest first.
    fn list(&self, query: ListQuery) -> StoreFuture<'_, Page>;
    /// How many unread notifications a user has.
    fn unread_count(&self, user_id: String) -> StoreFuture<'_, u64>;
    /// The highest sequence number `user_id` has had (0 when none): below every one they will
    /// get. The opening `unread` event carries it as its `id:`.
    fn max_seq(&self, user_id: String) -> StoreFuture<'_, i64>;
    /// A user's notifications with a sequence number above `after`, oldest first.
    fn since_seq(
        &self,
        user_id: String,
        after: i64,
        limit: u32,
    ) -> StoreFuture<'_, Vec<Notification>>;
    /// One step of a stream's replay: the notifications above `after` (at most
    /// `queries::MAX_SINCE_ROWS`), rendered by `render`. By default read with `since_seq`
    /// and rendered on the calling task; a store may do both elsewhere.
    fn replay_step(
        &self,
        user_id: String,
        after: i64,
        render: replay::RenderFrame,
    ) -> StoreFuture<'_, replay::ReplayStep> {
        Box::pin(async move {
            let batch = self
                .since_seq(user_id, after, queries::MAX_SINCE_ROWS)
                .await?;
            replay::render_step(&batch, after, queries::MAX_SINCE_ROWS, render)
        })
    }
    /// A user's preferences (the defaults if never set).
    fn preferences(&self, user_id: String) -> StoreFuture<'_, Preferences>;
    /// Creates a notification as the user's preferences allow.
    fn notify(&self, command: NotifyCommand) -> StoreFuture<'_, NotifyOutcome>;
    /// Marks one notification read (`true`) or unread; `NotFound` if not the user's.
    fn set_read(&self, user_id: String, id: String, read: bool) -> StoreFuture<'_, Notification>;
    /// Marks all of a user's notifications read.
    fn read_all(&self, user_id: String) -> StoreFuture<'_, ReadAllOutcome>;
    /// Deletes one notification; `NotFound` if not the user's.
    fn delete(&self, user_id: String, id: String) -> StoreFuture<'_, ()>;
    /// Applies a preferences change and returns the result.
    fn update_preferences(
        &self,
        user_id: String,
        patch: PreferencesPatch,
    ) -> StoreFuture<'_, Preferences>;
    /// Pending emails due at `now_ms`, oldest first.
    fn due_emails(&self, now_ms: i64, limit: u32) -> StoreFuture<'_, Vec<OutboxEntry>>;
    /// When the next pending email is due, if any is pending.
    fn next_email_at(&self) -> StoreFuture<'_, Option<i64>>;
    /// Records the result of one delivery attempt.
    fn record_email(&self, id: i64, result: EmailResult) -> StoreFuture<'_, ()>;
    /// A new browser session for `user_id`: a user token labelled `web session`.
    fn create_session(&self, user_id: String) -> StoreFuture<'_, String>;
    /// Revokes the token with this hash (logging out).
    fn revoke_token(&self, token_hash: [u8; 32]) -> StoreFuture<'_, ()>;
    /// A one-time login code for `user_id`, and when it expires (Unix milliseconds).
    fn create_login_code(&self, user_id: String) -> StoreFuture<'_, (String, i64)>;
    /// The user of the login code with this hash, once, unless it has expired.
    fn redeem_login_code(&self, code_hash: [u8; 32]) -> StoreFuture<'_, Option<String>>;
    /// Commits every write already queued, then refuses new ones (`Closed`).
    fn close(&self) -> StoreFuture<'_, ()>;
}
