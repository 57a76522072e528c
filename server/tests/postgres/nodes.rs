//! Several nodes on one database: delivery across nodes, per-user order under concurrent
//! writers on every node, idempotency keys and the outbox shared exactly once.

use std::collections::HashSet;
use std::sync::Arc;

use notif_server::store::{EmailResult, NotifyCommand, NotifyOutcome, Store};
use notif_server::timestamp::now_ms;

use super::support::{Node, database_with, next, next_seqs, send};

#[tokio::test]
async fn a_commit_on_one_node_reaches_streams_on_the_others() {
    let url = database_with(&["alice"]).await;
    let (a, b) = (Node::open(&url).await, Node::open(&url).await);
    let mut on_b = b.hub.subscribe("alice").unwrap();
    let mut on_a = a.hub.subscribe("alice").unwrap();
    let seq = send(&a.store, "alice", "from A").await;
    assert_eq!(next(&mut on_b).await.seq, Some(seq));
    assert_eq!(
        next(&mut on_a).await.seq,
        Some(seq),
        "the writer hears its own commit"
    );
    let id = a.store.since_seq("alice".into(), 0, 1).await.unwrap()[0]
        .id
        .clone();
    b.store.set_read("alice".into(), id, true).await.unwrap();
    let frame = next(&mut on_a).await;
    assert!(
        std::str::from_utf8(&frame.bytes)
            .unwrap()
            .starts_with("event: read\n")
    );
}

#[tokio::test]
async fn concurrent_writers_on_three_nodes_keep_each_users_commit_order() {
    const USERS: [&str; 3] = ["alice", "bob", "carol"];
    const PER_NODE: usize = 60;
    let url = database_with(&USERS).await;
    let nodes = [
        Arc::new(Node::open(&url).await),
        Arc::new(Node::open(&url).await),
        Arc::new(Node::open(&url).await),
    ];
    let mut streams = Vec::new();
    for node in &nodes {
        for user in USERS {
            streams.push((user, node.hub.subscribe(user).unwrap()));
        }
    }
    let mut senders = Vec::new();
    for node in &nodes {
        for user in USERS {
            let node = Arc::clone(node);
            senders.push(tokio::spawn(async move {
                let mut seqs = Vec::new();
                for i in 0..PER_NODE {
                    seqs.push(send(&node.store, user, &format!("{i}")).await);
                }
                seqs
            }));
        }
    }
    let mut given: Vec<i64> = Vec::new();
    for sender in senders {
        given.extend(sender.await.unwrap());
    }
    let total = nodes.len() * PER_NODE;
    assert_eq!(given.len(), total * USERS.len());
    for (user, stream) in &mut streams {
        let seen = next_seqs(stream, total).await;
        let expected: Vec<i64> = (1..=total as i64).collect();
        assert_eq!(
            seen, expected,
            "{user}'s stream: every sequence once, in order"
        );
    }
}

#[tokio::test]
async fn one_idempotency_key_through_two_nodes_at_once_creates_one_notification() {
    let url = database_with(&["alice"]).await;
    let c = notif_server::store::postgres::admin_connection(&url)
        .await
        .unwrap();
    let (token, _) = notif_server::store::postgres::admin::add_token(&c, Some("alice"), None)
        .await
        .unwrap();
    let (a, b) = (Node::open(&url).await, Node::open(&url).await);
    for round in 0..20 {
        let keyed = || NotifyCommand {
            idempotency: Some((token, format!("key-{round}"), [7; 32])),
            ..NotifyCommand::plain("alice", "once")
        };
        let (x, y) = tokio::join!(a.store.notify(keyed()), b.store.notify(keyed()));
        let outcomes = [x.unwrap(), y.unwrap()];
        let created = outcomes
            .iter()
            .filter(|o| matches!(o, NotifyOutcome::Created(_)))
            .count();
        assert_eq!(created, 1, "round {round}: one created, one replayed");
    }
    let count: i64 = c
        .query_one("SELECT count(*) FROM notifications", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(count, 20);
}

#[tokio::test]
async fn every_email_is_claimed_by_one_worker_of_all_nodes() {
    let url = database_with(&[]).await;
    let c = notif_server::store::postgres::admin_connection(&url)
        .await
        .unwrap();
    notif_server::store::postgres::admin::add_user(&c, "alice", Some("alice@example.com"))
        .await
        .unwrap();
    let nodes = [
        Arc::new(Node::open_with(&url, true).await),
        Arc::new(Node::open_with(&url, true).await),
        Arc::new(Node::open_with(&url, true).await),
    ];
    for i in 0..90 {
        send(&nodes[i % 3].store, "alice", &format!("mail {i}")).await;
    }
    let mut workers = Vec::new();
    for node in &nodes {
        let node = Arc::clone(node);
        workers.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let due = node.store.due_emails(now_ms(), 4).await.unwrap();
                if due.is_empty() {
                    return mine;
                }
                for entry in due {
                    let sent = EmailResult::Sent { at_ms: now_ms() };
                    node.store.record_email(entry.id, sent).await.unwrap();
                    mine.push(entry.id);
                }
            }
        }));
    }
    let mut all = Vec::new();
    for worker in workers {
        all.extend(worker.await.unwrap());
    }
    let distinct: HashSet<_> = all.iter().collect();
    assert_eq!(all.len(), 90, "every email sent");
    assert_eq!(distinct.len(), 90, "none sent twice");
    assert!(nodes[0].store.next_email_at().await.unwrap().is_none());
}
