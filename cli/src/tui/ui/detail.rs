//! The detail pane: everything about the selected notification, body wrapped.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::type_color;
use crate::time;
use crate::tui::app::App;

/// Draws the pane for the selection, or an empty pane.
pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let block = Block::bordered().title(" Detail ");
    let Some(n) = app.selected() else {
        frame.render_widget(block, area);
        return;
    };
    let state = match n.read_at {
        None => Span::raw("unread").bold(),
        Some(_) => Span::raw("read"),
    };
    let mut meta = vec![Span::styled(
        n.kind.as_str(),
        Style::new().fg(type_color(n.kind)).bold(),
    )];
    if let Some(category) = &n.category {
        meta.push(Span::raw(format!(" · {category}")));
    }
    meta.extend([Span::raw(" · "), state]);
    let mut lines = vec![Line::from(n.title.as_str()).bold(), Line::from(meta)];
    if let Some(link) = &n.link {
        lines.push(Line::from(vec![
            Span::raw("Link:    ").dim(),
            Span::raw(link.as_str()),
        ]));
    }
    lines.push(Line::from(vec![
        Span::raw("Created: ").dim(),
        Span::raw(time::full(n.created_at, app.now)),
    ]));
    if let Some(read_at) = n.read_at {
        lines.push(Line::from(vec![
            Span::raw("Read:    ").dim(),
            Span::raw(time::full(read_at, app.now)),
        ]));
    }
    if let Some(body) = n.body.as_deref().filter(|b| !b.is_empty()) {
        lines.push(Line::default());
        lines.extend(body.lines().map(Line::from));
    }
    let paragraph = Paragraph::new(lines)
        .block(block)
        .wrap(Wrap { trim: false });
    frame.render_widget(paragraph, area);
}
