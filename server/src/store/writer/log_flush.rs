//! The writer's own flush of the write-ahead log, with `--sync full`.
//!
//! SQLite's `synchronous = FULL` in WAL mode differs from `NORMAL` by one thing: an `fsync`
//! of the log inside each commit (SQLite's documentation of `PRAGMA synchronous`; both sync
//! the log before a checkpoint, and its header when it starts over). The writer commits
//! with `NORMAL`, hands the batch's events to open streams, and only then syncs the log
//! here and answers the writes: an answered write is on the disk exactly as with `FULL`,
//! and a stream does not wait for the disk to show what was committed.
//!
//! What streams were shown may be lost with the batch, by a power loss before its flush:
//! never more than that one batch, since the writer flushes each before it begins the
//! next. Its sender was not answered, and sends again; but the sequence numbers the streams
//! saw must not be given again to other notifications, or a client resuming from one would
//! skip them. So each start of the server skips [`MAX_BATCH`] sequence numbers.
//!
//! A failed flush may have lost pages the kernel could not write, so the writer stops
//! writing: every later write is answered with the first failure, as PostgreSQL stops on
//! a failed `fsync`.

use std::fs::File;
use std::path::PathBuf;

use rusqlite::Connection;

use super::{Durability, MAX_BATCH};

impl Durability {
    /// Sets the writer's connection `conn` up to commit with `full` durability (`--sync
    /// full`: an answered write survives a power loss) or without (`--sync normal`); says
    /// where its commits then reach the disk.
    pub fn set_up(conn: &Connection, full: bool) -> rusqlite::Result<Durability> {
        let log = conn.path().filter(|path| !path.is_empty()).map(|file| {
            let mut log = std::ffi::OsString::from(file);
            log.push("-wal");
            PathBuf::from(log)
        });
        let (level, durability) = match (full, log) {
            (true, Some(log)) => {
                conn.pragma_update(None, "synchronous", "FULL")?;
                conn.execute(
                    "UPDATE sqlite_sequence SET seq = seq + ?1 WHERE name = 'notifications'",
                    [MAX_BATCH as i64],
                )?;
                ("NORMAL", Durability::FlushLog(log))
            }
            (true, None) => ("FULL", Durability::Commit),
            (false, _) => ("NORMAL", Durability::Commit),
        };
        conn.pragma_update(None, "synchronous", level)?;
        Ok(durability)
    }
}

/// The log's file, opened at the first flush (SQLite makes it) and kept, as SQLite keeps it.
#[derive(Debug)]
pub struct LogFlush {
    path: PathBuf,
    file: Option<File>,
    failed: Option<String>,
}

impl LogFlush {
    /// Flushes the log at `path`: the database's `-wal` file.
    pub fn new(path: PathBuf) -> LogFlush {
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
            None => File::open(&self.path).and_then(|file| {
                file.sync_all()?;
                self.file = Some(file);
                Ok(())
            }),
        };
        synced.map_err(|err| {
            let message = format!("could not flush the database's log to disk: {err}");
            self.failed = Some(message.clone());
            message
        })
    }

    /// The failure that stopped the writes, if one did.
    pub fn failed(&self) -> Option<&str> {
        self.failed.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sqlite::open_connection;
    use crate::store::testing::{add_user, database, insert_noted};

    fn synchronous(conn: &Connection) -> i64 {
        conn.pragma_query_value(None, "synchronous", |row| row.get(0))
            .unwrap()
    }

    fn next_seq(conn: &Connection, id: &str) -> i64 {
        insert_noted(conn, id, "title");
        conn.last_insert_rowid()
    }

    #[test]
    fn full_durability_on_a_file_commits_normal_flushes_the_log_and_skips_a_batch() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("notif.db");
        let conn = open_connection(&file).unwrap();
        add_user(&conn, "alice", None);
        assert_eq!(next_seq(&conn, "n1"), 1);
        let durability = Durability::set_up(&conn, true).unwrap();
        let Durability::FlushLog(log) = durability else {
            panic!("a file with --sync full flushes its log");
        };
        assert_eq!(log, dir.path().join("notif.db-wal"));
        assert_eq!(synchronous(&conn), 1, "NORMAL");
        assert_eq!(
            next_seq(&conn, "n2"),
            2 + MAX_BATCH as i64,
            "what one batch may have shown streams before a power loss is not given again"
        );
        let mut flush = LogFlush::new(log);
        assert_eq!(flush.flush(), Ok(()));
        assert_eq!(flush.failed(), None);
    }

    #[test]
    fn a_new_database_starts_at_one_and_other_durabilities_commit_as_asked() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open_connection(&dir.path().join("notif.db")).unwrap();
        add_user(&conn, "alice", None);
        Durability::set_up(&conn, true).unwrap();
        assert_eq!(next_seq(&conn, "n1"), 1, "nothing was shown yet");

        let normal = Durability::set_up(&conn, false).unwrap();
        assert!(matches!(normal, Durability::Commit));
        assert_eq!(synchronous(&conn), 1, "NORMAL");
        assert_eq!(next_seq(&conn, "n2"), 2, "--sync normal skips nothing");

        let memory = database();
        let full = Durability::set_up(&memory, true).unwrap();
        assert!(matches!(full, Durability::Commit), "no log to flush");
        assert_eq!(synchronous(&memory), 2, "FULL");
    }

    #[test]
    fn a_failed_flush_fails_every_later_one() {
        let dir = tempfile::tempdir().unwrap();
        let mut flush = LogFlush::new(dir.path().join("none").join("notif.db-wal"));
        let first = flush.flush().unwrap_err();
        assert!(
            first.starts_with("could not flush the database's log to disk: "),
            "{first}"
        );
        std::fs::create_dir(dir.path().join("none")).unwrap();
        std::fs::write(dir.path().join("none").join("notif.db-wal"), b"").unwrap();
        assert_eq!(flush.flush(), Err(first.clone()), "still stopped");
        assert_eq!(flush.failed(), Some(first.as_str()));
    }
}
