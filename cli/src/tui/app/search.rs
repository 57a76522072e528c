//! The `/` filter asks the server too: the loaded notifications that match show at
//! once, then the server's answer to `q=…` (which also finds what is not loaded yet,
//! word by word) replaces them, as long as the filter has not changed meanwhile.

use super::{App, Effect, Notification};

/// The server's answer to one search.
#[derive(Debug, Clone, Default)]
pub struct Search {
    /// The filter text it answers.
    pub query: String,
    /// The matching notifications, as the server sent them.
    pub items: Vec<Notification>,
}

/// The longest `q` the server accepts, in characters.
const MAX_QUERY: usize = 200;

impl App {
    /// The search to ask the server for after the filter changed, if any.
    pub(super) fn search_effect(&self) -> Option<Effect> {
        let query = self.filter.trim();
        let fits = (1..=MAX_QUERY).contains(&query.chars().count());
        fits.then(|| Effect::Search(query.to_owned()))
    }

    /// The server answered the search for `query`; stale or failed answers are
    /// dropped (the local filter stays).
    pub(super) fn on_searched(&mut self, query: String, result: Result<Vec<Notification>, String>) {
        if query != self.filter.trim() {
            return;
        }
        if let Ok(items) = result {
            self.keeping_selection(|app| app.search = Some(Search { query, items }));
        }
    }

    /// The server's answer for the current filter, if it came.
    pub(super) fn current_search(&self) -> Option<&Search> {
        self.search
            .as_ref()
            .filter(|s| !s.query.is_empty() && s.query == self.filter.trim())
    }

    /// Drops `id` from the last answer too (deleted meanwhile).
    pub(super) fn forget_found(&mut self, id: &str) {
        if let Some(search) = &mut self.search {
            search.items.retain(|n| n.id != id);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::api::types::NotificationType;
    use crate::tui::app::{Effect, Msg};
    use crate::tui::fixtures::{app_with, ch, note, sample};

    #[test]
    fn typing_asks_the_server_and_its_answer_replaces_the_local_matches() {
        let mut app = app_with(sample(), None);
        app.handle(ch('/'));
        assert_eq!(app.handle(ch('d')), [Effect::Search("d".into())]);
        let effects = app.handle(ch('i'));
        assert_eq!(effects, [Effect::Search("di".into())]);
        let local: Vec<String> = app.visible().iter().map(|n| n.id.clone()).collect();
        assert!(!local.is_empty());
        // A stale answer (for "d") is dropped.
        app.handle(Msg::Searched {
            query: "d".into(),
            result: Ok(vec![]),
        });
        let still: Vec<String> = app.visible().iter().map(|n| n.id.clone()).collect();
        assert_eq!(still, local);
        // The answer for "di" replaces the local view, including what is not loaded.
        let old = note("old1", NotificationType::Info, "Disk check (old)", 9_000);
        app.handle(Msg::Searched {
            query: "di".into(),
            result: Ok(vec![old]),
        });
        let ids: Vec<&str> = app.visible().iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["old1"]);
        // A failed search keeps the local filter.
        app.handle(ch('s'));
        app.handle(Msg::Searched {
            query: "dis".into(),
            result: Err("400".into()),
        });
        assert!(!app.visible().is_empty());
    }
}
