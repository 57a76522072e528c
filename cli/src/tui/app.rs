//! The TUI's state and its transitions: [`App::handle`] takes one [`Msg`] (a key, a
//! stream event, a background result, a tick) and returns the [`Effect`]s to run. It
//! does no I/O and reads no clock, so every key and event is unit-testable; the event
//! loop in [`super`] runs the effects and feeds their results back as messages.

pub mod inbox;
mod keys;
mod msg;
mod search;
mod server;

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::api::types::{Notification, StreamEvent};
use inbox::Inbox;
pub use msg::{Effect, Failure, Msg, Outcome, Snapshot, StreamMsg};

/// Page size when paging in older notifications (the API allows up to 200).
pub const PAGE_SIZE: u32 = 100;
/// Older notifications are paged in when the selection is this close to the end.
const PREFETCH: usize = 20;
/// How long a status message stays in the footer.
const STATUS_TTL: Duration = Duration::from_secs(6);

/// The state of the live stream, as the header shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    /// The first connection is being made.
    Connecting,
    /// Events flow.
    Connected,
    /// The link broke; the next attempt is at `retry_at`.
    Reconnecting {
        /// When the stream tries again.
        retry_at: Instant,
        /// Why the link broke.
        reason: String,
    },
    /// The stream gave up (for example the token was refused).
    Offline {
        /// Why.
        reason: String,
    },
}

/// What the keyboard is talking to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Moving around the list.
    Normal,
    /// Typing the `/` text filter.
    Filter,
    /// The `?` key help.
    Help,
    /// Waiting for `y`/`n` before deleting.
    ConfirmDelete {
        /// The notification to delete.
        id: String,
        /// Its title, shown in the question.
        title: String,
    },
}

/// Whether desktop toasts are raised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Toasts {
    /// Raised on every new notification.
    On,
    /// Turned off with `--no-toast`.
    Off,
    /// No notification service answered; said once in the footer.
    Unavailable,
}

/// A one-line message in the footer, such as an action's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// The message.
    pub text: String,
    /// Shown in red when true.
    pub error: bool,
    /// When it was set, to expire it.
    at: Instant,
}

/// The whole state of the TUI.
#[derive(Debug)]
pub struct App {
    /// The server's URL, for the header.
    pub server: String,
    /// The user, once `/api/me` answered.
    pub user: Option<String>,
    /// The stream's state.
    pub connection: Connection,
    /// The server's unread count, once known.
    pub unread_count: Option<u64>,
    /// The loaded notifications.
    pub inbox: Inbox,
    /// Whether the first snapshot arrived (else the list says "loading").
    pub loaded: bool,
    /// What keys do now.
    pub mode: Mode,
    /// The `/` text filter (case-insensitive, on title, body and category).
    pub filter: String,
    /// The server's answer to the `/` filter, once it came.
    search: Option<search::Search>,
    /// Show only unread notifications (`u`).
    pub unread_only: bool,
    /// Toast state, for the header and to skip toasts nobody sees.
    pub toasts: Toasts,
    /// The footer's message.
    pub status: Option<Status>,
    /// Background actions not finished yet.
    pub in_flight: usize,
    /// Monotonic time of the last tick.
    pub clock: Instant,
    /// Wall time of the last tick.
    pub now: DateTime<Utc>,
    /// Set by `q`/Ctrl-C; the loop ends.
    pub quit: bool,
    /// Index of the selection in [`App::visible`].
    selected: usize,
    /// First visible row of the list.
    offset: usize,
    /// Rows of the list, for paging keys and scrolling.
    list_rows: usize,
    /// Bumped by every sync; results for older generations are dropped.
    generation: u64,
    /// A sync is in flight: stream events are logged to replay onto its result.
    syncing: bool,
    /// Events received while syncing.
    replay: Vec<StreamEvent>,
    /// A page is being fetched.
    loading_page: bool,
}

impl App {
    /// A fresh TUI for `server`, with the effects to start it.
    pub fn new(
        server: String,
        toasts: Toasts,
        clock: Instant,
        now: DateTime<Utc>,
    ) -> (App, Vec<Effect>) {
        let mut app = App {
            server,
            user: None,
            connection: Connection::Connecting,
            unread_count: None,
            inbox: Inbox::default(),
            loaded: false,
            mode: Mode::Normal,
            filter: String::new(),
            search: None,
            unread_only: false,
            toasts,
            status: None,
            in_flight: 0,
            clock,
            now,
            quit: false,
            selected: 0,
            offset: 0,
            list_rows: 10,
            generation: 0,
            syncing: false,
            replay: Vec::new(),
            loading_page: false,
        };
        let sync = app.sync();
        (app, vec![Effect::LoadMe, sync])
    }

