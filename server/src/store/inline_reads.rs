//! Short reads served on the calling thread. Every request reads its token (a primary-key
//! lookup of a few microseconds); handing that to a reader thread and back cost more than
//! the read itself: two thread wake-ups and two channel hand-offs per request. Here a few
//! connections wait behind locks; a read takes a free one without waiting and runs at once,
//! on the runtime's worker. It never waits for the database either (busy timeout zero):
//! when no connection is free, or the database is busy (another process holding a lock),
//! the read goes to the reader threads as before, which may wait.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{Connection, ErrorCode, OpenFlags};

use super::StoreError;
use super::reader::ReadPool;
use super::sqlite::configure_reader;

/// Read-only connections shared by the runtime's workers, and the pool behind them.
pub struct InlineReads {
    connections: Vec<Mutex<Connection>>,
    fallback: ReadPool,
}

impl InlineReads {
    /// Opens `size` read-only connections to `path`, in front of `fallback`.
    pub fn open(path: &Path, size: usize, fallback: ReadPool) -> Result<InlineReads, StoreError> {
        let connections = (0..size)
            .map(|_| {
                let conn = Connection::open_with_flags(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                configure_reader(&conn)?;
                conn.busy_timeout(std::time::Duration::ZERO)?;
                Ok(Mutex::new(conn))
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(InlineReads {
            connections,
            fallback,
        })
    }

    /// Runs `read` here on a free connection, or on the pool's threads when none is free or
    /// the database is busy.
    pub async fn run<T, F>(&self, read: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: Fn(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        if let Some(conn) = self.connections.iter().find_map(|c| c.try_lock().ok()) {
            match read(&conn) {
                Err(err) if is_busy(&err) => {}
                done => return done,
            }
        }
        self.fallback.run(move |conn| read(conn)).await
    }
}

/// Whether `err` is another connection's lock, which the pool's threads wait out.
fn is_busy(err: &StoreError) -> bool {
    matches!(
        err,
        StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _))
            if matches!(e.code, ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::AtomicU32;
    use std::sync::atomic::Ordering::SeqCst;

    use super::*;
    use crate::store::reader::Priority;

    fn reads(dir: &Path) -> InlineReads {
        let path = dir.join("notif.db");
        drop(crate::store::sqlite::open_connection(&path).unwrap());
        let pool = ReadPool::open(&path, "authentications", 1, 8, Priority::Normal).unwrap();
        InlineReads::open(&path, 1, pool).unwrap()
    }

    /// The name of the thread a read ran on.
    fn thread_name(_: &Connection) -> Result<String, StoreError> {
        Ok(std::thread::current().name().unwrap_or_default().to_owned())
    }

    #[tokio::test(flavor = "current_thread")]
    #[expect(
        clippy::await_holding_lock,
        reason = "the read must find every connection taken; the pool's thread answers it"
    )]
    async fn reads_run_here_and_go_to_the_pool_when_every_connection_is_taken() {
        let dir = tempfile::tempdir().unwrap();
        let reads = reads(dir.path());
        let here = std::thread::current().name().unwrap_or_default().to_owned();
        assert_eq!(reads.run(thread_name).await.unwrap(), here);
        let _taken = reads.connections[0].lock().unwrap();
        assert_eq!(
            reads.run(thread_name).await.unwrap(),
            "notif-authentications-0"
        );
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_busy_database_sends_the_read_to_the_pool() {
        let dir = tempfile::tempdir().unwrap();
        let reads = reads(dir.path());
        let calls = Arc::new(AtomicU32::new(0));
        let counted = Arc::clone(&calls);
        let busy_once = move |conn: &Connection| {
            if counted.fetch_add(1, SeqCst) == 0 {
                return Err(StoreError::Sqlite(rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
                    None,
                )));
            }
            thread_name(conn)
        };
        assert_eq!(
            reads.run(busy_once).await.unwrap(),
            "notif-authentications-0"
        );
        assert_eq!(calls.load(SeqCst), 2, "tried here, then on the pool");
    }
}
