//! The engine's guarantees, on an in-memory database: committed events reach the publisher
//! in commit order before the write is answered; a failed write publishes nothing and
//! leaves the rest of its batch alone; `Stop` commits what came before.

use std::sync::Mutex;

use super::*;
use crate::store::testing::{add_user, command, database};

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

fn writer() -> (Sender<WriteOp>, JoinHandle<()>, Arc<Recorder>, Arc<Metrics>) {
    let conn = database();
    add_user(&conn, "alice", None);
    let recorder = Arc::new(Recorder::default());
    let metrics = Arc::new(Metrics::default());
    let listeners = Listeners {
        publisher: recorder.clone(),
        metrics: Arc::clone(&metrics),
        outbox: None,
    };
    let housekeeping = Housekeeping {
        retention: std::time::Duration::MAX,
        max_per_user: u64::MAX,
    };
    let (tx, handle) = start(conn, listeners, housekeeping).unwrap();
    (tx, handle, recorder, metrics)
}

/// Queues a notify for alice; the receiver gets its answer.
fn notify(
    tx: &Sender<WriteOp>,
    title: &str,
) -> oneshot::Receiver<Result<NotifyOutcome, StoreError>> {
    let (reply, answer) = oneshot::channel();
    let command = command("alice", title);
    tx.send(WriteOp::Notify { command, reply }).unwrap();
    answer
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
    tx.send(WriteOp::Delete {
        user_id: "alice".into(),
        id: "nonexistent".into(),
        reply,
    })
    .unwrap();
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
    let late = WriteOp::Delete {
        user_id: "alice".into(),
        id: n.id,
        reply,
    };
    assert!(tx.send(late).is_err(), "nothing takes writes any more");
}
