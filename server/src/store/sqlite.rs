//! The SQLite backend: one writer thread with group commit (`writer`), a pool of read-only
//! connections (`reader`), WAL, and the schema in `migrations/sqlite/` applied at open.

use std::path::{Path, PathBuf};
use std::thread::JoinHandle;

use crossbeam_channel::TrySendError;
use include_dir::{Dir, include_dir};
use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};
use tokio::sync::oneshot;

use super::checkpointer::{Checkpointer, WRITER_BACKSTOP_PAGES};
use super::housekeeping::Housekeeping;
use super::inline_reads::InlineReads;
use super::private_file;
use super::reader::{Priority, ReadPool};
use super::replay::{self, RenderFrame, ReplayStep};
use super::revocations::RevocationMark;
use super::token_cache::TokenCache;
use super::writer::{self, Listeners, WriteOp};
use super::writes::{self, Written};
use super::{
    EmailResult, ListQuery, NotifyCommand, NotifyOutcome, OutboxEntry, Page, ReadAllOutcome, Store,
    StoreError, StoreFuture, outbox, queries,
};
use crate::model::{Notification, Preferences, PreferencesPatch, Principal};

/// The files of `migrations/sqlite/`, embedded at build time and applied in name order.
static MIGRATIONS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../migrations/sqlite");

/// How hard commits hold on to the disk: `Full` survives power loss, `Normal` survives a
/// crash of the process but may lose the last commits on power loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Sync {
    #[default]
    Full,
    Normal,
}

/// How many threads read, and how many requests may wait for the database at most; beyond,
/// a request is answered `503` with `Retry-After` at once.
#[derive(Debug, Clone, Copy)]
pub struct Capacity {
    pub readers: usize,
    pub read_queue: usize,
    pub write_queue: usize,
}

/// Token lookups waiting for the authentication reader at most. Each is one primary-key
/// read; open streams re-check their tokens at every ping, so thousands may come at once.
const AUTH_QUEUE: usize = 65_536;
/// Connections that token lookups use on the runtime's workers (`inline_reads`).
const INLINE_AUTH_CONNECTIONS: usize = 2;
/// Threads that read and render stream replays, at background priority, and the steps that
/// may wait for them (each open stream has at most one waiting).
const REPLAY_READERS: usize = 2;
const REPLAY_QUEUE: usize = 16_384;

/// The SQLite store. Cheap to share behind an `Arc`; the writer and readers are threads.
pub struct SqliteStore {
    pub(super) writes: crossbeam_channel::Sender<WriteOp>,
    reads: ReadPool,
    /// Token lookups, on the runtime's workers or else a reader of its own, so that long
    /// reads (replays, searches) filling the read pool never hold up authentication.
    auth: InlineReads,
    /// The tokens looked up since the last revocation, so that most requests read none.
    tokens: TokenCache,
    /// Readers of their own for stream replays (`replay`), behind every other thread.
    replays: ReadPool,
    writer_thread: std::sync::Mutex<Option<JoinHandle<()>>>,
}

/// How long a statement waits for another connection's lock before failing `busy`.
pub const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Opens (creating if need be) the database at `path` and brings its schema up to date.
/// Used by the admin commands, and as the first step of `SqliteStore::open`.
pub fn open_connection(path: &Path) -> Result<Connection, StoreError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        make_directory(dir)?;
    }
    private_file::create_private(path)?;
    private_file::tighten(path)?;
    let mut conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    migrations().to_latest(&mut conn)?;
    Ok(conn)
}

/// Fails (`NotFound`, "no database at PATH") unless the SQLite file at `path` exists: for
/// the commands that have nothing to do in a new database and must not make one.
pub fn require_existing(path: &Path) -> std::io::Result<()> {
    if path.try_exists()? {
        return Ok(());
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::NotFound,
        format!("no database at {}", path.display()),
    ))
}

/// Makes `dir` and its missing parents; where one of them is a file, says so (the system's
/// own word for it is "File exists").
fn make_directory(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir).map_err(|err| match dir.ancestors().find(|a| a.exists()) {
        Some(file) if !file.is_dir() => std::io::Error::new(
            std::io::ErrorKind::NotADirectory,
            format!("{} is not a directory", file.display()),
        ),
        _ => err,
    })
}

pub(super) fn migrations() -> Migrations<'static> {
    let mut files: Vec<_> = MIGRATIONS
        .files()
        .filter(|f| f.path().extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort_by_key(|f| f.path());
    Migrations::new(
        files
            .into_iter()
            .filter_map(|f| f.contents_utf8())
            .map(M::up)
            .collect(),
    )
}

