//! The read pool: a few threads, each owning a read-only connection, taking jobs from one
//! bounded queue. Reads run here, off the async runtime's worker threads; WAL lets them run
//! while the writer commits. A full queue refuses the read at once (`StoreError::Busy`, a
//! `503` with `Retry-After`) rather than letting waiting requests pile up without end.

use std::path::Path;
use std::thread;

use crossbeam_channel::{Receiver, Sender, TrySendError};
use rusqlite::{Connection, OpenFlags};
use tokio::sync::oneshot;

use super::StoreError;
use super::sqlite::configure_reader;

type Job = Box<dyn FnOnce(&Connection) + Send>;

/// How a pool's threads share the CPU with the rest of the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    /// Like every other thread: reads a request waits for.
    Normal,
    /// Behind every other thread (nice 10 on Linux): bulk work such as stream replays,
    /// which then takes only the CPU that interactive requests leave.
    Background,
}

/// The niceness of `Priority::Background` threads: they get about a tenth of the CPU a
/// normal thread gets when both want it, and all of it when nothing else runs.
const BACKGROUND_NICE: i32 = 10;

/// The sending side of the pool; threads end when it is dropped.
pub struct ReadPool {
    /// What the pool is for, in `Busy` errors ("reads", "authentications").
    name: &'static str,
    jobs: Sender<Job>,
}

impl ReadPool {
    /// Opens `size` read-only connections to `path`, one thread each at `priority`, taking
    /// jobs from a queue of at most `queue` waiting ones.
    pub fn open(
        path: &Path,
        name: &'static str,
        size: usize,
        queue: usize,
        priority: Priority,
    ) -> Result<ReadPool, StoreError> {
        let (jobs, waiting) = crossbeam_channel::bounded::<Job>(queue.max(1));
        for i in 0..size {
            let conn = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            configure_reader(&conn)?;
            let waiting: Receiver<Job> = waiting.clone();
            thread::Builder::new()
                .name(format!("notif-{name}-{i}"))
                .spawn(move || {
                    if priority == Priority::Background {
                        lower_priority();
                    }
                    for job in waiting {
                        job(&conn);
                    }
                })?;
        }
        Ok(ReadPool { name, jobs })
    }

    /// Runs `read` on a pooled connection and awaits its result; `Busy` at once when the
    /// queue is full.
    pub async fn run<T, F>(&self, read: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let _ = tx.send(read(conn));
        });
        match self.jobs.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => return Err(StoreError::Busy(self.name)),
            Err(TrySendError::Disconnected(_)) => return Err(StoreError::Closed),
        }
        rx.await.map_err(|_| StoreError::Closed)?
    }
}

/// Lowers the calling thread's CPU priority to `BACKGROUND_NICE`. On Linux a priority set
/// for a thread id applies to that thread alone; elsewhere it would apply to the whole
/// process, so it is left alone there.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    {
        let thread = rustix::thread::gettid();
        if let Err(err) = rustix::process::setpriority_process(Some(thread), BACKGROUND_NICE) {
            tracing::warn!(%err, "could not lower a background reader's priority");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, mpsc};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn issue11_point3_a_full_read_queue_refuses_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notif.db");
        drop(super::super::sqlite::open_connection(&path).unwrap());
        let pool = Arc::new(ReadPool::open(&path, "reads", 1, 2, Priority::Normal).unwrap());
        // One read holds the only reader until released; two more fill the queue.
        let (release, held) = mpsc::channel::<()>();
        let (started_tx, started) = mpsc::channel::<()>();
        let read = |pool: &Arc<ReadPool>, job: Box<dyn FnOnce() -> i64 + Send>| {
            let pool = Arc::clone(pool);
            tokio::spawn(async move { pool.run(move |_| Ok(job())).await.unwrap() })
        };
        let blocker = read(
            &pool,
            Box::new(move || {
                started_tx.send(()).unwrap();
                held.recv().unwrap();
                0
            }),
        );
        started.recv().unwrap();
        let queued = [read(&pool, Box::new(|| 1)), read(&pool, Box::new(|| 2))];
        while pool.jobs.len() < 2 {
            tokio::task::yield_now().await;
        }
        // At once: on an unbounded queue this read would wait behind the held one.
        let refused = tokio::time::timeout(std::time::Duration::from_secs(5), pool.run(|_| Ok(9)))
            .await
            .expect("refused at once, not queued");
        assert!(
            matches!(refused, Err(StoreError::Busy("reads"))),
            "{refused:?}"
        );
        release.send(()).unwrap();
        assert_eq!(blocker.await.unwrap(), 0);
        for (task, expected) in queued.into_iter().zip([1, 2]) {
            assert_eq!(task.await.unwrap(), expected);
        }
        assert_eq!(pool.run(|_| Ok(3)).await.unwrap(), 3, "room again");
    }
}
