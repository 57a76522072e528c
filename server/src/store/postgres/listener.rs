//! Every node's ear on the database: one connection that `LISTEN`s on `notif_events` and
//! feeds what it hears to this node's `Publisher` (the hub), in commit order — the only path by which any
//! node's streams, the writing node's included, learn of a commit (a local shortcut could
//! deliver a user's sequence 42 before another node's 41, which a stream would then skip).
//!
//! NOTIFY is a doorbell; the table is the truth. The listener remembers every user's last
//! sequence number as of its last (re)connection, raised by what it hears. When the
//! connection drops (PostgreSQL restarted, network cut) it reconnects with back-off,
//! `LISTEN`s again, and only then compares each user's counter with what it knew: whatever
//! was committed while it was deaf is read from the table and published before anything
//! heard since, so open streams catch up with nothing lost; what they already had they skip
//! by sequence number.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::Pool;
use futures_util::StreamExt;
use tokio::sync::{mpsc, oneshot};
use tokio_postgres::{AsyncMessage, Config, NoTls};
use tokio_util::sync::CancellationToken;

use super::echo::Echoes;
use super::events::{self, Heard};
use super::fault::{self, Fail};
use super::reads;
use crate::model::InboxEvent;
use crate::store::Publisher;

/// The first wait before reconnecting; it doubles up to `MAX_BACKOFF`.
const MIN_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// Notifications read per query while catching up.
const CATCH_UP_BATCH: u32 = 512;

/// Why a listening session ended.
#[derive(Debug, thiserror::Error)]
enum Lost {
    #[error("{0}")]
    Pg(String),
    #[error("the connection closed")]
    Closed,
}

impl From<tokio_postgres::Error> for Lost {
    fn from(err: tokio_postgres::Error) -> Self {
        Lost::Pg(fault::cause(&err))
    }
}

impl From<Fail> for Lost {
    fn from(fail: Fail) -> Self {
        Lost::Pg(crate::store::StoreError::from(fail).to_string())
    }
}

/// The listener's state across connections.
struct Listener {
    config: Config,
    pool: Pool,
    publisher: Arc<dyn Publisher>,
    /// This node's writes waiting for their events to reach the hub.
    echoes: Arc<Echoes>,
    /// Each user's highest sequence number known to have reached the hub (or to be older
    /// than every stream).
    known: Option<HashMap<String, i64>>,
    /// What this connection's catch-up published, per user: the same notifications heard
    /// again (committed between `LISTEN` and the catch-up's read) are not published twice.
    caught_up: HashMap<String, i64>,
}

/// Starts the listener; `ready` fires once it first listens. `known` is every user's last
/// sequence number read before the node serves, so that even its first connection catches
/// up on what was committed before it listened (when that took a while).
pub fn spawn(
    config: Config,
    pool: Pool,
    publisher: Arc<dyn Publisher>,
    echoes: Arc<Echoes>,
    known: HashMap<String, i64>,
    ready: oneshot::Sender<()>,
    shutdown: CancellationToken,
) -> tokio::task::JoinHandle<()> {
    let listener = Listener {
        config,
        pool,
        publisher,
        echoes,
        known: Some(known),
        caught_up: HashMap::new(),
    };
    tokio::spawn(listener.run(ready, shutdown))
}

impl Listener {
    async fn run(mut self, ready: oneshot::Sender<()>, shutdown: CancellationToken) {
        let mut ready = Some(ready);
        let mut backoff = MIN_BACKOFF;
        loop {
            let ended = tokio::select! {
                () = shutdown.cancelled() => return,
                ended = self.session(&mut ready, &mut backoff) => ended,
            };
            match ended {
                Lost::Closed => tracing::warn!(
                    ?backoff,
                    "the LISTEN connection to PostgreSQL closed; reconnecting"
                ),
                Lost::Pg(cause) => tracing::warn!(
                    %cause, ?backoff,
                    "the LISTEN connection to PostgreSQL failed; reconnecting"
                ),
            }
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(backoff) => {}
            }
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
    }

