//! One module per resource of `API.md`; each function answers one route.

pub mod me;
pub mod notifications;
pub mod notify;
pub mod ops;
pub mod preferences;
pub mod stream;