/// Settings every read-only connection gets.
pub(super) fn configure_reader(conn: &Connection) -> Result<(), StoreError> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.set_prepared_statement_cache_capacity(64);
    super::search::register(conn)?;
    Ok(())
}

impl SqliteStore {
    /// Opens the store: migrates, starts the writer (telling `listeners` what it commits,
    /// and tidying as `housekeeping` says) and the read-only connections `capacity` asks for.
    pub fn open(
        path: &Path,
        sync: Sync,
        capacity: Capacity,
        listeners: Listeners,
        housekeeping: Housekeeping,
    ) -> Result<SqliteStore, StoreError> {
        let conn = open_connection(path)?;
        // Named as the admin commands name it (SQLite's absolute path of the file). A path
        // SQLite cannot give as UTF-8 has no mark the admin commands could write, and then
        // no token is kept in memory.
        let mark = RevocationMark::of(&conn);
        if let Some(mark) = &mark {
            mark.ensure()?;
        }
        let level = match sync {
            Sync::Full => "FULL",
            Sync::Normal => "NORMAL",
        };
        let durability = writer::Durability::set_up(&conn, sync == Sync::Full)?;
        conn.pragma_update(None, "wal_autocheckpoint", WRITER_BACKSTOP_PAGES)?;
        conn.set_prepared_statement_cache_capacity(64);
        let checkpointer = Checkpointer::start(path, level)?;
        let (writes, writer_thread) = writer::start(
            conn,
            listeners,
            housekeeping,
            capacity.write_queue,
            Some(checkpointer),
            durability,
        )?;
        let reads = ReadPool::open(
            path,
            "reads",
            capacity.readers,
            capacity.read_queue,
            Priority::Normal,
        )?;
        let auth = InlineReads::open(
            path,
            INLINE_AUTH_CONNECTIONS,
            ReadPool::open(path, "authentications", 1, AUTH_QUEUE, Priority::Normal)?,
        )?;
        let replays = ReadPool::open(
            path,
            "replays",
            REPLAY_READERS,
            REPLAY_QUEUE,
            Priority::Background,
        )?;
        Ok(SqliteStore {
            writes,
            reads,
            auth,
            tokens: TokenCache::new(mark),
            replays,
            writer_thread: std::sync::Mutex::new(Some(writer_thread)),
        })
    }

    /// The default database path: `notif.db` in the platform data directory.
    pub fn default_path() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "notif").map(|d| d.data_dir().join("notif.db"))
    }

    /// Queues `write` for the writer and waits for its answer.
    async fn write<T, F>(&self, write: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: Fn(&Connection, i64) -> Result<Written<T>, StoreError> + Send + 'static,
    {
        self.submit(|reply| WriteOp::Write(writer::job(write, reply)))
            .await
    }

    /// Queues the write `op` makes of its reply, and waits for the answer; a full queue
    /// answers [`StoreError::Busy`] at once.
    async fn submit<T: Send + 'static>(
        &self,
        op: impl FnOnce(writer::Reply<T>) -> WriteOp,
    ) -> Result<T, StoreError> {
        let (tx, rx) = oneshot::channel();
        match self.writes.try_send(op(tx)) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => return Err(StoreError::Busy("writes")),
            Err(TrySendError::Disconnected(_)) => return Err(StoreError::Closed),
        }
        rx.await.map_err(|_| StoreError::Closed)?
    }
}

