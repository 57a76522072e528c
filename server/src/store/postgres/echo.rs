//! Answering a write only once this node's hub has its events, as SQLite does: each batch
//! ends its transaction with a marker `NOTIFY` naming this node and the batch, and the
//! writer waits (briefly) until the node's listener has heard that marker — by then it has
//! published everything the batch announced before it. A client that writes and then opens
//! a stream on the same node so never gets those events as news. While the listener is not
//! connected nobody waits: the catch-up after reconnecting delivers the notifications.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::oneshot;

/// The longest a write waits for its echo before it is answered anyway.
const ECHO_WAIT: Duration = Duration::from_secs(2);

/// This node's batches waiting for their echo.
pub struct Echoes {
    /// Tells this node's markers from the other nodes'.
    node: u64,
    next: AtomicU64,
    waiting: Mutex<HashMap<u64, oneshot::Sender<()>>>,
    listening: AtomicBool,
}

impl Default for Echoes {
    fn default() -> Self {
        Echoes {
            node: rand::random(),
            next: AtomicU64::new(1),
            waiting: Mutex::new(HashMap::new()),
            listening: AtomicBool::new(false),
        }
    }
}

/// One batch's claim on its echo.
pub struct Waiter {
    pub node: u64,
    pub batch: u64,
    echoed: oneshot::Receiver<()>,
}

impl Echoes {
    fn waiting(&self) -> std::sync::MutexGuard<'_, HashMap<u64, oneshot::Sender<()>>> {
        self.waiting.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A new batch's marker, to send last in its transaction.
    pub fn register(&self) -> Waiter {
        let batch = self.next.fetch_add(1, Ordering::Relaxed);
        let (tx, echoed) = oneshot::channel();
        self.waiting().insert(batch, tx);
        Waiter {
            node: self.node,
            batch,
            echoed,
        }
    }

    /// Waits for `waiter`'s echo if the listener is connected, at most `ECHO_WAIT`.
    pub async fn wait(&self, waiter: Waiter) {
        if self.listening.load(Ordering::Acquire) {
            let _ = tokio::time::timeout(ECHO_WAIT, waiter.echoed).await;
        }
        self.waiting().remove(&waiter.batch);
    }

    /// Forgets a batch that did not commit.
    pub fn wait_no_more(&self, waiter: Waiter) {
        self.waiting().remove(&waiter.batch);
    }

    /// The listener heard a marker: releases the batch if it is this node's.
    pub fn heard(&self, node: u64, batch: u64) {
        if node == self.node {
            if let Some(tx) = self.waiting().remove(&batch) {
                let _ = tx.send(());
            }
        }
    }

    /// Whether the listener is connected; when it is not, every waiting batch goes on.
    pub fn set_listening(&self, listening: bool) {
        self.listening.store(listening, Ordering::Release);
        if !listening {
            self.waiting().clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_batch_waits_for_its_own_marker_only_while_listening() {
        let echoes = Echoes::default();
        let waiter = echoes.register();
        echoes.set_listening(true);
        echoes.heard(echoes.node.wrapping_add(1), waiter.batch);
        echoes.heard(echoes.node, waiter.batch);
        tokio::time::timeout(Duration::from_millis(500), echoes.wait(waiter))
            .await
            .expect("released by its marker");
        echoes.set_listening(false);
        let waiter = echoes.register();
        tokio::time::timeout(Duration::from_millis(500), echoes.wait(waiter))
            .await
            .expect("no wait while the listener is away");
    }
}
