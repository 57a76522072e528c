//! Drawing: `draw(&App, &mut Frame)` reads the state and paints it, nothing else.
//!
//! Layout (reflowed on every draw): a header line, the list and the detail pane (side
//! by side from 120 columns, stacked below that, so 80×24 stays usable), a status line
//! and a key line. Overlays (help, delete confirmation) sit on top.

mod detail;
mod list;
mod popup;

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::app::{App, Connection, Mode, Toasts};
use unicode_width::UnicodeWidthStr;

use crate::api::types::NotificationType;
use crate::output::truncate;

/// From this width on, the detail pane sits beside the list.
const SIDE_BY_SIDE: u16 = 120;
/// Below this width the header leaves out what it can do without.
const NARROW: u16 = 70;
/// The badge at the start of the header.
const BADGE: &str = " notif ";

/// The areas of one screen.
struct Areas {
    header: Rect,
    list: Rect,
    detail: Rect,
    status: Rect,
    keys: Rect,
}

/// Splits the screen.
fn layout(area: Rect) -> Areas {
    let [header, body, status, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let [list, detail] = if body.width >= SIDE_BY_SIDE {
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(body)
    } else {
        let detail_rows = (body.height * 2 / 5).clamp(6, 14);
        Layout::vertical([Constraint::Min(3), Constraint::Length(detail_rows)]).areas(body)
    };
    Areas {
        header,
        list,
        detail,
        status,
        keys,
    }
}

/// How many notifications the list shows on a screen of this size.
pub fn list_rows(screen: Rect) -> usize {
    usize::from(layout(screen).list.height.saturating_sub(2))
}

/// Draws the whole screen.
pub fn draw(app: &App, frame: &mut Frame) {
    let areas = layout(frame.area());
    header(app, frame, areas.header);
    list::draw(app, frame, areas.list);
    detail::draw(app, frame, areas.detail);
    status(app, frame, areas.status);
    keys(app, frame, areas.keys);
    match &app.mode {
        Mode::Help => popup::help(frame),
        Mode::ConfirmDelete { title, .. } => popup::confirm_delete(frame, title),
        Mode::Normal | Mode::Filter => {}
    }
}

/// The colour of a notification type's marker.
pub(super) fn type_color(kind: NotificationType) -> Color {
    match kind {
        NotificationType::Info => Color::Blue,
        NotificationType::Success => Color::Green,
        NotificationType::Warning => Color::Yellow,
        NotificationType::Error => Color::Red,
    }
}

/// Server, user, connection and unread count.
fn header(app: &App, frame: &mut Frame, area: Rect) {
    let user = app.user.as_deref().unwrap_or("…");
    let mut right = vec![connection(app), Span::raw(" · ")];
    right.push(match app.unread_count {
        Some(count) => Span::styled(format!("{count} unread"), Style::new().bold()),
        None => Span::raw("… unread"),
    });
    if app.toasts != Toasts::On && area.width >= NARROW {
        right.push(Span::raw(" · no toasts").dim());
    }
    right.push(Span::raw(" "));
    let right = Line::from(right);
    // What is left for " notif  server · user", one column kept free: the server and
    // user are cut with … or left out, never run into the right-hand side.
    let room = usize::from(area.width)
        .saturating_sub(right.width() + 1)
        .saturating_sub(BADGE.width() + 1);
    let mut left = vec![Span::styled(
        BADGE,
        Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
    )];
    if room >= 8 {
        left.push(Span::raw(format!(
            " {}",
            truncate(&format!("{} · {user}", app.server), room)
        )));
    }
    let left = Line::from(left);
    let width = u16::try_from(right.width())
        .unwrap_or(u16::MAX)
        .min(area.width);
    let [left_area, right_area] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(width)]).areas(area);
    frame.render_widget(Paragraph::new(left), left_area);
    frame.render_widget(
        Paragraph::new(right).alignment(Alignment::Right),
        right_area,
    );
}

/// The connection indicator.
fn connection(app: &App) -> Span<'static> {
    match &app.connection {
        Connection::Connecting => Span::styled("◌ connecting…", Color::Yellow),
        Connection::Connected => Span::styled("● connected", Color::Green),
        Connection::Reconnecting { retry_at, .. } => {
            let left = retry_at.saturating_duration_since(app.clock);
            let secs = left.as_millis().div_ceil(1000);
            let text = if secs == 0 {
                "◌ reconnecting…".to_owned()
            } else {
                format!("◌ reconnecting in {secs}s")
            };
            Span::styled(text, Color::Yellow)
        }
        Connection::Offline { .. } => Span::styled("✕ offline", Color::Red),
    }
}

/// The status line: the filter being typed, the last outcome, or work in progress.
fn status(app: &App, frame: &mut Frame, area: Rect) {
    let line = if app.mode == Mode::Filter {
        Line::from(vec![
            Span::raw(" /").bold(),
            Span::raw(&app.filter),
            Span::raw("█"),
        ])
    } else if let Mode::ConfirmDelete { title, .. } = &app.mode {
        // The question replaces the last outcome, which is about something else.
        Line::raw(format!(" delete “{}”? y / n", truncate(title, 60))).bold()
    } else if let Some(status) = &app.status {
        let style = if status.error {
            Style::new().fg(Color::Red)
        } else {
            Style::new()
        };
        Line::styled(format!(" {}", status.text), style)
    } else if app.in_flight > 0 {
        Line::raw(" working…").dim()
    } else if !app.filter.is_empty() {
        Line::raw(format!(" filter: {} (Esc clears)", app.filter)).dim()
    } else {
        Line::default()
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// The main keys of the current mode.
fn keys(app: &App, frame: &mut Frame, area: Rect) {
    let pairs: &[(&str, &str)] = match app.mode {
        Mode::Normal => &[
            ("?", "help"),
            ("⏎", "open"),
            ("r", "read"),
            ("A", "all read"),
            ("d", "delete"),
            ("u", "unread"),
            ("/", "filter"),
            ("q", "quit"),
        ],
        Mode::Filter => &[("⏎", "keep filter"), ("Esc", "clear filter")],
        Mode::Help => &[("any key", "closes the help")],
        Mode::ConfirmDelete { .. } => &[("y", "delete"), ("n", "keep")],
    };
    // Whole pairs only, as many as fit: a pair cut in half tells nothing.
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1;
    for (key, what) in pairs {
        let text = format!(" {what}  ");
        used += key.width() + text.trim_end().width();
        if used > usize::from(area.width) {
            break;
        }
        used += 2;
        spans.push(Span::styled(*key, Style::new().bold().fg(Color::Cyan)));
        spans.push(Span::raw(text));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

#[cfg(test)]
mod tests;
