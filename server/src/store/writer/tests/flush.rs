//! With `--sync full` on a file the writer flushes the log after each commit (`log_flush`):
//! streams are handed the batch before the flush, its writes are answered after it, and a
//! failed flush stops the writes.

use std::path::Path;
use std::time::{Duration, Instant};

use super::*;

/// Waits until `recorder` holds `count` events, or fails after a while.
fn await_published(recorder: &Recorder, count: usize) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while recorder.0.lock().unwrap().len() < count {
        assert!(Instant::now() < deadline, "never published");
        std::thread::yield_now();
    }
}

/// A named pipe at `path`: opening it to read waits for a writer, and it cannot be synced.
fn fifo(path: &Path) {
    let made = std::process::Command::new("mkfifo").arg(path).status();
    assert!(made.unwrap().success(), "mkfifo {}", path.display());
}

#[test]
fn streams_get_a_batch_before_its_flush_and_a_failed_flush_stops_the_writes() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("notif.db-wal");
    fifo(&log);
    let (tx, handle, recorder, metrics) = writer_with(Durability::FlushLog(log.clone()));
    let mut first = notify(&tx, "first");
    // The writer now waits in the flush, opening the pipe.
    await_published(&recorder, 1);
    assert!(first.try_recv().is_err(), "not answered before the flush");
    // Opening the other end lets the flush go on, and syncing a pipe fails.
    let _other_end = std::fs::OpenOptions::new().write(true).open(&log).unwrap();
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

#[test]
fn a_flushed_write_is_answered() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("notif.db-wal");
    std::fs::write(&log, b"").unwrap();
    let (tx, handle, recorder, _) = writer_with(Durability::FlushLog(log));
    let answers = [notify(&tx, "one"), notify(&tx, "two")];
    for answer in answers {
        created(answer.blocking_recv().unwrap().unwrap());
    }
    tx.send(WriteOp::Stop).unwrap();
    handle.join().unwrap();
    assert_eq!(recorder.take().len(), 2);
}
