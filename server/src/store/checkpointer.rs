//! Checkpoints off the writer. SQLite copies its write-ahead log back into the database
//! file (a checkpoint) on the connection that commits, by default at each commit that finds
//! the log past 1,000 pages; that commit then waits for the copy and an `fsync` of the
//! database file, and every write queued behind it waits too. Here a thread of its own, on a
//! connection of its own, checkpoints shortly after commits, while the writer goes on
//! committing: a passive checkpoint never blocks the writer or the readers.
//!
//! The writer keeps SQLite's automatic checkpoint, at a log of [`WRITER_BACKSTOP_PAGES`],
//! as a backstop: the log restarts from its beginning only when a checkpoint copied all of
//! it, which a checkpoint running beside a busy writer seldom sees; past the backstop, the
//! writer's own checkpoint copies what little is left and the log restarts.

use std::path::Path;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use rusqlite::Connection;

use super::StoreError;

/// Log pages past which the writer checkpoints by itself (about 40 MB of log).
pub const WRITER_BACKSTOP_PAGES: u32 = 10_000;
/// The least time between two checkpoints: commits meanwhile are copied by the next one,
/// so that a steady stream of small commits costs a few checkpoints a second, not one per
/// commit.
const PAUSE: Duration = Duration::from_millis(200);

/// The checkpointing thread; it stops when this is dropped.
pub struct Checkpointer {
    /// A slot for one nudge: the thread waits on it only when idle, so that a commit wakes
    /// it once per busy spell, not once per commit (a wake-up costs the writer a system call
    /// and the thread a trip through the scheduler).
    nudge: Sender<()>,
    /// Dropped to stop the thread; never sent on.
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts checkpointing the database at `path` (already open and in WAL mode), with
    /// `synchronous` as `--sync` asks (`FULL` even where the writer commits with `NORMAL`
    /// and flushes the log itself).
    pub fn start(path: &Path, synchronous: &str) -> Result<Checkpointer, StoreError> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "synchronous", synchronous)?;
        let (nudge, nudged) = crossbeam_channel::bounded(1);
        let (stop, stopped) = crossbeam_channel::bounded(0);
        let thread = thread::Builder::new()
            .name("notif-checkpoint".into())
            .spawn(move || run(&conn, &nudged, &stopped))?;
        Ok(Checkpointer {
            nudge,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// Says that a commit added to the log: a checkpoint follows soon.
    pub fn committed(&self) {
        let _ = self.nudge.try_send(());
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() {
                tracing::error!("the checkpoint thread panicked");
            }
        }
    }
}

/// Checkpoints after a nudge, then again after each [`PAUSE`] in which a commit nudged it,
/// until stopped. During a pause it waits on `stopped` alone: a commit only fills the
/// nudge slot, which the end of the pause looks at.
fn run(conn: &Connection, nudged: &Receiver<()>, stopped: &Receiver<()>) {
    loop {
        // The nudge's sender lives as long as the stop's; a closed nudge channel is only
        // handled for completeness.
        crossbeam_channel::select! {
            recv(nudged) -> nudge => if nudge.is_err() { return },
            recv(stopped) -> _ => return,
        }
        loop {
            if let Err(err) = checkpoint(conn) {
                tracing::warn!(%err, "checkpoint failed; the next commit tries again");
            }
            match stopped.recv_timeout(PAUSE) {
                Err(RecvTimeoutError::Timeout) => {}
                Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
            }
            // Commits during the pause are copied now; none, and it waits for the next.
            if nudged.try_recv().is_err() {
                break;
            }
        }
    }
}

/// Copies what it can of the log into the database without waiting for any lock.
fn checkpoint(conn: &Connection) -> Result<(), StoreError> {
    let (busy, log, copied): (i64, i64, i64) =
        conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
    tracing::trace!(busy, log, copied, "checkpoint");
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::time::Instant;

    use super::*;

    /// A database in WAL mode whose writer never checkpoints by itself.
    struct Db {
        _dir: tempfile::TempDir,
        path: PathBuf,
        writer: Connection,
    }

    impl Db {
        fn new() -> Db {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("notif.db");
            let writer = crate::store::sqlite::open_connection(&path).unwrap();
            writer.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
            writer
                .execute_batch("CREATE TABLE filler (text TEXT)")
                .unwrap();
            Db {
                _dir: dir,
                path,
                writer,
            }
        }

        /// Commits 2,000 rows: pages the database file does not have yet.
        fn fill(&self) {
            self.writer
                .execute_batch(
                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
                     INSERT INTO filler SELECT hex(randomblob(100)) FROM n;",
                )
                .unwrap();
        }

        fn size(&self) -> u64 {
            std::fs::metadata(&self.path).unwrap().len()
        }

        /// Waits until a checkpoint copied every committed page into the database file: the
        /// file then holds as many pages as the database has.
        fn await_full_copy(&self) {
            let pages = |pragma: &str| -> u64 {
                self.writer
                    .query_row(&format!("PRAGMA {pragma}"), [], |r| r.get(0))
                    .unwrap()
            };
            let complete = pages("page_count") * pages("page_size");
            let deadline = Instant::now() + Duration::from_secs(10);
            while self.size() < complete {
                assert!(Instant::now() < deadline, "never checkpointed");
                thread::sleep(Duration::from_millis(10));
            }
        }
    }

    #[test]
    fn a_commit_is_copied_into_the_database_file_and_drop_stops_the_thread() {
        let db = Db::new();
        let before = db.size();
        db.fill();
        assert_eq!(db.size(), before, "in the log only");
        let checkpointer = Checkpointer::start(&db.path, "FULL").unwrap();
        checkpointer.committed();
        db.await_full_copy();
        let dropped = Instant::now();
        drop(checkpointer);
        assert!(
            dropped.elapsed() < PAUSE,
            "stopped without waiting out its pause"
        );
    }

    #[test]
    fn a_commit_during_the_pause_is_copied_after_it_and_an_idle_thread_stops_at_once() {
        let db = Db::new();
        let checkpointer = Checkpointer::start(&db.path, "FULL").unwrap();
        db.fill();
        checkpointer.committed();
        db.await_full_copy();
        // The first checkpoint is over, and its pause under way (or about to be): this nudge
        // only fills the slot, which the end of the pause finds.
        db.fill();
        checkpointer.committed();
        db.await_full_copy();
        drop(checkpointer);

        let idle = Checkpointer::start(&db.path, "FULL").unwrap();
        let dropped = Instant::now();
        drop(idle);
        assert!(dropped.elapsed() < PAUSE, "an idle thread waited to stop");
    }
}
