//! The engine's guarantees, on an in-memory database: committed events reach the publisher
//! in commit order before the write is answered; a failed write publishes nothing and
//! leaves the rest of its batch alone; `Stop` commits what came before.

use std::sync::Mutex;

use tokio::sync::oneshot;

use super::*;
use crate::model::Notification;
use crate::store::testing::{add_user, database};
use crate::store::writes::Written;
use crate::store::{NotifyCommand, NotifyOutcome};

mod counts;
mod flush;

/// Keeps what it is given.
#[derive(Default)]
struct Recorder(Mutex<Vec<InboxEvent>>);

impl Publisher for Recorder {
    fn publish(&self, events: &[InboxEvent]) {
        self.0.lock().unwrap().extend_from_slice(events);
    }
}

impl Recorder {
    fn take(&self) -> Vec<InboxEvent> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

/// A started writer: where its writes go, its thread, what it published, its metrics.
type Started = (Sender<WriteOp>, JoinHandle<()>, Arc<Recorder>, Arc<Metrics>);

fn writer() -> Started {
    writer_with(Durability::Commit)
}

/// A writer whose commits reach the disk as `durability` says.
fn writer_with(durability: Durability) -> Started {
    let conn = database();
    add_user(&conn, "alice", None);
    let recorder = Arc::new(Recorder::default());
    let metrics = Arc::new(Metrics::default());
    let listeners = Listeners {
        publisher: recorder.clone(),
        metrics: Arc::clone(&metrics),
        outbox: None,
    };
    let housekeeping = keep_everything();
    let (tx, handle) = start(conn, listeners, housekeeping, 4096, None, durability).unwrap();
    (tx, handle, recorder, metrics)
}

/// Housekeeping that never deletes anything.
fn keep_everything() -> crate::store::Housekeeping {
    crate::store::Housekeeping {
        retention: std::time::Duration::MAX,
        max_per_user: u64::MAX,
        email_retention: std::time::Duration::MAX,
    }
}

/// The SQLite store at `path`, committing with `sync`, publishing to `publisher`, with
/// room for `write_queue` waiting writes.
fn store_at(
    path: &std::path::Path,
    sync: crate::store::sqlite::Sync,
    publisher: Arc<dyn Publisher>,
    write_queue: usize,
) -> crate::store::sqlite::SqliteStore {
    let listeners = Listeners {
        publisher,
        metrics: Arc::new(Metrics::default()),
        outbox: None,
    };
    let capacity = crate::store::sqlite::Capacity {
        readers: 1,
        read_queue: 8,
        write_queue,
    };
    crate::store::sqlite::SqliteStore::open(path, sync, capacity, listeners, keep_everything())
        .unwrap()
}

/// Queues a notify for alice; the receiver gets its answer.
fn notify(
    tx: &Sender<WriteOp>,
    title: &str,
) -> oneshot::Receiver<Result<NotifyOutcome, StoreError>> {
    let (reply, answer) = oneshot::channel();
    let command = NotifyCommand::plain("alice", title);
    tx.send(WriteOp::Write(super::notify(command, reply)))
        .unwrap();
    answer
}

/// Deletes alice's notification `id`.
fn delete(id: &str, reply: Reply<()>) -> WriteOp {
    let id = id.to_owned();
    WriteOp::Write(job(
        move |conn, _| writes::delete(conn, "alice", &id),
        reply,
    ))
}

fn created(outcome: NotifyOutcome) -> Notification {
    match outcome {
        NotifyOutcome::Created(response) => response.notification.unwrap(),
        NotifyOutcome::Replayed(body) => panic!("replayed {body}"),
    }
}

#[test]
fn events_are_published_in_commit_order_before_the_answer() {
    let (tx, handle, recorder, metrics) = writer();
    let answers = [notify(&tx, "first"), notify(&tx, "second")];
    let (reply, deleted) = oneshot::channel();
    tx.send(delete("nonexistent", reply)).unwrap();
    let mut notifications = Vec::new();
    for answer in answers {
        let n = created(answer.blocking_recv().unwrap().unwrap());
        let published = recorder.0.lock().unwrap().clone();
        assert!(
            published.contains(&InboxEvent::Created(n.clone())),
            "published before answered"
        );
        notifications.push(n);
    }
    let refused = deleted.blocking_recv().unwrap();
    assert!(matches!(refused, Err(StoreError::NotFound)));
    tx.send(WriteOp::Stop).unwrap();
    handle.join().unwrap();
    let expected: Vec<_> = notifications.into_iter().map(InboxEvent::Created).collect();
    assert_eq!(
        recorder.take(),
        expected,
        "in order, nothing for the failed delete"
    );
    assert_eq!(metrics.notifications_created.load(Ordering::Relaxed), 2);
}

#[test]
fn stop_commits_what_came_before_then_the_writer_is_gone() {
    let (tx, handle, recorder, _) = writer();
    let answer = notify(&tx, "last");
    tx.send(WriteOp::Stop).unwrap();
    handle.join().unwrap();
    let n = created(answer.blocking_recv().unwrap().unwrap());
    assert_eq!(recorder.take(), vec![InboxEvent::Created(n.clone())]);
    let (reply, _) = oneshot::channel();
    let late = delete(&n.id, reply);
    assert!(tx.send(late).is_err(), "nothing takes writes any more");
}

/// A write that runs until released, saying when it started: the writes queued meanwhile
/// make the next batch together.
fn hold(tx: &Sender<WriteOp>) -> std::sync::mpsc::Sender<()> {
    let (started, entered) = std::sync::mpsc::sync_channel(1);
    let (release, released) = std::sync::mpsc::channel();
    let released = Mutex::new(released);
    let (reply, _) = oneshot::channel();
    let held = job(
        move |_, _| {
            let _ = started.try_send(());
            let _ = released.lock().unwrap().recv();
            Ok(Written::quiet(()))
        },
        reply,
    );
    tx.send(WriteOp::Write(held)).unwrap();
    entered.recv().unwrap();
    release
}

/// Queues a write that only reads: `sql`, one row, mapped by `row`.
fn read<T: Send + 'static>(
    tx: &Sender<WriteOp>,
    sql: impl Into<String>,
    row: fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> oneshot::Receiver<Result<T, StoreError>> {
    let (reply, answer) = oneshot::channel();
    let sql = sql.into();
    let read = job(
        move |conn, _| Ok(Written::quiet(conn.query_row(&sql, [], row)?)),
        reply,
    );
    tx.send(WriteOp::Write(read)).unwrap();
    answer
}

/// Queues a write that reads alice's address.
fn address(tx: &Sender<WriteOp>) -> oneshot::Receiver<Result<Option<String>, StoreError>> {
    read(tx, "SELECT email FROM users WHERE id = 'alice'", |r| {
        r.get(0)
    })
}

#[test]
fn a_write_failing_after_it_changed_rows_undoes_only_itself() {
    let (tx, handle, recorder, metrics) = writer();
    let release = hold(&tx);
    let before = notify(&tx, "before");
    let (reply, failed) = oneshot::channel();
    let half_done = job(
        |conn, _| {
            conn.execute(
                "UPDATE users SET email = 'half@example.com' WHERE id = 'alice'",
                [],
            )?;
            Err::<Written<()>, _>(StoreError::NotFound)
        },
        reply,
    );
    tx.send(WriteOp::Write(half_done)).unwrap();
    let after = notify(&tx, "after");
    let email = address(&tx);
    release.send(()).unwrap();

    let created = [before, after].map(|a| created(a.blocking_recv().unwrap().unwrap()));
    assert!(matches!(
        failed.blocking_recv().unwrap(),
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        email.blocking_recv().unwrap().unwrap(),
        None,
        "its change undone"
    );
    tx.send(WriteOp::Stop).unwrap();
    handle.join().unwrap();
    assert_eq!(
        recorder.take(),
        created.map(InboxEvent::Created).to_vec(),
        "each committed write's event once, in order"
    );
    assert_eq!(metrics.batches_redone.load(Ordering::Relaxed), 1);
    let commits = rendered(&metrics, "notif_commit_seconds_count");
    assert!(commits >= 2, "the held batch and the redone one: {commits}");
    assert_eq!(
        commits,
        rendered(&metrics, "notif_commit_batch_size_count"),
        "a time for each committed batch, the redone one once"
    );
}

/// The value of the sample `name` in `/metrics`.
fn rendered(metrics: &Metrics, name: &str) -> u64 {
    let text = metrics.render();
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in {text}"))
}

#[test]
fn a_write_failing_before_it_changed_anything_needs_no_redo() {
    let (tx, handle, _, metrics) = writer();
    let release = hold(&tx);
    let before = notify(&tx, "before");
    let (reply, missing) = oneshot::channel();
    tx.send(delete("nonexistent", reply)).unwrap();
    let after = notify(&tx, "after");
    release.send(()).unwrap();
    created(before.blocking_recv().unwrap().unwrap());
    created(after.blocking_recv().unwrap().unwrap());
    assert!(matches!(
        missing.blocking_recv().unwrap(),
        Err(StoreError::NotFound)
    ));
    tx.send(WriteOp::Stop).unwrap();
    handle.join().unwrap();
    assert_eq!(metrics.batches_redone.load(Ordering::Relaxed), 0);
}

/// Holds the writer inside `publish` until released, saying when it got there.
struct Gate {
    entered: std::sync::mpsc::SyncSender<()>,
    release: Mutex<std::sync::mpsc::Receiver<()>>,
}

impl Publisher for Gate {
    fn publish(&self, _: &[InboxEvent]) {
        let _ = self.entered.try_send(());
        let _ = self.release.lock().unwrap().recv();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue11_point6_a_full_write_queue_answers_busy_at_once() {
    use crate::store::Store;
    use crate::store::sqlite::Sync;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notif.db");
    add_user(
        &super::super::sqlite::open_connection(&path).unwrap(),
        "alice",
        None,
    );
    let (entered_tx, entered) = std::sync::mpsc::sync_channel(8);
    let (release, release_rx) = std::sync::mpsc::channel();
    let gate = Arc::new(Gate {
        entered: entered_tx,
        release: Mutex::new(release_rx),
    });
    let store = Arc::new(store_at(&path, Sync::Normal, gate, 2));
    let write = |title: &'static str| {
        let store = Arc::clone(&store);
        tokio::spawn(async move { store.notify(NotifyCommand::plain("alice", title)).await })
    };
    // The first write holds the writer in `publish`; two more fill the queue.
    let first = write("first");
    tokio::task::spawn_blocking(move || entered.recv().unwrap())
        .await
        .unwrap();
    let queued = [write("second"), write("third")];
    while store.writes.len() < 2 {
        tokio::task::yield_now().await;
    }
    // At once: on an unbounded queue this write would wait behind the held one.
    let refused = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        store.notify(NotifyCommand::plain("alice", "refused")),
    )
    .await
    .expect("refused at once, not queued");
    assert!(
        matches!(refused, Err(StoreError::Busy("writes"))),
        "{refused:?}"
    );
    for _ in 0..3 {
        release.send(()).unwrap();
    }
    first.await.unwrap().unwrap();
    for task in queued {
        task.await.unwrap().unwrap();
    }
    drop(release);
    store.close().await.unwrap();
}

/// Queues a write that counts the rows waiting for the search index (above its watermark),
/// and the rows it finds with "note" in their title.
fn waiting_for_the_index(tx: &Sender<WriteOp>) -> (i64, i64) {
    let sql = format!(
        "SELECT (SELECT count(*) FROM notifications WHERE {}),
                (SELECT count(*) FROM notifications_search
                 WHERE notifications_search MATCH 'note')",
        search::WAITING
    );
    read(tx, sql, |r| Ok((r.get(0)?, r.get(1)?)))
        .blocking_recv()
        .unwrap()
        .unwrap()
}

#[test]
fn the_search_index_is_brought_up_to_date_once_enough_rows_wait() {
    let (tx, handle, _, _) = writer();
    notify(&tx, "note 0").blocking_recv().unwrap().unwrap();
    assert_eq!(
        waiting_for_the_index(&tx),
        (0, 1),
        "the first batch indexes"
    );
    let every = search::INDEX_EVERY as i64;
    for i in 1..=every {
        notify(&tx, &format!("note {i}"))
            .blocking_recv()
            .unwrap()
            .unwrap();
        assert_eq!(waiting_for_the_index(&tx), (i, 1), "gathering");
    }
    // The batch after the one that brought the count to INDEX_EVERY indexes, whatever it
    // writes: here the loop's last count, which read before the indexing.
    assert_eq!(
        waiting_for_the_index(&tx),
        (0, every + 1),
        "indexed in one go"
    );
    tx.send(WriteOp::Stop).unwrap();
    handle.join().unwrap();
}
