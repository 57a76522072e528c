//! How `notif` prints data for people: an aligned table coloured by type, relative
//! times, one-line watch events, preferences. Programs use `--json` instead.
//!
//! Everything here renders to `String`s given an explicit `now` and a [`Style`], so that
//! tests check exact output. Writing to stdout (and treating a closed pipe as success)
//! is [`Out`]'s job.

use std::io::{self, IsTerminal, Write};

use serde::Serialize;

use crate::api::types::NotificationType;

#[cfg(test)]
mod fixtures;
mod lines;
mod table;

pub use lines::{preferences, watch_line};
pub use table::{pad, plain_rows, table, truncate};

/// Whether to colour output, and whether the reader is a person at a terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// ANSI colours on.
    pub color: bool,
    /// stdout is a terminal: print tables with relative times; else tab-separated rows.
    pub tty: bool,
}

impl Style {
    /// Detects the style of stdout: colours only on a terminal and without `NO_COLOR`
    /// (any non-empty value, per no-color.org).
    pub fn detect() -> Self {
        let tty = io::stdout().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style {
            color: tty && !no_color,
            tty,
        }
    }

    /// No colours, not a terminal.
    pub const PLAIN: Style = Style {
        color: false,
        tty: false,
    };

    /// Wraps `text` in the ANSI SGR `code` when colours are on.
    pub fn paint(&self, code: &str, text: &str) -> String {
        if self.color && !code.is_empty() {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
}

/// The SGR colour of each type: info blue, success green, warning yellow, error red.
pub fn type_color(kind: NotificationType) -> &'static str {
    match kind {
        NotificationType::Info => "34",
        NotificationType::Success => "32",
        NotificationType::Warning => "33",
        NotificationType::Error => "1;31",
    }
}

/// stdout for commands: plain text or JSON, with the detected [`Style`].
#[derive(Debug, Clone, Copy)]
pub struct Out {
    /// Colours and terminal-ness of stdout.
    pub style: Style,
    /// `--json` was given.
    pub json: bool,
}

impl Out {
    /// Writes `text` as is (it should end in a newline), flushing so that `watch` lines
    /// show at once. A closed pipe surfaces as `io::ErrorKind::BrokenPipe`, which the
    /// binary treats as success.
    pub fn text(&self, text: &str) -> io::Result<()> {
        let mut stdout = io::stdout().lock();
        stdout.write_all(text.as_bytes())?;
        stdout.flush()
    }

    /// Writes `value` as pretty JSON, or as one line when `line` (for JSON lines).
    pub fn json<T: Serialize>(&self, value: &T, line: bool) -> io::Result<()> {
        let mut text = if line {
            serde_json::to_string(value)
        } else {
            serde_json::to_string_pretty(value)
        }
        .map_err(io::Error::other)?;
        text.push('\n');
        self.text(&text)
    }

    /// The terminal's width in columns (80 when unknown).
    pub fn width(&self) -> usize {
        match crossterm::terminal::size() {
            Ok((w, _)) if w > 0 => usize::from(w),
            _ => 80,
        }
    }
}
