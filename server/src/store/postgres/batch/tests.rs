//! The batch paths against a real PostgreSQL (the test kit's private cluster): plain
//! notifies in one round trip, a failing one undoing only itself, a lone one writing nothing
//! and waiting for no echo — with every committed event heard exactly once.

use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::mpsc;
use tokio_postgres::{AsyncMessage, NoTls};

use super::*;
use crate::model::InboxEvent;
use crate::store::NotifyOutcome;
use crate::store::postgres::events::Heard;
use crate::store::postgres::{admin, admin_connection, connect};

/// What a test works with: a pool on a database with users alice, bob and carol, an admin
/// connection, and the payloads heard on the events channel from now on.
struct Db {
    pool: Pool,
    admin: deadpool_postgres::Object,
    heard: mpsc::UnboundedReceiver<String>,
    _listening: tokio_postgres::Client,
}

async fn database() -> Db {
    let url = notif_tests::postgres::PgCluster::shared().database();
    let admin = admin_connection(&url).await.unwrap();
    for user in ["alice", "bob", "carol"] {
        admin::add_user(&admin, user, None).await.unwrap();
    }
    let (listening, mut connection) = tokio_postgres::connect(&url, NoTls).await.unwrap();
    let (heard_tx, heard) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(Ok(message)) = messages.next().await {
            if let AsyncMessage::Notification(n) = message {
                let _ = heard_tx.send(n.payload().to_owned());
            }
        }
    });
    listening
        .batch_execute(&format!("LISTEN {}", events::CHANNEL))
        .await
        .unwrap();
    Db {
        pool: connect::pool(connect::config(&url).unwrap(), 2).unwrap(),
        admin,
        heard,
        _listening: listening,
    }
}

fn notify(user: &str, title: &str) -> Op {
    Op::Notify(NotifyCommand::plain(user, title), oneshot::channel().0)
}

/// The one number `sql` (a `count(*)`) answers.
async fn count(c: &deadpool_postgres::Object, sql: &str) -> i64 {
    c.query_one(sql, &[]).await.unwrap().get(0)
}

/// The created notifications heard up to `waiter`'s end marker, as `(user, seq, title)`.
async fn heard_until(
    heard: &mut mpsc::UnboundedReceiver<String>,
    waiter: &Waiter,
) -> Vec<(String, i64, String)> {
    let mut created = Vec::new();
    loop {
        let payload = tokio::time::timeout(Duration::from_secs(10), heard.recv())
            .await
            .expect("the batch's end marker is heard")
            .expect("still listening");
        match events::decode(&payload) {
            Some(Heard::Event(InboxEvent::Created(n))) => created.push((n.user_id, n.seq, n.title)),
            Some(Heard::End { node, batch }) if (node, batch) == (waiter.node, waiter.batch) => {
                return created;
            }
            other => panic!("unexpected payload {other:?}"),
        }
    }
}

fn created(result: &Result<Done, StoreError>) -> Option<(i64, String)> {
    match result {
        Ok(Done::Notify(Notified {
            outcome: NotifyOutcome::Created(response),
            ..
        })) => response
            .notification
            .as_ref()
            .map(|n| (n.seq, n.title.clone())),
        _ => None,
    }
}

