//! The read pool: a few threads, each owning a read-only connection, taking jobs from one
//! queue. Reads run here, off the async runtime's worker threads; WAL lets them run while
//! the writer commits.

use std::path::Path;
use std::thread;

use crossbeam_channel::{Receiver, Sender};
use rusqlite::{Connection, OpenFlags};
use tokio::sync::oneshot;

use super::StoreError;
use super::sqlite::configure_reader;

type Job = Box<dyn FnOnce(&Connection) + Send>;

/// The sending side of the pool; threads end when it is dropped.
pub struct ReadPool {
    jobs: Sender<Job>,
}

impl ReadPool {
    /// Opens `size` read-only connections to `path`, one thread each.
    pub fn open(path: &Path, size: usize) -> Result<ReadPool, StoreError> {
        let (jobs, queue) = crossbeam_channel::unbounded::<Job>();
        for i in 0..size {
            let conn = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            configure_reader(&conn)?;
            let queue: Receiver<Job> = queue.clone();
            thread::Builder::new()
                .name(format!("notif-reader-{i}"))
                .spawn(move || {
                    for job in queue {
                        job(&conn);
                    }
                })?;
        }
        Ok(ReadPool { jobs })
    }

    /// Runs `read` on a pooled connection and awaits its result.
    pub async fn run<T, F>(&self, read: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        self.jobs
            .send(Box::new(move |conn| {
                let _ = tx.send(read(conn));
            }))
            .map_err(|_| StoreError::Closed)?;
        rx.await.map_err(|_| StoreError::Closed)?
    }
}
