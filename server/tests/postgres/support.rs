//! A "node" (a `PostgresStore` with its own hub), commands to send, and waiting for frames.

use std::sync::Arc;
use std::time::Duration;

use notif_server::hub::{Frame, Hub, StreamCaps, Subscription};
use notif_server::metrics::Metrics;
use notif_server::model::{Kind, NewNotification};
use notif_server::store::postgres::{PostgresStore, admin};
use notif_server::store::{Housekeeping, Listeners, NotifyCommand, NotifyOutcome, Store};
use tokio_postgres::NoTls;

pub const WAIT: Duration = Duration::from_secs(20);

/// Housekeeping that keeps everything.
pub const KEEP_ALL: Housekeeping = Housekeeping {
    retention: Duration::MAX,
    max_per_user: u64::MAX,
};

pub struct Node {
    pub store: PostgresStore,
    pub hub: Arc<Hub>,
}

impl Node {
    pub async fn open(url: &str) -> Node {
        Node::open_with(url, false).await
    }

    /// A node whose email channel is on (it queues emails in the outbox).
    pub async fn open_with(url: &str, email: bool) -> Node {
        let metrics = Arc::new(Metrics::default());
        let hub = Hub::new(
            100_000,
            StreamCaps {
                total: usize::MAX,
                per_user: usize::MAX,
            },
            Arc::clone(&metrics),
        );
        let listeners = Listeners {
            publisher: hub.clone(),
            metrics,
            outbox: email.then(|| Arc::new(tokio::sync::Notify::new())),
        };
        let store = PostgresStore::open(url, listeners, KEEP_ALL).await.unwrap();
        Node { store, hub }
    }
}

/// A plain client, for setting up and looking at the database.
pub async fn client(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await.unwrap();
    tokio::spawn(connection);
    client
}

/// A fresh database with the schema and the users `names`.
pub async fn database_with(names: &[&str]) -> String {
    let url = notif_tests::postgres::PgCluster::shared().database();
    notif_server::store::postgres::schema::migrate(
        &notif_server::store::postgres::connect::config(&url).unwrap(),
    )
    .await
    .unwrap();
    let c = notif_server::store::postgres::admin_connection(&url)
        .await
        .unwrap();
    for name in names {
        admin::add_user(&c, name, None).await.unwrap();
    }
    url
}

pub fn command(user: &str, title: &str) -> NotifyCommand {
    NotifyCommand {
        notification: NewNotification {
            user_id: user.into(),
            kind: Kind::Info,
            title: title.into(),
            body: None,
            link: None,
            category: None,
        },
        idempotency: None,
    }
}

/// Sends `title` to `user` and returns the notification's sequence number.
pub async fn send(store: &dyn Store, user: &str, title: &str) -> i64 {
    match store.notify(command(user, title)).await.unwrap() {
        NotifyOutcome::Created(r) => r.notification.unwrap().seq,
        NotifyOutcome::Replayed(body) => panic!("replayed {body}"),
    }
}

/// The next frame of a stream, failing the test after `WAIT`.
pub async fn next(sub: &mut Subscription) -> Arc<Frame> {
    tokio::time::timeout(WAIT, sub.rx.recv())
        .await
        .expect("a frame in time")
        .expect("the stream is open")
}

/// The sequence numbers of the next `n` notification frames (other frames skipped).
pub async fn next_seqs(sub: &mut Subscription, n: usize) -> Vec<i64> {
    let mut seqs = Vec::with_capacity(n);
    while seqs.len() < n {
        if let Some(seq) = next(sub).await.seq {
            seqs.push(seq);
        }
    }
    seqs
}
