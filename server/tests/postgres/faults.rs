//! Faults: the LISTEN connection cut, PostgreSQL restarted. Streams stay subscribed and
//! catch up from the table; writes fail with the cause while the database is away.

use std::time::Duration;

use notif_server::store::{NotifyCommand, Store, StoreError};
use notif_tests::postgres::PgCluster;

use super::support::{Node, client, database_on, next_seqs, send};

#[tokio::test]
async fn a_cut_listen_connection_reconnects_and_catches_up() {
    let url = database_on(PgCluster::shared(), &["alice"]).await;
    let (a, b) = (Node::open(&url).await, Node::open(&url).await);
    let mut on_b = b.hub.subscribe("alice").unwrap();
    let first = send(&a.store, "alice", "1").await;
    assert_eq!(next_seqs(&mut on_b, 1).await, [first]);
    let admin = client(&url).await;
    // Cut every LISTEN session of this database (B's, and A's), then write while they are
    // deaf: what is committed meanwhile must still arrive, once, in order.
    let cut = admin
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = current_database() AND query LIKE 'LISTEN%'",
            &[],
        )
        .await
        .unwrap();
    assert!(cut >= 2, "both nodes were listening");
    for i in 2..=30 {
        send(&a.store, "alice", &i.to_string()).await;
    }
    let seen = next_seqs(&mut on_b, 29).await;
    assert_eq!(seen, (2..=30).collect::<Vec<i64>>());
}

#[tokio::test]
async fn a_restarted_postgresql_fails_writes_with_the_cause_then_streams_catch_up() {
    let cluster = PgCluster::start();
    let url = database_on(&cluster, &["alice"]).await;
    let (a, b) = (Node::open(&url).await, Node::open(&url).await);
    let mut on_b = b.hub.subscribe("alice").unwrap();
    let first = send(&a.store, "alice", "before").await;
    assert_eq!(next_seqs(&mut on_b, 1).await, [first]);

    cluster.stop(true);
    match a.store.notify(NotifyCommand::plain("alice", "down")).await {
        Err(StoreError::Unwritable(cause)) => {
            assert!(cause.contains("PostgreSQL is unavailable"), "{cause}")
        }
        other => panic!("expected Unwritable, got {other:?}"),
    }
    cluster.start_again();
    // The pool replaces its dead connections; the first write may still meet one.
    let mut sent = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while sent.len() < 20 {
        match a.store.notify(NotifyCommand::plain("alice", "after")).await {
            Ok(_) => sent.push(()),
            Err(StoreError::Unwritable(_)) if std::time::Instant::now() < deadline => {}
            Err(err) => panic!("{err}"),
        }
    }
    let seen = next_seqs(&mut on_b, 20).await;
    assert_eq!(
        seen,
        (2..=21).collect::<Vec<i64>>(),
        "caught up, in order, once"
    );
    assert_eq!(b.store.max_seq("alice".into()).await.unwrap(), 21);
}