impl Store for SqliteStore {
    fn authenticate(&self, token_hash: [u8; 32]) -> StoreFuture<'_, Option<Principal>> {
        let lookup = self.tokens.lookup(&token_hash);
        if let Some(principal) = lookup.kept {
            return Box::pin(std::future::ready(Ok(Some(principal))));
        }
        Box::pin(async move {
            let principal = self
                .auth
                .run(move |c| queries::authenticate(c, &token_hash))
                .await?;
            if let Some(principal) = &principal {
                self.tokens.remember(token_hash, principal, lookup.stamp);
            }
            Ok(principal)
        })
    }

    fn touch_token(&self, token_hash: [u8; 32], token_id: i64, at_ms: i64) {
        // Best effort: with the queue full, this use is recorded at a later one (the token
        // kept in memory still says it is due).
        if self
            .writes
            .try_send(WriteOp::TouchToken { token_id, at_ms })
            .is_ok()
        {
            self.tokens.touched(&token_hash, at_ms);
        }
    }

    fn list(&self, query: ListQuery) -> StoreFuture<'_, Page> {
        Box::pin(self.reads.run(move |c| queries::list(c, &query)))
    }

    fn max_seq(&self, user_id: String) -> StoreFuture<'_, i64> {
        Box::pin(self.reads.run(move |c| queries::user_max_seq(c, &user_id)))
    }

    fn unread_count(&self, user_id: String) -> StoreFuture<'_, u64> {
        Box::pin(self.reads.run(move |c| queries::unread_count(c, &user_id)))
    }

    fn since_seq(
        &self,
        user_id: String,
        after: i64,
        limit: u32,
    ) -> StoreFuture<'_, Vec<Notification>> {
        Box::pin(
            self.reads
                .run(move |c| queries::since_seq(c, &user_id, after, limit)),
        )
    }

    fn replay_step(
        &self,
        user_id: String,
        after: i64,
        render: RenderFrame,
    ) -> StoreFuture<'_, ReplayStep> {
        Box::pin(self.replays.run(move |c| {
            let limit = queries::MAX_SINCE_ROWS;
            let batch = queries::since_seq(c, &user_id, after, limit)?;
            replay::render_step(&batch, after, limit, render)
        }))
    }

    fn preferences(&self, user_id: String) -> StoreFuture<'_, Preferences> {
        Box::pin(self.reads.run(move |c| queries::preferences(c, &user_id)))
    }

    fn notify(&self, command: NotifyCommand) -> StoreFuture<'_, NotifyOutcome> {
        Box::pin(self.submit(|reply| WriteOp::Write(writer::notify(command, reply))))
    }

    fn set_read(&self, user_id: String, id: String, read: bool) -> StoreFuture<'_, Notification> {
        Box::pin(self.write(move |c, now| writes::set_read(c, &user_id, &id, read, now)))
    }

    fn read_all(&self, user_id: String) -> StoreFuture<'_, ReadAllOutcome> {
        Box::pin(self.write(move |c, now| writes::read_all(c, &user_id, now)))
    }

    fn delete(&self, user_id: String, id: String) -> StoreFuture<'_, ()> {
        Box::pin(self.write(move |c, _| writes::delete(c, &user_id, &id)))
    }

    fn update_preferences(
        &self,
        user_id: String,
        patch: PreferencesPatch,
    ) -> StoreFuture<'_, Preferences> {
        Box::pin(
            self.write(move |c, _| {
                writes::update_preferences(c, &user_id, &patch).map(Written::quiet)
            }),
        )
    }

    fn due_emails(&self, now_ms: i64, limit: u32) -> StoreFuture<'_, Vec<OutboxEntry>> {
        Box::pin(self.reads.run(move |c| outbox::due(c, now_ms, limit)))
    }

    fn next_email_at(&self) -> StoreFuture<'_, Option<i64>> {
        Box::pin(self.reads.run(outbox::next_due))
    }

    fn record_email(&self, id: i64, result: EmailResult) -> StoreFuture<'_, ()> {
        Box::pin(self.write(move |c, _| outbox::record(c, id, &result).map(Written::quiet)))
    }

    fn create_session(&self, user_id: String) -> StoreFuture<'_, String> {
        Box::pin(self.write(move |c, now| writes::create_session(c, &user_id, now)))
    }

    fn revoke_token(&self, token_hash: [u8; 32]) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            self.write(move |c, now| writes::revoke_token(c, &token_hash, now))
                .await?;
            // Committed: this process forgets at once; other server processes on the same
            // file (if any) at their next request.
            if let Err(err) = self.tokens.revoked() {
                tracing::error!(%err, "a session was revoked, but other processes using the database could not be told");
            }
            Ok(())
        })
    }

    fn create_login_code(&self, user_id: String) -> StoreFuture<'_, (String, i64)> {
        Box::pin(self.write(move |c, now| writes::create_login_code(c, &user_id, now)))
    }

    fn redeem_login_code(&self, code_hash: [u8; 32]) -> StoreFuture<'_, Option<String>> {
        Box::pin(self.write(move |c, now| writes::redeem_login_code(c, &code_hash, now)))
    }

    fn close(&self) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            let writes = self.writes.clone();
            let handle = self
                .writer_thread
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .take();
            tokio::task::spawn_blocking(move || {
                let _ = writes.send(WriteOp::Stop);
                if let Some(handle) = handle {
                    if handle.join().is_err() {
                        tracing::error!("the writer thread panicked");
                    }
                }
            })
            .await
            .map_err(|e| StoreError::Commit(e.to_string()))
        })
    }
}

#[cfg(test)]
mod checks_upgrade_tests;
#[cfg(test)]
mod tests;
