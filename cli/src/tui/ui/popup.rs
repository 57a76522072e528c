//! Overlays: the `?` key help and the delete confirmation, centred over the list.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Color, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

/// Every key, as the help shows it.
pub const KEYS: &[(&str, &str)] = &[
    ("j / ↓", "next notification"),
    ("k / ↑", "previous notification"),
    ("g / G", "first / last"),
    ("PgDn / PgUp", "one screen down / up"),
    ("Enter / o", "open the link, mark read"),
    ("r", "toggle read / unread"),
    ("A", "mark all read"),
    ("d", "delete (asks y/n)"),
    ("u", "only unread / everything"),
    ("/", "filter by text (Esc clears)"),
    ("?", "this help"),
    ("q / Ctrl-C", "quit"),
];

/// A `width`×`height` rectangle centred in `area` (clipped to it).
fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [cell] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(row);
    cell
}

/// The key help.
pub fn help(frame: &mut Frame) {
    let lines: Vec<Line> = KEYS
        .iter()
        .map(|(key, what)| {
            Line::from(vec![
                Span::styled(format!(" {key:<12}"), Style::new().bold().fg(Color::Cyan)),
                Span::raw(*what),
            ])
        })
        .collect();
    let height = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_add(2);
    let area = centered(frame.area(), 46, height);
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(" Keys ")),
        area,
    );
}

/// "Delete …? y/n".
pub fn confirm_delete(frame: &mut Frame, title: &str) {
    let area = centered(frame.area(), 50, 5);
    let lines = vec![
        Line::from(format!("Delete “{title}”?")),
        Line::default(),
        Line::from(vec![
            Span::raw("y").bold().fg(Color::Red),
            Span::raw(" delete   "),
            Span::raw("n").bold().fg(Color::Cyan),
            Span::raw(" keep"),
        ]),
    ];
    let block = Block::bordered()
        .title(" Delete ")
        .border_style(Style::new().fg(Color::Red));
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
        area,
    );
}
