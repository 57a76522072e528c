//! `notif tui`: the live terminal inbox.
//!
//! State ([`app`]) is kept apart from drawing ([`ui`]) and from the event sources, so
//! every screen and key can be tested without a terminal or a server. [`run`] is the
//! one event loop: a `tokio::select!` over key presses, messages from background tasks
//! (the [`stream`], the [`effects`] of actions) and a tick. Desktop toasts live in
//! [`toast`]; the terminal is always restored ([`terminal`]).

pub mod app;
pub mod effects;
pub mod stream;
pub mod terminal;
pub mod toast;
pub mod ui;

use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::Utc;
use crossterm::event::{Event, EventStream};
use futures_util::StreamExt;
use ratatui::layout::Rect;
use tokio::sync::mpsc::{self, UnboundedReceiver};

use crate::api::Client;
use app::{App, Msg, Toasts};
use effects::Runner;
use toast::{DesktopSink, Toaster};

/// How often relative times and countdowns are refreshed.
const TICK: Duration = Duration::from_millis(500);

/// Options of `notif tui`.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Raise desktop toasts (off with `--no-toast`).
    pub toasts: bool,
}

/// Runs the TUI until `q`/Ctrl-C; the terminal is restored however it ends.
pub async fn run(client: Client, options: Options) -> anyhow::Result<()> {
    check_token(&client).await?;
    let (tx, rx) = mpsc::unbounded_channel();
    let toaster = if options.toasts {
        let tx = tx.clone();
        let unavailable = move |reason| {
            let _ = tx.send(Msg::ToastsUnavailable(reason));
        };
        Some(Toaster::spawn(DesktopSink, unavailable).context("cannot start the toaster thread")?)
    } else {
        None
    };
    let toasts = if toaster.is_some() {
        Toasts::On
    } else {
        Toasts::Off
    };
    let server = client.server().as_str().trim_end_matches('/').to_owned();
    let (mut app, effects) = App::new(server, toasts, Instant::now(), Utc::now());
    let runner = Runner::new(client.clone(), tx.clone(), toaster);
    let mut guard = terminal::Guard::enter().context("cannot set up the terminal")?;
    let stream = stream::spawn(client, tx);
    for effect in effects {
        runner.run(effect);
    }
    let result = event_loop(&mut guard, &mut app, &runner, rx).await;
    stream.abort();
    drop(guard);
    result
}

/// Fails early, before taking over the terminal, when the token is refused or is a
/// service token. An unreachable server is fine: the TUI shows that it reconnects.
async fn check_token(client: &Client) -> anyhow::Result<()> {
    match client.me().await {
        Ok(me) if me.user_id.is_none() => {
            anyhow::bail!("notif tui needs a user token; this is a service token")
        }
        Err(err) if !err.is_transient() => Err(err.into()),
        Ok(_) | Err(_) => Ok(()),
    }
}

/// Draws, waits for the next message, applies it; until the app says quit.
async fn event_loop(
    guard: &mut terminal::Guard,
    app: &mut App,
    runner: &Runner,
    mut rx: UnboundedReceiver<Msg>,
) -> anyhow::Result<()> {
    let mut keys = EventStream::new();
    let mut tick = tokio::time::interval(TICK);
    let size = guard.terminal.size()?;
    app.handle(Msg::Resize {
        list_rows: ui::list_rows(Rect::new(0, 0, size.width, size.height)),
    });
    loop {
        guard.terminal.draw(|frame| ui::draw(app, frame))?;
        let msg = tokio::select! {
            event = keys.next() => match event {
                Some(Ok(Event::Key(key))) => Msg::Key(key),
                Some(Ok(Event::Resize(width, height))) => {
                    Msg::Resize { list_rows: ui::list_rows(Rect::new(0, 0, width, height)) }
                }
                Some(Ok(_)) => continue,
                Some(Err(err)) => return Err(err).context("cannot read the keyboard"),
                None => return Ok(()),
            },
            Some(msg) = rx.recv() => msg,
            _ = tick.tick() => Msg::Tick { clock: Instant::now(), now: Utc::now() },
        };
        dispatch(app, runner, msg);
        // Apply whatever else is queued (a burst of events) before drawing again.
        while let Ok(msg) = rx.try_recv() {
            dispatch(app, runner, msg);
        }
        if app.quit {
            return Ok(());
        }
    }
}

/// Applies one message and starts its effects.
fn dispatch(app: &mut App, runner: &Runner, msg: Msg) {
    for effect in app.handle(msg) {
        runner.run(effect);
    }
}

#[cfg(test)]
mod fixtures;