    /// One connection's life: listen, catch up, then publish what is heard until it drops.
    async fn session(
        &mut self,
        ready: &mut Option<oneshot::Sender<()>>,
        backoff: &mut Duration,
    ) -> Lost {
        let (client, connection) = match self.config.connect(NoTls).await {
            Ok(pair) => pair,
            Err(err) => return err.into(),
        };
        let (heard_tx, mut heard) = mpsc::unbounded_channel();
        let driver = tokio::spawn(drive(connection, heard_tx));
        let listening = async {
            client
                .batch_execute(&format!("LISTEN {}", events::CHANNEL))
                .await?;
            self.catch_up().await
        };
        if let Err(lost) = listening.await {
            driver.abort();
            return lost;
        }
        *backoff = MIN_BACKOFF;
        self.echoes.set_listening(true);
        if let Some(ready) = ready.take() {
            let _ = ready.send(());
        }
        let lost = loop {
            let Some(payload) = heard.recv().await else {
                break Lost::Closed;
            };
            if let Err(lost) = self.publish(&payload).await {
                break lost;
            }
        };
        self.echoes.set_listening(false);
        driver.abort();
        drop(client);
        lost
    }

    /// Publishes, in sequence order, every notification committed since the last known
    /// sequence of its user, then takes the counters as the new baseline.
    async fn catch_up(&mut self) -> Result<(), Lost> {
        let db = self.pool.get().await.map_err(Fail::from)?;
        let now: HashMap<String, i64> = reads::last_seqs(&db).await?.into_iter().collect();
        let mut published = 0;
        self.caught_up.clear();
        if let Some(known) = &self.known {
            for (user, &last) in &now {
                let mut after = known.get(user).copied().unwrap_or(0);
                while after < last {
                    let batch = reads::since_seq(&db, user, after, CATCH_UP_BATCH).await?;
                    let Some(newest) = batch.last().map(|n| n.seq) else {
                        break;
                    };
                    published += batch.len();
                    let events: Vec<InboxEvent> =
                        batch.into_iter().map(InboxEvent::Created).collect();
                    self.publisher.publish(&events);
                    self.caught_up.insert(user.clone(), newest);
                    after = newest;
                }
            }
            tracing::info!(
                published,
                "listening to PostgreSQL; caught up on what was committed meanwhile"
            );
        }
        self.known = Some(now);
        Ok(())
    }

    /// Publishes one heard payload, reading a notification that travelled by reference.
    async fn publish(&mut self, payload: &str) -> Result<(), Lost> {
        let event = match events::decode(payload) {
            Some(Heard::Event(event)) => event,
            Some(Heard::End { node, batch }) => {
                self.echoes.heard(node, batch);
                return Ok(());
            }
            Some(Heard::Reference { user, seq }) => {
                let db = self.pool.get().await.map_err(Fail::from)?;
                match reads::by_seq(&db, &user, seq).await? {
                    Some(notification) => InboxEvent::Created(notification),
                    // Deleted since: nothing to tell.
                    None => return Ok(()),
                }
            }
            None => {
                tracing::debug!(payload, "ignored a payload this version does not know");
                return Ok(());
            }
        };
        if let InboxEvent::Created(n) = &event {
            if self
                .caught_up
                .get(&n.user_id)
                .is_some_and(|&done| n.seq <= done)
            {
                return Ok(());
            }
        }
        if let (InboxEvent::Created(n), Some(known)) = (&event, &mut self.known) {
            let last = known.entry(n.user_id.clone()).or_insert(0);
            *last = (*last).max(n.seq);
        }
        self.publisher.publish(std::slice::from_ref(&event));
        Ok(())
    }
}

/// Drives the connection, passing on every notification's payload until it ends.
async fn drive(
    mut connection: tokio_postgres::Connection<
        tokio_postgres::Socket,
        tokio_postgres::tls::NoTlsStream,
    >,
    heard: mpsc::UnboundedSender<String>,
) {
    let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
    while let Some(message) = messages.next().await {
        match message {
            Ok(AsyncMessage::Notification(n)) => {
                if heard.send(n.payload().to_owned()).is_err() {
                    return;
                }
            }
            Ok(AsyncMessage::Notice(notice)) => {
                tracing::debug!(notice = notice.message(), "PostgreSQL notice");
            }
            Ok(_) => {}
            Err(err) => {
                tracing::debug!(cause = fault::cause(&err), "the LISTEN connection ended");
                return;
            }
        }
    }
}
