//! The vocabulary between [`App`](super::App) and the event loop: the messages it
//! handles ([`Msg`]) and the effects it asks for ([`Effect`]).

use std::time::Instant;

use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;

use crate::api::types::{Notification, Page, ReadAll, StreamEvent};
use crate::tui::toast::Toast;

/// A snapshot of the head of the server's list, fetched after each (re)connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// The first notifications, in the server's order.
    pub notifications: Vec<Notification>,
    /// Cursor of the page after them.
    pub next_cursor: Option<String>,
    /// The server's unread count.
    pub unread_count: u64,
}

/// Everything that can happen to the TUI.
#[derive(Debug)]
pub enum Msg {
    /// A key press.
    Key(KeyEvent),
    /// The terminal was resized; the list now shows this many rows.
    Resize {
        /// Rows of the list.
        list_rows: usize,
    },
    /// Time passes: relative times, countdowns and status expiry.
    Tick {
        /// Monotonic time, for countdowns.
        clock: Instant,
        /// Wall time, for relative times.
        now: DateTime<Utc>,
    },
    /// The stream's news.
    Stream(StreamMsg),
    /// Who the token belongs to (the user id), or why that is unknown.
    Me(Result<String, String>),
    /// Result of [`Effect::Sync`].
    Synced {
        /// The sync it answers; stale ones are dropped.
        generation: u64,
        /// The snapshot or the error message.
        result: Result<Snapshot, String>,
    },
    /// Result of [`Effect::LoadPage`].
    PageLoaded {
        /// The list generation it was asked for; stale ones are dropped.
        generation: u64,
        /// The page or the error message.
        result: Result<Page, String>,
    },
    /// Result of [`Effect::Search`].
    Searched {
        /// The filter text searched for.
        query: String,
        /// The matching notifications or the error message.
        result: Result<Vec<Notification>, String>,
    },
    /// A background action finished.
    Done(Result<Outcome, Failure>),
    /// The desktop has no notification service.
    ToastsUnavailable(String),
}

/// What the stream task reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamMsg {
    /// A connection is open (first or after a break).
    Connected,
    /// An event from the server.
    Event(StreamEvent),
    /// The link broke; it is tried again at `retry_at`.
    Reconnecting {
        /// When.
        retry_at: Instant,
        /// Why it broke.
        reason: String,
    },
    /// The stream gave up for good.
    Offline(String),
}

/// A successful background action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Marked read or unread; the server's copy.
    Updated(Notification),
    /// "Read all" done.
    ReadAll(ReadAll),
    /// Deleted this id.
    Deleted(String),
    /// Handed this link to the browser.
    Opened(String),
}

/// A failed background action, with the server's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// What was tried, for the message ("mark read").
    pub action: &'static str,
    /// The notification concerned, if any.
    pub id: Option<String>,
    /// The server's (or the transport's) message.
    pub message: String,
    /// The server said `404`: the notification is gone.
    pub not_found: bool,
}

/// Work for the event loop: requests, the browser, toasts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Ask who the token belongs to.
    LoadMe,
    /// Fetch the head of the list (at least `want` items) to replace the loaded one.
    Sync {
        /// Identifies this sync.
        generation: u64,
        /// How many notifications to fetch at least.
        want: usize,
    },
    /// Fetch the page after `cursor`.
    LoadPage {
        /// The list generation.
        generation: u64,
        /// The cursor.
        cursor: String,
    },
    /// `POST …/{id}/read`.
    MarkRead(String),
    /// `POST …/{id}/unread`.
    MarkUnread(String),
    /// `POST …/read-all`.
    ReadAll,
    /// `DELETE …/{id}`.
    Delete(String),
    /// Open a link in the system's browser.
    OpenLink(String),
    /// Raise a desktop toast.
    Toast(Toast),
    /// `GET /api/notifications?q=…`: the server's matches for the `/` filter.
    Search(String),
}
