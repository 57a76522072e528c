//! The writes: one plain function per write over a connection, returning its result and the
//! inbox events it causes, as `queries` is for reads. The writer runs each in its own
//! savepoint of a batch's transaction; nothing here knows about batches, replies or the hub,
//! so each write is tested on its own.

mod inbox;
mod notify;
mod preferences;
mod recipients;
mod sessions;
mod tokens;

pub use inbox::{delete, read_all, set_read};
#[cfg(test)]
pub use notify::notify;
pub use notify::{IDEMPOTENCY_TTL_MS, MAX_KEY_BYTES_PER_TOKEN, MAX_KEYS_PER_TOKEN, notify_with};
pub use preferences::update_preferences;
pub use recipients::Recipients;
pub use sessions::{
    SESSION_LABEL, create_login_code, create_session, redeem_login_code, revoke_token,
};
pub use tokens::touch_token;

use crate::model::InboxEvent;

/// A write's result, with the events to publish once it is committed.
#[derive(Debug)]
pub struct Written<T> {
    pub value: T,
    pub events: Vec<InboxEvent>,
}

impl<T> Written<T> {
    /// The result of a write that changed no inbox (preferences, outbox, tokens).
    pub fn quiet(value: T) -> Written<T> {
        Written {
            value,
            events: Vec::new(),
        }
    }
}