#[tokio::test]
async fn a_failing_notify_in_a_pipelined_batch_undoes_only_itself() {
    let mut db = database().await;
    let (pool, c) = (&db.pool, &db.admin);
    // Without its counter row bob's insert fails (its trigger raises), aborting the
    // pipelined transaction; dave is simply unknown, which fails nothing.
    c.execute("DELETE FROM user_counters WHERE user_id = 'bob'", &[])
        .await
        .unwrap();
    let batch = vec![
        notify("alice", "a1"),
        notify("alice", "a2"),
        notify("bob", "b1"),
        notify("carol", "c1"),
        notify("dave", "d1"),
    ];
    assert!(pipeline::fits(&batch));
    let echoes = Echoes::default();
    let waiter = echoes.register();
    let applied = attempt_batch(pool, &batch, false, &waiter).await.unwrap();
    assert!(applied.marked);
    let results = &applied.results;
    assert_eq!(created(&results[0]), Some((1, "a1".into())));
    assert_eq!(created(&results[1]), Some((2, "a2".into())));
    assert!(
        matches!(results[2], Err(StoreError::Postgres(_))),
        "{:?}",
        results[2].as_ref().err()
    );
    assert_eq!(created(&results[3]), Some((1, "c1".into())));
    assert!(matches!(&results[4], Err(StoreError::UnknownUser(u)) if u == "dave"));
    // Heard once each, in commit order: the rolled-back first try sent nothing.
    assert_eq!(
        heard_until(&mut db.heard, &waiter).await,
        [
            ("alice".into(), 1, "a1".into()),
            ("alice".into(), 2, "a2".into()),
            ("carol".into(), 1, "c1".into()),
        ]
    );
    assert_eq!(count(c, "SELECT count(*) FROM notifications").await, 3);
}

#[tokio::test]
async fn plain_notifies_commit_in_one_round_trip_and_a_lone_failure_writes_nothing() {
    let mut db = database().await;
    let (pool, c) = (&db.pool, &db.admin);
    let echoes = Echoes::default();
    let batch = vec![notify("alice", "a1"), notify("bob", "b1")];
    let waiter = echoes.register();
    let applied = attempt_batch(pool, &batch, false, &waiter).await.unwrap();
    assert!(applied.marked);
    assert_eq!(created(&applied.results[0]), Some((1, "a1".into())));
    assert_eq!(created(&applied.results[1]), Some((1, "b1".into())));
    assert_eq!(heard_until(&mut db.heard, &waiter).await.len(), 2);

    c.execute("DELETE FROM user_counters WHERE user_id = 'carol'", &[])
        .await
        .unwrap();
    let waiter = echoes.register();
    let applied = attempt_batch(pool, &[notify("carol", "c1")], false, &waiter)
        .await
        .unwrap();
    assert!(!applied.marked, "nothing committed: no echo to wait for");
    assert!(applied.results[0].is_err());
    let carols = "SELECT count(*) FROM notifications WHERE user_id = 'carol'";
    assert_eq!(count(c, carols).await, 0);
    // The connection is usable (not left in a transaction): the next batch commits.
    let waiter = echoes.register();
    let applied = attempt_batch(pool, &[notify("alice", "a2")], false, &waiter)
        .await
        .unwrap();
    assert_eq!(created(&applied.results[0]), Some((2, "a2".into())));
    assert_eq!(
        heard_until(&mut db.heard, &waiter).await,
        [("alice".into(), 2, "a2".into())]
    );
}

#[tokio::test]
async fn a_long_batch_of_notifies_is_one_transaction_in_the_batchs_order() {
    let mut db = database().await;
    let (pool, c) = (&db.pool, &db.admin);
    let batch: Vec<Op> = (0..MAX_BATCH)
        .map(|i| notify(["alice", "bob", "carol"][i % 3], &format!("n{i}")))
        .collect();
    let echoes = Echoes::default();
    let waiter = echoes.register();
    let applied = attempt_batch(pool, &batch, false, &waiter).await.unwrap();
    assert!(applied.results.iter().all(|r| created(r).is_some()));
    let titles: Vec<String> = heard_until(&mut db.heard, &waiter)
        .await
        .into_iter()
        .map(|(_, _, title)| title)
        .collect();
    let sent: Vec<String> = (0..MAX_BATCH).map(|i| format!("n{i}")).collect();
    assert_eq!(titles, sent);
    let transactions = count(c, "SELECT count(DISTINCT xmin::text) FROM notifications").await;
    assert_eq!(transactions, 1, "every call between BEGIN and COMMIT");
}
