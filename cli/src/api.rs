//! The typed async client of notif's HTTP API (see `API.md`), shared by the `notif`
//! commands, the TUI and the end-to-end tests.
//!
//! - [`Client`]: one method per route; errors are [`ApiError`], which knows its exit
//!   status.
//! - [`types`]: the JSON shapes, camelCase as on the wire.
//! - The live stream: [`Subscription`] (reconnecting, resuming with `Last-Event-ID`,
//!   never yielding a notification twice, noticing a silent server).
//! - [`retry`]: back-off and a retry loop for transient failures.

mod client;
mod error;
pub mod retry;
mod silence;
mod stream;
pub mod types;

pub use client::{Client, ListQuery, MAX_PAGE};
pub use error::{
    ApiError, EXIT_AUTH, EXIT_FAILURE, EXIT_NOT_FOUND, EXIT_OK, EXIT_UNAVAILABLE, EXIT_USAGE,
};
pub use stream::{StreamUpdate, Subscription, parse_event};
pub use types::{
    Me, Notification, NotificationType, NotifyRequest, NotifyResponse, Page, Preferences,
    PreferencesPatch, ReadAll, StreamEvent,
};
