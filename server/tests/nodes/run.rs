//! The run: three nodes, two users, senders on every node at once, a follower per user on
//! every node, and one client resuming a thousand times on random nodes; one node is killed
//! and restarted a third of the way through, PostgreSQL restarted two thirds through.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use notif_tests::TestServer;
use notif_tests::postgres::PgCluster;
use tokio::sync::Notify;

use super::clients::{self, Seen};

const USERS: [&str; 2] = ["alice", "bob"];
const NODES: usize = 3;
/// Notifications each node sends to each user.
const PER_NODE_AND_USER: usize = 60;
const RESUMES: usize = 1_000;
const RUN_TIMEOUT: Duration = Duration::from_secs(400);
/// The `serve` flags of every node (the kit starts them on the shared database).
const NODE_FLAGS: &[&str] = &["--ping-interval", "500ms"];

/// Checks what one client saw against everything the user has: each once, in sequence order.
fn check(who: &str, seen: &Seen, all: &HashSet<String>) {
    let seqs: Vec<i64> = seen.notifications.iter().map(|(s, _)| *s).collect();
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "{who}: sequence numbers not strictly increasing: {seqs:?}"
    );
    let ids: HashSet<&String> = seen.notifications.iter().map(|(_, id)| id).collect();
    assert_eq!(
        ids.len(),
        seen.notifications.len(),
        "{who}: a notification seen twice"
    );
    assert_eq!(
        seen.notifications.len(),
        all.len(),
        "{who}: saw {} of {} notifications",
        seen.notifications.len(),
        all.len()
    );
    assert!(
        ids.iter().all(|id| all.contains(*id)),
        "{who}: saw an unknown notification"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_nodes_with_a_node_killed_and_postgresql_restarted_lose_and_double_nothing() {
    let cluster = PgCluster::start();
    let db = cluster.database();
    let mut nodes: Vec<TestServer> = (0..NODES)
        .map(|_| TestServer::start_on(&db, NODE_FLAGS))
        .collect();
    let tokens: Vec<String> = USERS.iter().map(|user| nodes[0].add_user(user)).collect();
    let urls = Arc::new(nodes.iter().map(TestServer::url).collect::<Vec<_>>());
    let http = clients::http();
    let targets: Vec<Arc<AtomicUsize>> = USERS.iter().map(|_| Arc::default()).collect();

    let mut followers = Vec::new();
    for home in 0..NODES {
        for (u, token) in tokens.iter().enumerate() {
            let task = clients::follow(
                http.clone(),
                Arc::clone(&urls),
                home,
                token.clone(),
                Arc::clone(&targets[u]),
            );
            followers.push((format!("{} on node {home}", USERS[u]), tokio::spawn(task)));
        }
    }
    let resumer = tokio::spawn(clients::resume_often(
        http.clone(),
        Arc::clone(&urls),
        RESUMES,
        tokens[0].clone(),
        Arc::clone(&targets[0]),
    ));

    let acked = Arc::new(AtomicUsize::new(0));
    let total = NODES * USERS.len() * PER_NODE_AND_USER;
    let progress = Arc::new(Notify::new());
    let mut senders = Vec::new();
    for from in 0..NODES {
        for (u, token) in tokens.iter().enumerate() {
            let (http, urls, token) = (http.clone(), Arc::clone(&urls), token.clone());
            let (acked, progress) = (Arc::clone(&acked), Arc::clone(&progress));
            senders.push(tokio::spawn(async move {
                let mut ids = Vec::new();
                for i in 0..PER_NODE_AND_USER {
                    let key = format!("n{from}-u{u}-{i}");
                    let title = format!("{key} via node {from}");
                    ids.push(
                        clients::send_until_acked(&http, &urls, from, &token, &key, &title).await,
                    );
                    acked.fetch_add(1, Ordering::AcqRel);
                    progress.notify_waiters();
                }
                (u, ids)
            }));
        }
    }

    let faults = async {
        while acked.load(Ordering::Acquire) < total / 3 {
            progress.notified().await;
        }
        nodes[1].kill();
        nodes[1].restart();
        while acked.load(Ordering::Acquire) < 2 * total / 3 {
            progress.notified().await;
        }
        cluster.stop(true);
        cluster.start_again();
    };
    let outcome = tokio::time::timeout(RUN_TIMEOUT, async {
        faults.await;
        let mut acked_ids: Vec<HashSet<String>> = USERS.iter().map(|_| HashSet::new()).collect();
        for sender in senders {
            let (u, ids) = sender.await.unwrap();
            acked_ids[u].extend(ids);
        }
        let mut all = Vec::new();
        for (u, token) in tokens.iter().enumerate() {
            let ids: HashSet<String> = clients::all_ids(&http, &urls[0], token)
                .await
                .into_iter()
                .collect();
            assert_eq!(
                ids.len(),
                NODES * PER_NODE_AND_USER,
                "{}: one notification per send",
                USERS[u]
            );
            assert!(
                acked_ids[u].is_subset(&ids),
                "{}: an acknowledged notification was lost",
                USERS[u]
            );
            targets[u].store(ids.len(), Ordering::Release);
            all.push(ids);
        }
        for (who, follower) in followers {
            let seen = follower.await.unwrap();
            let user = USERS.iter().position(|u| who.starts_with(u)).unwrap();
            check(&who, &seen, &all[user]);
        }
        let seen = resumer.await.unwrap();
        assert!(seen.connections >= RESUMES);
        check("the resuming client", &seen, &all[0]);
    })
    .await;
    if outcome.is_err() {
        for (i, node) in nodes.iter().enumerate() {
            eprintln!("--- node {i} log ---\n{}", node.log());
        }
        panic!("the run did not finish in {RUN_TIMEOUT:?}");
    }
}
