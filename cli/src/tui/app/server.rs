//! The server's news → state: stream events, snapshots after (re)connects, pages of
//! older notifications and the outcomes of background actions.
//!
//! Keeping the list equal to the server's: every (re)connect fetches a fresh snapshot
//! of the list's head ([`Effect::Sync`]); events that arrive while it is in flight are
//! applied at once *and* logged, then replayed onto the snapshot, so neither a resumed
//! notification nor a deletion is lost or shown twice.

use super::super::toast::toast_for;
use super::{App, Connection, Effect, Failure, Outcome, Snapshot, StreamMsg, Toasts};
use crate::api::types::{Page, StreamEvent};

impl App {
    /// A stream report.
    pub(super) fn on_stream(&mut self, msg: StreamMsg) -> Vec<Effect> {
        match msg {
            StreamMsg::Connected => {
                self.connection = Connection::Connected;
                return vec![self.sync()];
            }
            StreamMsg::Event(event) => {
                if self.syncing {
                    self.replay.push(event.clone());
                }
                return self.apply(event, true);
            }
            StreamMsg::Reconnecting { retry_at, reason } => {
                self.connection = Connection::Reconnecting { retry_at, reason };
            }
            StreamMsg::Offline(reason) => {
                self.set_error(format!("live updates stopped: {reason}"));
                self.connection = Connection::Offline { reason };
            }
        }
        Vec::new()
    }

    /// Applies one stream event; `live` events raise toasts, replayed ones do not.
    fn apply(&mut self, event: StreamEvent, live: bool) -> Vec<Effect> {
        match event {
            StreamEvent::Unread { unread_count } => self.unread_count = Some(unread_count),
            StreamEvent::Notification { notification, .. } => {
                let known = self.inbox.get(&notification.id).is_some();
                if !known && notification.read_at.is_none() {
                    self.unread_count = self.unread_count.map(|c| c + 1);
                }
                let toast = (live && self.toasts == Toasts::On).then(|| toast_for(&notification));
                self.keeping_selection(|app| app.inbox.upsert(notification));
                return toast.map(Effect::Toast).into_iter().collect();
            }
            StreamEvent::Read { ids, unread_count } => return self.apply_read(&ids, unread_count),
            StreamEvent::Deleted { id, unread_count } => {
                self.forget_found(&id);
                self.keeping_selection(|app| app.inbox.remove(&id));
                self.unread_count = Some(unread_count);
            }
            StreamEvent::Ping => {}
        }
        Vec::new()
    }

    /// A `read` event names ids but not whether they became read or unread: the
    /// change of the unread count tells (one event is one action, so one direction).
    fn apply_read(&mut self, ids: &[String], unread_count: u64) -> Vec<Effect> {
        let before = self.unread_count.replace(unread_count);
        let read_at = match before {
            Some(before) if unread_count < before => Some(Some(self.now)),
            Some(before) if unread_count > before => Some(None),
            _ => None,
        };
        let Some(read_at) = read_at else {
            // No direction: nothing changed, unless our copies disagree with the count.
            return Vec::new();
        };
        let now_unread = read_at.is_none();
        let missing = self.keeping_selection(|app| app.inbox.set_read(ids, read_at).len());
        // An id that became unread but is not loaded belongs in the head of the list.
        if now_unread && missing > 0 && self.inbox.next_cursor().is_some() && !self.syncing {
            return vec![self.sync()];
        }
        Vec::new()
    }

    /// A snapshot of the head of the list arrived.
    pub(super) fn on_synced(
        &mut self,
        generation: u64,
        result: Result<Snapshot, String>,
    ) -> Vec<Effect> {
        if generation != self.generation {
            return Vec::new();
        }
        self.syncing = false;
        let replay = std::mem::take(&mut self.replay);
        match result {
            Ok(snapshot) => {
                self.loaded = true;
                self.unread_count = Some(snapshot.unread_count);
                self.keeping_selection(|app| {
                    app.inbox
                        .replace(snapshot.notifications, snapshot.next_cursor);
                });
                for event in replay {
                    self.apply(event, false);
                }
                let len = self.visible().len();
                self.page_if_near_end(len).into_iter().collect()
            }
            Err(message) => {
                self.set_error(format!("cannot load the inbox: {message}"));
                Vec::new()
            }
        }
    }

    /// A page of older notifications arrived.
    pub(super) fn on_page(&mut self, generation: u64, result: Result<Page, String>) -> Vec<Effect> {
        if generation != self.generation {
            return Vec::new();
        }
        self.loading_page = false;
        match result {
            Ok(page) => {
                self.keeping_selection(|app| {
                    app.inbox.append_page(page.notifications, page.next_cursor);
                });
                if self.filter.is_empty() {
                    let len = self.visible().len();
                    return self.page_if_near_end(len).into_iter().collect();
                }
            }
            Err(message) => self.set_error(format!("cannot load older notifications: {message}")),
        }
        Vec::new()
    }

    /// A background action finished.
    pub(super) fn on_done(&mut self, result: Result<Outcome, Failure>) {
        self.in_flight = self.in_flight.saturating_sub(1);
        match result {
            Ok(Outcome::Updated(n)) => {
                let was_unread = self.inbox.get(&n.id).map(|old| old.read_at.is_none());
                let now_unread = n.read_at.is_none();
                if let (Some(was), Some(count)) = (was_unread, self.unread_count) {
                    self.unread_count = Some(match (was, now_unread) {
                        (true, false) => count.saturating_sub(1),
                        (false, true) => count + 1,
                        _ => count,
                    });
                }
                self.set_info(if now_unread {
                    "marked unread"
                } else {
                    "marked read"
                });
                self.keeping_selection(|app| app.inbox.upsert(n));
            }
            Ok(Outcome::ReadAll(done)) => {
                let now = self.now;
                self.keeping_selection(|app| app.inbox.mark_all_read(now));
                self.unread_count = Some(done.unread_count);
                self.set_info(format!("marked {} read", done.updated));
            }
            Ok(Outcome::Deleted(id)) => {
                self.forget(&id);
                self.set_info("deleted");
            }
            Ok(Outcome::Opened(link)) => self.set_info(format!("opened {link}")),
            Err(failure) => {
                if let (true, Some(id)) = (failure.not_found, &failure.id) {
                    self.forget(id);
                }
                self.set_error(format!("{} failed: {}", failure.action, failure.message));
            }
        }
    }

    /// Drops a notification the server no longer has, fixing the count.
    fn forget(&mut self, id: &str) {
        self.forget_found(id);
        let was_unread = self.inbox.get(id).is_some_and(|n| n.read_at.is_none());
        if self.keeping_selection(|app| app.inbox.remove(id)) && was_unread {
            self.unread_count = self.unread_count.map(|c| c.saturating_sub(1));
        }
    }
}
