//! `AppState`: what every handler may use, as one cheap-to-clone handle.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::hub::Hub;
use crate::metrics::Metrics;
use crate::policy::Policy;
use crate::store::Store;

/// Shared server state. Every field is an `Arc` or a channel handle, so cloning it per
/// connection costs a few reference counts.
#[derive(Clone)]
pub struct AppState {
    /// The storage backend; owns its own threads, so no lock is needed here.
    pub store: Arc<dyn Store>,
    /// Open streams by user; the store's writer publishes committed events into it.
    pub hub: Arc<Hub>,
    /// Counters for `/metrics`.
    pub metrics: Arc<Metrics>,
    /// Rate limits, CORS and timeouts; read-only after start-up.
    pub policy: Arc<Policy>,
    /// Cancelled when the server shuts down: open streams end on it.
    pub shutdown: CancellationToken,
}
