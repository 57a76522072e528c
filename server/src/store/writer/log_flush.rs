//! The flush of the write-ahead log after the writer's commits, with `--sync full`.
//!
//! SQLite's `synchronous = FULL` in WAL mode differs from `NORMAL` by one thing: an `fsync`
//! of the log inside each commit (SQLite's documentation of `PRAGMA synchronous`; both sync
//! the log before a checkpoint, and its header when it starts over). The writer commits
//! with `NORMAL`, hands the batch's events to open streams, and only then is the log synced
//! here (on the flusher's thread, `flusher`) and the writes answered: an answered write is
//! on the disk exactly as with `FULL`, and a stream does not wait for the disk to show what
//! was committed.
//!
//! Others see a batch before its sync too: streams, lists and searches, the email
//! worker's own scans. What they saw may be lost by a power loss before the sync: never
//! more than [`MAX_UNFLUSHED`] writes, the most the writer lets wait for a sync. Their
//! senders were not answered, and send again; but the sequence numbers seen must not be
//! given again to other notifications, or a client resuming from one would skip them. So
//! each start of the server skips [`SKIPPED_AT_START`] of them.
//!
//! A failed flush may have lost pages the kernel could not write, so the writer stops
//! writing: every later write is answered with the first failure, as PostgreSQL stops on
//! a failed `fsync`.

use std::fs::{File, OpenOptions};
use std::path::PathBuf;

use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::Durability;
use super::flusher::MAX_UNFLUSHED;
use crate::store::StoreError;

/// Sequence numbers skipped at each start with `--sync full`: [`MAX_UNFLUSHED`] (a write
/// adds one notification at most) for each of up to 64 servers writing the same file.
pub const SKIPPED_AT_START: i64 = 64 * MAX_UNFLUSHED as i64;

impl Durability {
    /// Sets the writer's connection `conn` up to commit with `full` durability (`--sync
    /// full`: an answered write survives a power loss) or without (`--sync normal`); says
    /// where its commits then reach the disk. With `full` on a file, first skips
    /// [`SKIPPED_AT_START`] sequence numbers, in a commit synced by SQLite itself.
    pub fn set_up(conn: &Connection, full: bool) -> Result<Durability, FlushError> {
        let log = conn.path().filter(|path| !path.is_empty()).map(|file| {
            let mut log = std::ffi::OsString::from(file);
            log.push("-wal");
            PathBuf::from(log)
        });
        let (level, durability) = match (full, log) {
            (true, Some(log)) => {
                conn.pragma_update(None, "synchronous", "FULL")?;
                skip_sequences(conn)?;
                // Made by the commit above, if not before; opened before any commit of
                // the writer's, so that no write error of the log goes unreported.
                ("NORMAL", Durability::FlushLog(LogFlush::open(log)?))
            }
            (true, None) => ("FULL", Durability::Commit),
            (false, _) => ("NORMAL", Durability::Commit),
        };
        conn.pragma_update(None, "synchronous", level)?;
        Ok(durability)
    }
}

/// Moves the next notification's sequence number [`SKIPPED_AT_START`] further, from 0 in a
/// database that never kept one (whose first batch, too, may have been seen and lost).
fn skip_sequences(conn: &Connection) -> rusqlite::Result<()> {
    // Rolled back when dropped on an error.
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    tx.execute(
        "INSERT INTO sqlite_sequence (name, seq) SELECT 'notifications', 0
         WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'notifications')",
        [],
    )?;
    tx.execute(
        "UPDATE sqlite_sequence SET seq = seq + ?1 WHERE name = 'notifications'",
        [SKIPPED_AT_START],
    )?;
    tx.commit()
}

