//! Keys → state: one function per [`Mode`]. The full list is in the `?` help
//! ([`super::super::ui`]) and the README.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::{App, Effect, Mode};

impl App {
    /// Handles one key press.
    pub(super) fn on_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        if key.kind == KeyEventKind::Release {
            return Vec::new();
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && key.code == KeyCode::Char('c') {
            self.quit = true;
            return Vec::new();
        }
        match self.mode.clone() {
            Mode::Normal => self.normal_key(key.code, ctrl),
            Mode::Filter => self.filter_key(key.code),
            Mode::Help => {
                self.mode = Mode::Normal;
                Vec::new()
            }
            Mode::ConfirmDelete { id, .. } => self.confirm_key(key.code, id),
        }
    }

    /// Keys on the list.
    fn normal_key(&mut self, code: KeyCode, ctrl: bool) -> Vec<Effect> {
        let page = self.list_rows.max(1);
        match code {
            KeyCode::Char('q') => self.quit = true,
            KeyCode::Char('j') | KeyCode::Down => return self.select(self.selected + 1),
            KeyCode::Char('k') | KeyCode::Up => {
                return self.select(self.selected.saturating_sub(1));
            }
            KeyCode::Char('g') | KeyCode::Home => return self.select(0),
            KeyCode::Char('G') | KeyCode::End => return self.select(usize::MAX),
            KeyCode::PageDown => return self.select(self.selected + page),
            KeyCode::Char('f') if ctrl => return self.select(self.selected + page),
            KeyCode::PageUp => return self.select(self.selected.saturating_sub(page)),
            KeyCode::Char('b') if ctrl => return self.select(self.selected.saturating_sub(page)),
            KeyCode::Enter | KeyCode::Char('o') => return self.open(),
            KeyCode::Char('r') => return self.toggle_read(),
            KeyCode::Char('A') => return self.read_all(),
            KeyCode::Char('d') | KeyCode::Delete => self.ask_delete(),
            KeyCode::Char('u') => {
                self.keeping_selection(|app| app.unread_only = !app.unread_only);
                let len = self.visible().len();
                return self.page_if_near_end(len).into_iter().collect();
            }
            KeyCode::Char('/') => self.mode = Mode::Filter,
            KeyCode::Char('?') => self.mode = Mode::Help,
            KeyCode::Esc if !self.filter.is_empty() => {
                self.keeping_selection(|app| app.filter.clear());
            }
            _ => {}
        }
        Vec::new()
    }

    /// Keys while typing the filter: it applies as it is typed, and the server is
    /// asked for its matches.
    fn filter_key(&mut self, code: KeyCode) -> Vec<Effect> {
        match code {
            KeyCode::Enter => self.mode = Mode::Normal,
            KeyCode::Esc => {
                self.mode = Mode::Normal;
                self.keeping_selection(|app| app.filter.clear());
            }
            KeyCode::Backspace => {
                self.keeping_selection(|app| app.filter.pop());
                return self.search_effect().into_iter().collect();
            }
            KeyCode::Char(c) => {
                self.keeping_selection(|app| app.filter.push(c));
                return self.search_effect().into_iter().collect();
            }
            _ => {}
        }
        Vec::new()
    }

    /// Keys while asking "delete?".
    fn confirm_key(&mut self, code: KeyCode, id: String) -> Vec<Effect> {
        match code {
            KeyCode::Char('y' | 'Y') => {
                self.mode = Mode::Normal;
                self.in_flight += 1;
                vec![Effect::Delete(id)]
            }
            KeyCode::Char('n' | 'N' | 'q') | KeyCode::Esc => {
                self.mode = Mode::Normal;
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// `Enter`/`o`: open the link and mark read.
    fn open(&mut self) -> Vec<Effect> {
        let Some(n) = self.selected() else {
            return Vec::new();
        };
        let (id, unread, link) = (n.id.clone(), n.read_at.is_none(), n.link.clone());
        let mut effects = Vec::new();
        match link {
            Some(link) => effects.push(Effect::OpenLink(link)),
            None => self.set_info("this notification has no link"),
        }
        if unread {
            effects.push(Effect::MarkRead(id));
        }
        self.in_flight += effects.len();
        effects
    }

    /// `r`: mark read, or unread when already read.
    fn toggle_read(&mut self) -> Vec<Effect> {
        let Some(n) = self.selected() else {
            return Vec::new();
        };
        let effect = if n.read_at.is_none() {
            Effect::MarkRead(n.id.clone())
        } else {
            Effect::MarkUnread(n.id.clone())
        };
        self.in_flight += 1;
        vec![effect]
    }

    /// `A`: mark everything read.
    fn read_all(&mut self) -> Vec<Effect> {
        self.in_flight += 1;
        vec![Effect::ReadAll]
    }

    /// `d`: ask before deleting the selection.
    fn ask_delete(&mut self) {
        if let Some(n) = self.selected() {
            self.mode = Mode::ConfirmDelete {
                id: n.id.clone(),
                title: n.title.clone(),
            };
        }
    }
}
