//! The PostgreSQL backend, for several identical nodes sharing one database (`--db
//! postgres://…`). Each node has a bounded pool of connections (`connect`), applies the
//! schema at start-up (`schema`), writes in short transactions that take the user's
//! sequence number in commit order and announce their events with `pg_notify` (`writes`,
//! `events`), and feeds its hub from one `LISTEN` connection that reconnects and catches
//! up by itself (`listener`). Email workers on every node share the outbox (`outbox`);
//! housekeeping runs on one node at a time (`housekeeping`).

pub mod admin;
mod batch;
pub mod connect;
mod echo;
mod events;
mod fault;
mod housekeeping;
mod listener;
mod notify;
pub mod outbox;
mod pipeline;
mod reads;
pub mod schema;
pub mod sessions;
mod writes;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use deadpool_postgres::Pool;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::{
    EmailResult, Housekeeping, ListQuery, Listeners, NotifyCommand, NotifyOutcome, OutboxEntry,
    Page, ReadAllOutcome, Store, StoreError, StoreFuture,
};
use crate::model::{Notification, Preferences, PreferencesPatch, Principal};
use crate::timestamp::now_ms;
use fault::Fail;
use writes::retrying;

pub use connect::{BadUrl, is_postgres_url};
pub use schema::SchemaError;

/// How long start-up waits for the listener's first `LISTEN` before serving anyway (it
/// keeps trying, and catches up once it gets through).
const LISTEN_WAIT: Duration = Duration::from_secs(10);