    /// Applies one message; returns the effects to run.
    pub fn handle(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Key(key) => return self.on_key(key),
            Msg::Resize { list_rows } => {
                self.list_rows = list_rows.max(1);
                self.scroll_to_selection();
            }
            Msg::Tick { clock, now } => {
                self.clock = clock;
                self.now = now;
                if self
                    .status
                    .as_ref()
                    .is_some_and(|s| clock.duration_since(s.at) > STATUS_TTL)
                {
                    self.status = None;
                }
            }
            Msg::Stream(msg) => return self.on_stream(msg),
            Msg::Me(Ok(user)) => self.user = Some(user),
            Msg::Me(Err(message)) => self.set_error(format!("cannot check the token: {message}")),
            Msg::Synced { generation, result } => return self.on_synced(generation, result),
            Msg::PageLoaded { generation, result } => return self.on_page(generation, result),
            Msg::Searched { query, result } => self.on_searched(query, result),
            Msg::Done(result) => self.on_done(result),
            Msg::ToastsUnavailable(reason) => {
                self.toasts = Toasts::Unavailable;
                self.set_error(format!("desktop toasts unavailable: {reason}"));
            }
        }
        Vec::new()
    }

    /// The notifications the list shows, after `u` and `/`: with a filter, the
    /// server's answer once it came (each in its loaded copy, which has the latest
    /// read state), else the loaded ones that match.
    pub fn visible(&self) -> Vec<&Notification> {
        let needle = self.filter.to_lowercase();
        let candidates: Vec<&Notification> = match self.current_search() {
            Some(found) => found
                .items
                .iter()
                .map(|n| self.inbox.get(&n.id).unwrap_or(n))
                .collect(),
            None => self
                .inbox
                .items()
                .iter()
                .filter(|n| needle.is_empty() || matches(n, &needle))
                .collect(),
        };
        candidates
            .into_iter()
            .filter(|n| !self.unread_only || n.read_at.is_none())
            .collect()
    }

    /// The selected notification, if any.
    pub fn selected(&self) -> Option<&Notification> {
        self.visible().get(self.selected).copied()
    }

    /// Index of the selection in [`App::visible`].
    pub fn selected_index(&self) -> usize {
        self.selected
    }

    /// First visible row of the list.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Sets an informational footer message.
    fn set_info(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            error: false,
            at: self.clock,
        });
    }

    /// Sets an error footer message.
    fn set_error(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            error: true,
            at: self.clock,
        });
    }

    /// Runs `change` and keeps the same notification selected (or the same row, when
    /// it is gone).
    fn keeping_selection<R>(&mut self, change: impl FnOnce(&mut Self) -> R) -> R {
        let id = self.selected().map(|n| n.id.clone());
        let result = change(self);
        let visible = self.visible();
        let found = id.and_then(|id| visible.iter().position(|n| n.id == id));
        let len = visible.len();
        self.selected = found.unwrap_or(self.selected).min(len.saturating_sub(1));
        self.scroll_to_selection();
        result
    }

    /// Moves the selection to `index` (clamped) and pages in more when near the end.
    fn select(&mut self, index: usize) -> Vec<Effect> {
        let len = self.visible().len();
        self.selected = index.min(len.saturating_sub(1));
        self.scroll_to_selection();
        self.page_if_near_end(len).into_iter().collect()
    }

    /// Keeps the selection inside the list's window.
    fn scroll_to_selection(&mut self) {
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + self.list_rows {
            self.offset = self.selected + 1 - self.list_rows;
        }
    }

    /// Starts a sync of the head of the list (after start and every reconnect).
    fn sync(&mut self) -> Effect {
        self.generation += 1;
        self.syncing = true;
        self.replay.clear();
        self.loading_page = false;
        let want = self.inbox.items().len().max(PAGE_SIZE as usize);
        Effect::Sync {
            generation: self.generation,
            want,
        }
    }

    /// An [`Effect::LoadPage`] when the selection is near the end of what is loaded
    /// and the server has more that could show.
    fn page_if_near_end(&mut self, visible_len: usize) -> Option<Effect> {
        let all_unread_loaded = self.inbox.loaded_unread() < self.inbox.items().len();
        if self.syncing
            || self.loading_page
            || self.selected + PREFETCH < visible_len
            || (self.unread_only && all_unread_loaded)
        {
            return None;
        }
        let cursor = self.inbox.next_cursor()?.to_owned();
        self.loading_page = true;
        Some(Effect::LoadPage {
            generation: self.generation,
            cursor,
        })
    }
}

/// Whether `n` matches the lower-cased `needle`.
fn matches(n: &Notification, needle: &str) -> bool {
    let has = |text: &str| text.to_lowercase().contains(needle);
    has(&n.title) || n.body.as_deref().is_some_and(has) || n.category.as_deref().is_some_and(has)
}

#[cfg(test)]
mod tests;
