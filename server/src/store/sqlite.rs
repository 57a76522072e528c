//! The SQLite backend: one writer thread with group commit (`writer`), a pool of read-only
//! connections (`reader`), WAL, and the schema in `migrations/sqlite/` applied at open.

use std::path::{Path, PathBuf};
use std::thread::JoinHandle;

use include_dir::{Dir, include_dir};
use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};
use tokio::sync::oneshot;

use super::housekeeping::Housekeeping;
use super::reader::ReadPool;
use super::writer::{self, Listeners, WriteOp};
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

/// The SQLite store. Cheap to share behind an `Arc`; the writer and readers are threads.
pub struct SqliteStore {
    writes: crossbeam_channel::Sender<WriteOp>,
    reads: ReadPool,
    writer_thread: std::sync::Mutex<Option<JoinHandle<()>>>,
}

/// Opens (creating if need be) the database at `path` and brings its schema up to date.
/// Used by the admin commands, and as the first step of `SqliteStore::open`.
pub fn open_connection(path: &Path) -> Result<Connection, StoreError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    create_private(path)?;
    let mut conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    migrations().to_latest(&mut conn)?;
    Ok(conn)
}

/// Creates the database file readable by its owner only, if it does not exist yet: it holds
/// every user's notifications and the token hashes. SQLite gives the WAL the same mode.
fn create_private(path: &Path) -> Result<(), StoreError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(err) => Err(err.into()),
    }
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
    Ok(())
}

impl SqliteStore {
    /// Opens the store: migrates, starts the writer (telling `listeners` what it commits,
    /// and tidying as `housekeeping` says) and `readers` read-only connections.
    pub fn open(
        path: &Path,
        sync: Sync,
        readers: usize,
        listeners: Listeners,
        housekeeping: Housekeeping,
    ) -> Result<SqliteStore, StoreError> {
        let conn = open_connection(path)?;
        let level = match sync {
            Sync::Full => "FULL",
            Sync::Normal => "NORMAL",
        };
        conn.pragma_update(None, "synchronous", level)?;
        conn.set_prepared_statement_cache_capacity(64);
        let (writes, writer_thread) = writer::start(conn, listeners, housekeeping)?;
        let reads = ReadPool::open(path, readers)?;
        Ok(SqliteStore {
            writes,
            reads,
            writer_thread: std::sync::Mutex::new(Some(writer_thread)),
        })
    }

    /// The default database path: `notif.db` in the platform data directory.
    pub fn default_path() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "notif").map(|d| d.data_dir().join("notif.db"))
    }

    async fn write<T: Send + 'static>(
        &self,
        op: impl FnOnce(oneshot::Sender<Result<T, StoreError>>) -> WriteOp,
    ) -> Result<T, StoreError> {
        let (tx, rx) = oneshot::channel();
        self.writes.send(op(tx)).map_err(|_| StoreError::Closed)?;
        rx.await.map_err(|_| StoreError::Closed)?
    }
}

impl Store for SqliteStore {
    fn authenticate(&self, token_hash: [u8; 32]) -> StoreFuture<'_, Option<Principal>> {
        Box::pin(
            self.reads
                .run(move |c| queries::authenticate(c, &token_hash)),
        )
    }

    fn touch_token(&self, token_id: i64, at_ms: i64) {
        let _ = self.writes.send(WriteOp::TouchToken { token_id, at_ms });
    }

    fn list(&self, query: ListQuery) -> StoreFuture<'_, Page> {
        Box::pin(self.reads.run(move |c| queries::list(c, &query)))
    }

    fn max_seq(&self, _user_id: String) -> StoreFuture<'_, i64> {
        Box::pin(self.reads.run(queries::max_seq))
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

    fn preferences(&self, user_id: String) -> StoreFuture<'_, Preferences> {
        Box::pin(self.reads.run(move |c| queries::preferences(c, &user_id)))
    }

    fn notify(&self, command: NotifyCommand) -> StoreFuture<'_, NotifyOutcome> {
        Box::pin(self.write(|reply| WriteOp::Notify { command, reply }))
    }

    fn set_read(&self, user_id: String, id: String, read: bool) -> StoreFuture<'_, Notification> {
        Box::pin(self.write(move |reply| WriteOp::SetRead {
            user_id,
            id,
            read,
            reply,
        }))
    }

    fn read_all(&self, user_id: String) -> StoreFuture<'_, ReadAllOutcome> {
        Box::pin(self.write(|reply| WriteOp::ReadAll { user_id, reply }))
    }

    fn delete(&self, user_id: String, id: String) -> StoreFuture<'_, ()> {
        Box::pin(self.write(|reply| WriteOp::Delete { user_id, id, reply }))
    }

    fn update_preferences(
        &self,
        user_id: String,
        patch: PreferencesPatch,
    ) -> StoreFuture<'_, Preferences> {
        Box::pin(self.write(|reply| WriteOp::UpdatePreferences {
            user_id,
            patch,
            reply,
        }))
    }

    fn due_emails(&self, now_ms: i64, limit: u32) -> StoreFuture<'_, Vec<OutboxEntry>> {
        Box::pin(self.reads.run(move |c| outbox::due(c, now_ms, limit)))
    }

    fn next_email_at(&self) -> StoreFuture<'_, Option<i64>> {
        Box::pin(self.reads.run(outbox::next_due))
    }

    fn record_email(&self, id: i64, result: EmailResult) -> StoreFuture<'_, ()> {
        Box::pin(self.write(move |reply| WriteOp::RecordEmail { id, result, reply }))
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
mod tests {
    use super::*;

    fn count_by_scan(conn: &Connection) -> i64 {
        conn.query_row(
            "SELECT count(*) FROM notifications WHERE user_id = 'alice' AND unread = 1",
            [],
            |r| r.get(0),
        )
        .unwrap()
    }

    #[test]
    fn the_kept_counts_follow_every_change() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open_connection(&dir.path().join("t.db")).unwrap();
        conn.execute("INSERT INTO users (id, created_at) VALUES ('alice', 0)", [])
            .unwrap();
        for i in 0..5 {
            conn.execute(
                "INSERT INTO notifications (id, user_id, type, title, created_at) VALUES (?1, 'alice', 'INFO', 't', 0)",
                [format!("n{i}")],
            )
            .unwrap();
        }
        let kept = || queries::unread_count(&conn, "alice").unwrap() as i64;
        let total = || -> (i64, i64) {
            conn.query_row(
                "SELECT notification_count, (SELECT count(*) FROM notifications) FROM users WHERE id = 'alice'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap()
        };
        assert_eq!((kept(), count_by_scan(&conn)), (5, 5));
        conn.execute(
            "UPDATE notifications SET unread = 0, read_at = 1 WHERE id IN ('n0', 'n1')",
            [],
        )
        .unwrap();
        conn.execute("UPDATE notifications SET unread = 0 WHERE id = 'n0'", [])
            .unwrap();
        assert_eq!((kept(), count_by_scan(&conn)), (3, 3));
        assert_eq!(total(), (5, 5));
        conn.execute("DELETE FROM notifications WHERE id IN ('n1', 'n2')", [])
            .unwrap();
        assert_eq!((kept(), count_by_scan(&conn)), (2, 2));
        assert_eq!(total(), (3, 3));
        conn.execute("UPDATE notifications SET unread = 1 WHERE id = 'n0'", [])
            .unwrap();
        assert_eq!((kept(), count_by_scan(&conn)), (3, 3));
    }
}
