//! A "node" (a `PostgresStore` publishing to a tap that stands in for its hub), commands to
//! send, and waiting for events.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use notif_server::metrics::Metrics;
use notif_server::model::InboxEvent;
use notif_server::store::postgres::{PostgresStore, admin};
use notif_server::store::{
    Housekeeping, Listeners, NotifyCommand, NotifyOutcome, Publisher, Store,
};
use tokio::sync::mpsc;
use tokio_postgres::NoTls;

pub const WAIT: Duration = Duration::from_secs(20);

/// Housekeeping that keeps everything.
pub const KEEP_ALL: Housekeeping = Housekeeping {
    retention: Duration::MAX,
    max_per_user: u64::MAX,
    email_retention: Duration::MAX,
};

/// Stands in for a node's hub: hands each user's published events to that user's
/// subscribers, rendered as the streams would send them.
#[derive(Default)]
pub struct Tap {
    users: Mutex<HashMap<String, Vec<mpsc::UnboundedSender<InboxEvent>>>>,
}

impl Tap {
    pub fn subscribe(&self, user: &str) -> Result<Sub, std::convert::Infallible> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.users
            .lock()
            .unwrap()
            .entry(user.to_owned())
            .or_default()
            .push(tx);
        Ok(Sub { rx })
    }
}

impl Publisher for Tap {
    fn publish(&self, events: &[InboxEvent]) {
        let users = self.users.lock().unwrap();
        for event in events {
            for tx in users.get(event.user_id()).into_iter().flatten() {
                let _ = tx.send(event.clone());
            }
        }
    }
}

/// One subscriber of a [`Tap`].
pub struct Sub {
    rx: mpsc::UnboundedReceiver<InboxEvent>,
}

/// An event as a stream would get it: its sequence number (for a notification) and bytes.
pub struct Heard {
    pub seq: Option<i64>,
    pub bytes: bytes::Bytes,
}

pub struct Node {
    pub store: PostgresStore,
    pub hub: Arc<Tap>,
}

impl Node {
    pub async fn open(url: &str) -> Node {
        Node::open_with(url, false).await
    }

    /// A node whose email channel is on (it queues emails in the outbox).
    pub async fn open_with(url: &str, email: bool) -> Node {
        let metrics = Arc::new(Metrics::default());
        let hub = Arc::new(Tap::default());
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

/// A fresh database with the schema and the users `names`, on the shared cluster.
pub async fn database_with(names: &[&str]) -> String {
    database_on(notif_tests::postgres::PgCluster::shared(), names).await
}

/// A fresh database on `cluster` with the schema and the users `names`.
pub async fn database_on(cluster: &notif_tests::postgres::PgCluster, names: &[&str]) -> String {
    let url = cluster.database();
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

/// Sends `title` to `user` and returns the notification's sequence number.
pub async fn send(store: &dyn Store, user: &str, title: &str) -> i64 {
    match store
        .notify(NotifyCommand::plain(user, title))
        .await
        .unwrap()
    {
        NotifyOutcome::Created(r) => r.notification.unwrap().seq,
        NotifyOutcome::Replayed(body) => panic!("replayed {body}"),
    }
}

/// The next event of a subscriber, failing the test after `WAIT`.
pub async fn next(sub: &mut Sub) -> Heard {
    let event = tokio::time::timeout(WAIT, sub.rx.recv())
        .await
        .expect("an event in time")
        .expect("the tap is open");
    Heard {
        seq: event.seq(),
        bytes: notif_server::sse::events::render(&event).unwrap(),
    }
}

/// The sequence numbers of the next `n` notification frames (other frames skipped).
pub async fn next_seqs(sub: &mut Sub, n: usize) -> Vec<i64> {
    let mut seqs = Vec::with_capacity(n);
    while seqs.len() < n {
        if let Some(seq) = next(sub).await.seq {
            seqs.push(seq);
        }
    }
    seqs
}
