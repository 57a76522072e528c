//! With `--sync full` on a file the flusher syncs the log after the writer's commits
//! (`flusher`, `log_flush`): streams are handed a batch before the sync, its writes are
//! answered after it, a stalled sync holds up the answers but not the next batches, and a
//! failed sync stops the writes.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::*;
use crate::store::writer::log_flush::LogFlush;

/// Waits until `recorder` holds `count` events, or fails after a while.
fn await_published(recorder: &Recorder, count: usize) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while recorder.0.lock().unwrap().len() < count {
        assert!(Instant::now() < deadline, "never published");
        std::thread::yield_now();
    }
}

#[cfg(unix)]
/// A named pipe at `path`: opening it to write waits for a reader, and it cannot be synced.
fn fifo(path: &Path) {
    let made = std::process::Command::new("mkfifo").arg(path).status();
    assert!(made.unwrap().success(), "mkfifo {}", path.display());
}

/// A writer whose log is a named pipe in `dir`: its first sync waits, opening the pipe to
/// write, until the pipe is opened to read, and then fails (a pipe cannot be synced).
#[cfg(unix)]
fn writer_on_a_pipe(dir: &Path) -> (PathBuf, Started) {
    let log = dir.join("notif.db-wal");
    fifo(&log);
    let writer = writer_with(Durability::FlushLog(LogFlush::at_first_flush(log.clone())));
    (log, writer)
}

#[cfg(unix)]
#[test]
fn streams_get_a_batch_before_its_flush_and_a_failed_flush_stops_the_writes() {
    let dir = tempfile::tempdir().unwrap();
    let (log, (tx, handle, recorder, metrics)) = writer_on_a_pipe(dir.path());
    let mut first = notify(&tx, "first");
    // The flusher now waits in the sync, opening the pipe to write.
    await_published(&recorder, 1);
    assert!(first.try_recv().is_err(), "not answered before the flush");
    // Opening it to read lets the flush go on, and syncing a pipe fails.
    let _other_end = std::fs::File::open(&log).unwrap();
    let failed = first.blocking_recv().unwrap().unwrap_err();
    let StoreError::Commit(message) = failed else {
        panic!("{failed:?}");
    };
    assert!(message.starts_with("could not flush"), "{message}");

    let second = notify(&tx, "second");
    let refused = second.blocking_recv().unwrap().unwrap_err();
    assert!(
        matches!(&refused, StoreError::Commit(m) if *m == message),
        "{refused:?}"
    );
    tx.send(WriteOp::Stop).unwrap();
    handle.join().unwrap();
    assert_eq!(recorder.take().len(), 1, "nothing after the failed flush");
    assert_eq!(metrics.notifications_created.load(Ordering::Relaxed), 1);
}

#[cfg(unix)]
#[test]
fn a_stalled_sync_holds_up_the_answers_but_not_the_streams() {
    let dir = tempfile::tempdir().unwrap();
    let (log, (tx, handle, recorder, _)) = writer_on_a_pipe(dir.path());
    let mut first = notify(&tx, "first");
    await_published(&recorder, 1);
    // The flusher waits in the sync, opening the pipe; the writer does not wait past its
    // patience.
    let mut second = notify(&tx, "second");
    await_published(&recorder, 2);
    assert!(first.try_recv().is_err(), "answered before its sync");
    assert!(second.try_recv().is_err(), "answered before its sync");

    let _other_end = std::fs::File::open(&log).unwrap();
    for answer in [first, second] {
        let failed = answer.blocking_recv().unwrap().unwrap_err();
        assert!(
            matches!(&failed, StoreError::Commit(m) if m.starts_with("could not flush")),
            "both wait for the sync, which fails on a pipe: {failed:?}"
        );
    }
    tx.send(WriteOp::Stop).unwrap();
    handle.join().unwrap();
}

#[test]
fn a_flushed_write_is_answered() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("notif.db-wal");
    std::fs::write(&log, b"").unwrap();
    let (tx, handle, recorder, _) = writer_with(Durability::FlushLog(LogFlush::open(log).unwrap()));
    let answers = [notify(&tx, "one"), notify(&tx, "two")];
    for answer in answers {
        created(answer.blocking_recv().unwrap().unwrap());
    }
    tx.send(WriteOp::Stop).unwrap();
    handle.join().unwrap();
    assert_eq!(recorder.take().len(), 2);
}

/// The store at `path`, opened with `sync`: what it creates for alice, and closed.
async fn notify_through_the_store(path: &Path, sync: crate::store::sqlite::Sync) -> i64 {
    use crate::store::Store;

    let store = store_at(path, sync, Arc::new(Recorder::default()), 8);
    let outcome = store.notify(NotifyCommand::plain("alice", "t")).await;
    store.close().await.unwrap();
    created(outcome.unwrap()).seq
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_start_of_the_store_with_sync_full_skips_sequence_numbers() {
    use crate::store::sqlite::{Sync, open_connection};
    use crate::store::writer::log_flush::SKIPPED_AT_START;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notif.db");
    add_user(&open_connection(&path).unwrap(), "alice", None);
    let first = notify_through_the_store(&path, Sync::Full).await;
    assert_eq!(first, 1 + SKIPPED_AT_START);
    let second = notify_through_the_store(&path, Sync::Full).await;
    assert_eq!(second, first + 1 + SKIPPED_AT_START);
    let third = notify_through_the_store(&path, Sync::Normal).await;
    assert_eq!(third, second + 1, "--sync normal skips nothing");
}