/// Why the log could not be flushed, or the flushing set up.
#[derive(Debug, thiserror::Error)]
pub enum FlushError {
    #[error("could not flush the database's log to disk: {0}")]
    Io(#[from] std::io::Error),
    #[error("could not set up the database's durability: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

impl From<FlushError> for StoreError {
    fn from(err: FlushError) -> StoreError {
        match err {
            FlushError::Io(err) => StoreError::Io(err),
            FlushError::Sqlite(err) => StoreError::Sqlite(err),
        }
    }
}

/// The log's file, kept open from the start as SQLite keeps it: a write error reported
/// to SQLite's descriptor before this one was opened would not be reported to this one.
#[derive(Debug)]
pub struct LogFlush {
    path: PathBuf,
    file: Option<File>,
    /// The failure that stopped the writes.
    failed: Option<String>,
}

impl LogFlush {
    /// Opens the log at `path` (the database's `-wal` file) to flush it.
    pub fn open(path: PathBuf) -> Result<LogFlush, FlushError> {
        let file = open_log(&path)?;
        Ok(LogFlush {
            path,
            file: Some(file),
            failed: None,
        })
    }

    /// Flushes the log at `path`, opened at the first flush (for tests that hold it).
    #[cfg(test)]
    pub fn at_first_flush(path: PathBuf) -> LogFlush {
        LogFlush {
            path,
            file: None,
            failed: None,
        }
    }

    /// Syncs what was committed to the disk; after one failure, every call fails with it.
    pub fn flush(&mut self) -> Result<(), String> {
        if let Some(message) = &self.failed {
            return Err(message.clone());
        }
        let synced = match &self.file {
            Some(file) => file.sync_all(),
            None => open_log(&self.path).and_then(|file| {
                file.sync_all()?;
                self.file = Some(file);
                Ok(())
            }),
        };
        synced.map_err(|err| {
            let message = FlushError::from(err).to_string();
            self.failed = Some(message.clone());
            message
        })
    }

    /// The failure that stopped the writes, if one did.
    #[cfg(test)]
    pub fn failed(&self) -> Option<&str> {
        self.failed.as_deref()
    }
}

/// With write access, which some systems ask of a file to flush it.
fn open_log(path: &PathBuf) -> std::io::Result<File> {
    OpenOptions::new().write(true).open(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sqlite::open_connection;
    use crate::store::testing::{add_user, database, insert_from_elsewhere};

    fn synchronous(conn: &Connection) -> i64 {
        conn.pragma_query_value(None, "synchronous", |row| row.get(0))
            .unwrap()
    }

    fn next_seq(conn: &Connection, id: &str) -> i64 {
        insert_from_elsewhere(conn, id, "title");
        conn.last_insert_rowid()
    }

    #[test]
    fn full_durability_on_a_file_commits_normal_flushes_the_log_and_skips_sequences() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open_connection(&dir.path().join("notif.db")).unwrap();
        add_user(&conn, "alice", None);
        assert_eq!(next_seq(&conn, "n1"), 1);
        let durability = Durability::set_up(&conn, true).unwrap();
        let Durability::FlushLog(mut log) = durability else {
            panic!("a file with --sync full flushes its log");
        };
        assert_eq!(log.path, dir.path().join("notif.db-wal"));
        assert_eq!(synchronous(&conn), 1, "NORMAL");
        assert_eq!(
            next_seq(&conn, "n2"),
            2 + SKIPPED_AT_START,
            "what streams may have been shown before a power loss is not given again"
        );
        assert_eq!(log.flush(), Ok(()));
        assert_eq!(log.failed(), None);
    }

    #[test]
    fn a_lost_first_batch_of_a_new_database_is_skipped_too() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("notif.db");
        let conn = open_connection(&file).unwrap();
        add_user(&conn, "alice", None);
        Durability::set_up(&conn, true).unwrap();
        // The first batch, shown to streams, then lost before its flush.
        conn.execute_batch("BEGIN IMMEDIATE").unwrap();
        let shown = next_seq(&conn, "lost");
        conn.execute_batch("ROLLBACK").unwrap();
        drop(conn);
        let conn = open_connection(&file).unwrap();
        Durability::set_up(&conn, true).unwrap();
        assert!(
            next_seq(&conn, "n1") > shown,
            "{shown} is never given again"
        );
    }

    #[test]
    fn other_durabilities_commit_as_asked_and_skip_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open_connection(&dir.path().join("notif.db")).unwrap();
        add_user(&conn, "alice", None);
        let normal = Durability::set_up(&conn, false).unwrap();
        assert!(matches!(normal, Durability::Commit));
        assert_eq!(synchronous(&conn), 1, "NORMAL");
        assert_eq!(next_seq(&conn, "n1"), 1, "--sync normal skips nothing");

        let memory = database();
        let full = Durability::set_up(&memory, true).unwrap();
        assert!(matches!(full, Durability::Commit), "no log to flush");
        assert_eq!(synchronous(&memory), 2, "FULL");
    }

    #[test]
    fn a_failed_flush_fails_every_later_one() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("none").join("notif.db-wal");
        assert!(LogFlush::open(log.clone()).is_err(), "no log to open");
        let mut flush = LogFlush::at_first_flush(log.clone());
        let first = flush.flush().unwrap_err();
        assert!(
            first.starts_with("could not flush the database's log to disk: "),
            "{first}"
        );
        std::fs::create_dir(dir.path().join("none")).unwrap();
        std::fs::write(&log, b"").unwrap();
        assert_eq!(flush.flush(), Err(first.clone()), "still stopped");
        assert_eq!(flush.failed(), Some(first.as_str()));
    }
}
