//! Render tests: whole screens drawn into a `TestBackend` and compared with committed
//! insta snapshots (`cargo insta review` after an intended change).

use std::time::Duration;

use insta::assert_snapshot;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;

use super::{draw, list_rows};
use crate::tui::app::{App, Connection, Msg};
use crate::tui::fixtures::{app_with, ch, sample};

/// Draws `app` on a `width`×`height` screen, as the event loop does.
fn render(app: &mut App, width: u16, height: u16) -> Terminal<TestBackend> {
    app.handle(Msg::Resize {
        list_rows: list_rows(Rect::new(0, 0, width, height)),
    });
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| draw(app, frame)).unwrap();
    terminal
}

#[test]
fn empty_inbox() {
    let mut app = app_with(vec![], None);
    app.connection = Connection::Connected;
    assert_snapshot!(render(&mut app, 80, 24).backend());
}

#[test]
fn list_with_detail_at_80x24() {
    let mut app = app_with(sample(), None);
    app.connection = Connection::Connected;
    assert_snapshot!(render(&mut app, 80, 24).backend());
}

#[test]
fn list_with_detail_side_by_side_when_wide() {
    let mut app = app_with(sample(), Some("more"));
    app.connection = Connection::Connected;
    app.handle(ch('j'));
    assert_snapshot!(render(&mut app, 130, 16).backend());
}

#[test]
fn help() {
    let mut app = app_with(sample(), None);
    app.connection = Connection::Connected;
    app.handle(ch('?'));
    assert_snapshot!(render(&mut app, 80, 24).backend());
}

#[test]
fn delete_confirmation() {
    let mut app = app_with(sample(), None);
    app.connection = Connection::Connected;
    app.handle(ch('j'));
    app.handle(ch('d'));
    assert_snapshot!(render(&mut app, 80, 24).backend());
}

#[test]
fn reconnecting() {
    let mut app = app_with(sample(), None);
    let retry_at = app.clock + Duration::from_millis(4_200);
    app.connection = Connection::Reconnecting {
        retry_at,
        reason: "connection reset".into(),
    };
    assert_snapshot!(render(&mut app, 80, 24).backend());
}

#[test]
fn filtering_and_loading() {
    let mut app = app_with(sample(), None);
    app.connection = Connection::Offline {
        reason: "401".into(),
    };
    app.handle(ch('/'));
    app.handle(ch('d'));
    app.handle(ch('i'));
    assert_snapshot!(render(&mut app, 80, 12).backend());
}

/// The screen's lines as text.
fn lines(terminal: &Terminal<TestBackend>) -> Vec<String> {
    let buffer = terminal.backend().buffer();
    let width = usize::from(buffer.area.width);
    buffer
        .content()
        .chunks(width)
        .map(|row| row.iter().map(|cell| cell.symbol()).collect())
        .collect()
}

#[test]
fn narrow_screens_keep_header_footer_and_long_categories_apart() {
    let mut items = sample();
    items[0].category = Some("c".repeat(64));
    for width in [40, 50, 60, 200] {
        let mut app = app_with(items.clone(), None);
        app.connection = Connection::Connected;
        let screen = lines(&render(&mut app, width, 20));
        let header = &screen[0];
        assert!(header.starts_with(" notif  "), "{width}: {header:?}");
        assert!(header.contains("● connected"), "{width}: {header:?}");
        let footer = &screen[19];
        assert!(footer.starts_with(" ? help  ⏎ open"), "{width}: {footer:?}");
        assert!(!footer.trim_end().ends_with(" d"), "{width}: {footer:?}");
        let row = &screen[2];
        assert!(row.contains("c…"), "{width}: category cut with …: {row:?}");
        assert!(
            row.contains("Deploy"),
            "{width}: the title keeps room: {row:?}"
        );
    }
}
