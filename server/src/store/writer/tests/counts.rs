//! A batch's notifications read their recipient once and are counted in its totals at once
//! (`writes::Recipients`): before any other write, which sees the counts (and whose changes
//! the next notifications see), and before the commit; once even when the batch is redone.

use super::*;

/// Queues a write that reads alice's totals: all her notifications, and the unread ones.
fn totals(tx: &Sender<WriteOp>) -> oneshot::Receiver<Result<(i64, i64), StoreError>> {
    read(
        tx,
        "SELECT notification_count, unread_count FROM users WHERE id = 'alice'",
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

#[test]
fn a_batchs_notifications_are_counted_before_the_next_write_and_see_its_changes() {
    let (tx, handle, _, _) = writer();
    let release = hold(&tx);
    let first = [notify(&tx, "one"), notify(&tx, "two")];
    let counted = totals(&tx);
    let (reply, _) = oneshot::channel();
    let in_app_off = job(
        |conn, _| {
            let off = crate::model::PreferencesPatch {
                in_app: Some(false),
                ..Default::default()
            };
            writes::update_preferences(conn, "alice", &off).map(Written::quiet)
        },
        reply,
    );
    tx.send(WriteOp::Write(in_app_off)).unwrap();
    let muted = notify(&tx, "three");
    let last = totals(&tx);
    release.send(()).unwrap();

    for answer in first {
        created(answer.blocking_recv().unwrap().unwrap());
    }
    assert_eq!(counted.blocking_recv().unwrap().unwrap(), (2, 2));
    match muted.blocking_recv().unwrap().unwrap() {
        NotifyOutcome::Created(response) => {
            assert_eq!(response.notification, None, "the new preferences decided")
        }
        NotifyOutcome::Replayed(body) => panic!("replayed {body}"),
    }
    assert_eq!(last.blocking_recv().unwrap().unwrap(), (2, 2));
    tx.send(WriteOp::Stop).unwrap();
    handle.join().unwrap();
}

#[test]
fn a_redone_batch_counts_its_notifications_once() {
    let (tx, handle, _, metrics) = writer();
    let release = hold(&tx);
    let before = notify(&tx, "one");
    // Fails after its insert: its idempotency key names a token that does not exist.
    let (reply, failed) = oneshot::channel();
    let command = NotifyCommand {
        idempotency: Some((999, "key".to_owned(), [0; 32])),
        ..NotifyCommand::plain("alice", "two")
    };
    tx.send(WriteOp::Write(crate::store::writer::notify(command, reply)))
        .unwrap();
    let after = notify(&tx, "three");
    let counted = totals(&tx);
    release.send(()).unwrap();

    created(before.blocking_recv().unwrap().unwrap());
    assert!(failed.blocking_recv().unwrap().is_err());
    created(after.blocking_recv().unwrap().unwrap());
    assert_eq!(counted.blocking_recv().unwrap().unwrap(), (2, 2));
    assert_eq!(metrics.batches_redone.load(Ordering::Relaxed), 1);
    tx.send(WriteOp::Stop).unwrap();
    handle.join().unwrap();
}

#[test]
fn a_batch_of_notifications_alone_is_counted_before_its_commit() {
    let (tx, handle, _, _) = writer();
    let release = hold(&tx);
    let batch = [notify(&tx, "one"), notify(&tx, "two")];
    release.send(()).unwrap();
    for answer in batch {
        created(answer.blocking_recv().unwrap().unwrap());
    }
    // A batch of its own, after the one above committed.
    assert_eq!(totals(&tx).blocking_recv().unwrap().unwrap(), (2, 2));
    tx.send(WriteOp::Stop).unwrap();
    handle.join().unwrap();
}
