//! One module per resource of `API.md`; each public `async fn` answers one row of
//! [`crate::router::ROUTES`]. A handler is handed a [`crate::router::Call`] holding the
//! caller the router already authenticated and rate-limited (and the path's id, where the
//! route has one), and does the route's own work: read the request, call the store, answer.

pub mod me;
pub mod notifications;
pub mod notify;
pub mod ops;
pub mod preferences;
pub mod publish;
pub mod stream;
