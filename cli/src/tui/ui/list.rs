//! The list of notifications: unread first and bold, a coloured marker per type,
//! title, category and age. Only the rows on screen are built, so a long inbox costs
//! nothing to draw.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, TableState};

use super::type_color;
use unicode_width::UnicodeWidthStr;

use crate::output::truncate;
use crate::time;
use crate::tui::app::App;

/// The category column is at most this share (in fifths) of the list's width.
const CATEGORY_FIFTHS: usize = 1;
/// Width of the age column.
const AGE: u16 = 7;

/// Why an inbox with notifications shows none, and the key that shows them again:
/// Esc clears the `/` filter, u toggles unread-only.
fn nothing_matches(app: &App) -> &'static str {
    match (app.filter.is_empty(), app.unread_only) {
        (false, true) => "Nothing matches. Esc clears the filter, u shows read ones too.",
        (false, false) => "Nothing matches. Press Esc to clear the filter.",
        (true, _) => "Nothing unread. Press u to show read ones too.",
    }
}

/// Draws the list, or what stands in for it when it is empty.
pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let visible = app.visible();
    let block = Block::bordered().title(title(app, visible.len()));
    if visible.is_empty() {
        let text = if !app.loaded {
            "Loading…"
        } else if app.inbox.items().is_empty() {
            "No notifications yet. New ones appear here as they arrive."
        } else {
            nothing_matches(app)
        };
        frame.render_widget(Paragraph::new(format!(" {text}")).dim().block(block), area);
        return;
    }
    let rows_on_screen = usize::from(area.height.saturating_sub(2)).max(1);
    let selected = app.selected_index();
    // Keep the selection on screen even if the app's idea of the height is stale.
    let offset = app
        .offset()
        .min(selected)
        .max((selected + 1).saturating_sub(rows_on_screen));
    let on_screen: Vec<_> = visible.iter().skip(offset).take(rows_on_screen).collect();
    // Category: as wide as the longest one on screen, up to a fifth of the list, cut
    // with …; the title takes the rest (less marker, highlight and column gaps).
    let inner = usize::from(area.width.saturating_sub(2));
    let category = on_screen
        .iter()
        .filter_map(|n| n.category.as_deref())
        .map(UnicodeWidthStr::width)
        .max()
        .unwrap_or(0)
        .min(inner * CATEGORY_FIFTHS / 5);
    let title_width = inner.saturating_sub(1 + 1 + category + usize::from(AGE) + 3);
    let rows = on_screen.into_iter().map(|n| {
        let marker = if n.read_at.is_none() { "●" } else { "○" };
        let style = if n.read_at.is_none() {
            Style::new().add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        };
        Row::new(vec![
            Cell::from(Span::styled(marker, type_color(n.kind))),
            Cell::from(truncate(&n.title, title_width)),
            Cell::from(truncate(n.category.as_deref().unwrap_or(""), category)).dim(),
            Cell::from(Line::from(time::relative(n.created_at, app.now)).right_aligned()),
        ])
        .style(style)
    });
    let table = Table::new(
        rows,
        [
            Constraint::Length(1),
            Constraint::Min(10),
            Constraint::Length(u16::try_from(category).unwrap_or(u16::MAX)),
            Constraint::Length(AGE),
        ],
    )
    .block(block)
    .row_highlight_style(Style::new().add_modifier(Modifier::REVERSED))
    .highlight_symbol("›");
    let mut state = TableState::new().with_selected(Some(selected - offset));
    frame.render_stateful_widget(table, area, &mut state);
}

/// " Inbox · 3 of 57+ · unread only · /deploy "
fn title(app: &App, shown: usize) -> String {
    let more = if app.inbox.next_cursor().is_some() {
        "+"
    } else {
        ""
    };
    let mut title = format!(" Inbox · {shown} of {}{more}", app.inbox.items().len());
    if app.unread_only {
        title.push_str(" · unread only");
    }
    if !app.filter.is_empty() {
        title.push_str(&format!(" · /{}", app.filter));
    }
    title.push(' ');
    title
}