/// Why a node could not open its PostgreSQL store; each reads as one line.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    Url(#[from] BadUrl),
    #[error(transparent)]
    Schema(#[from] SchemaError),
    #[error("could not build the connection pool: {0}")]
    Pool(#[from] deadpool_postgres::BuildError),
    #[error("{0}")]
    Connect(StoreError),
}

/// One connection for the admin commands (`user …`, `token …`, `outbox list`), to a
/// database whose schema is brought up to date first, as a starting node would.
pub async fn admin_connection(url: &str) -> Result<deadpool_postgres::Object, OpenError> {
    let config = connect::config(url)?;
    schema::migrate(&config).await?;
    let pool = connect::pool(config, 1)?;
    pool.get()
        .await
        .map_err(|e| OpenError::Connect(fault::from_pool(e)))
}

/// The PostgreSQL store of one node.
pub struct PostgresStore {
    pool: Pool,
    claims: outbox::Claims,
    writes: std::sync::Mutex<Option<batch::Writes>>,
    listeners: Listeners,
    stop: CancellationToken,
    tasks: std::sync::Mutex<Vec<JoinHandle<()>>>,
}

impl PostgresStore {
    /// Connects to `url`, migrates, starts listening (feeding `listeners.publisher`) and
    /// housekeeping. Fails with one clear line when PostgreSQL cannot be reached or its
    /// schema is newer than this binary.
    pub async fn open(
        url: &str,
        listeners: Listeners,
        housekeeping: Housekeeping,
    ) -> Result<PostgresStore, OpenError> {
        let config = connect::config(url)?;
        schema::migrate(&config).await?;
        let pool = connect::pool(config.clone(), connect::POOL_SIZE)?;
        let stop = CancellationToken::new();
        let (ready_tx, ready) = oneshot::channel();
        let known = {
            let client = pool
                .get()
                .await
                .map_err(|e| OpenError::Connect(fault::from_pool(e)))?;
            reads::last_seqs(&client)
                .await
                .map_err(|fail| OpenError::Connect(fail.into()))?
                .into_iter()
                .collect()
        };
        let echoes = Arc::new(echo::Echoes::default());
        let listener = listener::spawn(
            config,
            pool.clone(),
            Arc::clone(&listeners.publisher),
            Arc::clone(&echoes),
            known,
            ready_tx,
            stop.clone(),
        );
        let tidy = tokio::spawn(housekeeping::run(pool.clone(), housekeeping, stop.clone()));
        let email = listeners.outbox.is_some();
        let (writes, mut tasks) = batch::Writes::start(
            pool.clone(),
            email,
            housekeeping.max_per_user,
            echoes,
            Arc::clone(&listeners.metrics),
        );
        tasks.extend([listener, tidy]);
        if tokio::time::timeout(LISTEN_WAIT, ready).await.is_err() {
            tracing::warn!("not listening to PostgreSQL yet; serving anyway, still trying");
        }
        Ok(PostgresStore {
            pool,
            claims: outbox::Claims::default(),
            writes: std::sync::Mutex::new(Some(writes)),
            listeners,
            stop,
            tasks: std::sync::Mutex::new(tasks),
        })
    }

    /// The write queue, unless the store is closed.
    fn writes(&self) -> Result<batch::Writes, StoreError> {
        self.writes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .ok_or(StoreError::Closed)
    }

    async fn read<T, F, Fut>(&self, once: F) -> Result<T, StoreError>
    where
        F: Fn(deadpool_postgres::Object) -> Fut,
        Fut: Future<Output = Result<T, Fail>>,
    {
        let client = self.pool.get().await.map_err(fault::from_pool)?;
        once(client).await.map_err(StoreError::from)
    }
}

impl Store for PostgresStore {
    fn authenticate(&self, token_hash: [u8; 32]) -> StoreFuture<'_, Option<Principal>> {
        Box::pin(self.read(move |c| async move { reads::authenticate(&c, &token_hash).await }))
    }

    fn touch_token(&self, _token_hash: [u8; 32], token_id: i64, at_ms: i64) {
        let pool = self.pool.clone();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(fail) = writes::touch_token(&pool, token_id, at_ms).await {
                    let err = StoreError::from(fail);
                    tracing::warn!(%err, "could not record token use");
                }
            });
        }
    }

    fn list(&self, query: ListQuery) -> StoreFuture<'_, Page> {
        Box::pin(async move {
            let query = &query;
            self.read(|c| async move { reads::list(&c, query).await })
                .await
        })
    }

    fn unread_count(&self, user_id: String) -> StoreFuture<'_, u64> {
        Box::pin(async move {
            let user = user_id.as_str();
            self.read(|c| async move { reads::unread_count(&c, user).await })
                .await
        })
    }

    fn max_seq(&self, user_id: String) -> StoreFuture<'_, i64> {
        Box::pin(async move {
            let user = user_id.as_str();
            self.read(|c| async move { reads::max_seq(&c, user).await })
                .await
        })
    }

    fn since_seq(
        &self,
        user_id: String,
        after: i64,
        limit: u32,
    ) -> StoreFuture<'_, Vec<Notification>> {
        Box::pin(async move {
            let user = user_id.as_str();
            self.read(|c| async move { reads::since_seq(&c, user, after, limit).await })
                .await
        })
    }

    fn preferences(&self, user_id: String) -> StoreFuture<'_, Preferences> {
        Box::pin(async move {
            let user = user_id.as_str();
            self.read(|c| async move { reads::preferences(&c, user).await })
                .await
        })
    }

    fn notify(&self, command: NotifyCommand) -> StoreFuture<'_, NotifyOutcome> {
        Box::pin(async move {
            let done = self
                .writes()?
                .submit(|reply| batch::Op::Notify(command, reply))
                .await?;
            if done.created {
                self.listeners
                    .metrics
                    .notifications_created
                    .fetch_add(1, Ordering::Relaxed);
            }
            if let (true, Some(outbox)) = (done.queued_email, &self.listeners.outbox) {
                outbox.notify_one();
            }
            Ok(done.outcome)
        })
    }

    fn set_read(&self, user_id: String, id: String, read: bool) -> StoreFuture<'_, Notification> {
        Box::pin(async move {
            self.writes()?
                .submit(|reply| batch::Op::SetRead(user_id, id, read, reply))
                .await
        })
    }

    fn read_all(&self, user_id: String) -> StoreFuture<'_, ReadAllOutcome> {
        Box::pin(async move {
            self.writes()?
                .submit(|reply| batch::Op::ReadAll(user_id, reply))
                .await
        })
    }

    fn delete(&self, user_id: String, id: String) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            self.writes()?
                .submit(|reply| batch::Op::Delete(user_id, id, reply))
                .await
        })
    }

    fn update_preferences(
        &self,
        user_id: String,
        patch: PreferencesPatch,
    ) -> StoreFuture<'_, Preferences> {
        Box::pin(async move {
            self.writes()?
                .submit(|reply| batch::Op::UpdatePreferences(user_id, patch, reply))
                .await
        })
    }

    fn due_emails(&self, now_ms: i64, limit: u32) -> StoreFuture<'_, Vec<OutboxEntry>> {
        Box::pin(retrying(move || {
            outbox::claim(&self.pool, &self.claims, now_ms, limit)
        }))
    }

    fn next_email_at(&self) -> StoreFuture<'_, Option<i64>> {
        Box::pin(retrying(|| outbox::next_due(&self.pool)))
    }

    fn record_email(&self, id: i64, result: EmailResult) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            let result = &result;
            retrying(|| outbox::record(&self.pool, &self.claims, id, result)).await
        })
    }

    fn create_session(&self, user_id: String) -> StoreFuture<'_, String> {
        Box::pin(self.read(move |c| {
            let user_id = user_id.clone();
            async move { sessions::create_session(&c, &user_id, now_ms()).await }
        }))
    }

    fn revoke_token(&self, token_hash: [u8; 32]) -> StoreFuture<'_, ()> {
        Box::pin(
            self.read(
                move |c| async move { sessions::revoke_token(&c, &token_hash, now_ms()).await },
            ),
        )
    }

    fn create_login_code(&self, user_id: String) -> StoreFuture<'_, (String, i64)> {
        Box::pin(self.read(move |c| {
            let user_id = user_id.clone();
            async move { sessions::create_login_code(&c, &user_id, now_ms()).await }
        }))
    }

    fn redeem_login_code(&self, code_hash: [u8; 32]) -> StoreFuture<'_, Option<String>> {
        Box::pin(self.read(move |c| async move {
            sessions::redeem_login_code(&c, &code_hash, now_ms()).await
        }))
    }

    fn close(&self) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            // Dropping the queue lets the writers finish what is queued, then end.
            self.writes.lock().unwrap_or_else(|p| p.into_inner()).take();
            self.stop.cancel();
            let tasks = std::mem::take(&mut *self.tasks.lock().unwrap_or_else(|p| p.into_inner()));
            for task in tasks {
                let _ = task.await;
            }
            self.pool.close();
            Ok(())
        })
    }
}
