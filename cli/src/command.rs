//! The sub-commands, one file each, and the [`Context`] they share.
//!
//! Each file has an `Args` struct (its `///` docs and `after_help` example are the
//! help text) and `async fn run(self, ctx: &Context) -> anyhow::Result<()>`.

pub mod completions;
pub mod list;
pub mod login;
pub mod prefs;
pub mod read;
pub mod read_all;
pub mod rm;
pub mod send;
pub mod tui;
pub mod unread;
pub mod watch;

use crate::api::Client;
use crate::config::Settings;
use crate::error::CliError;
use crate::output::Out;

/// What every command gets: resolved settings and stdout.
#[derive(Debug, Clone)]
pub struct Context {
    /// Server, token and config file, resolved flag > env > file > default.
    pub settings: Settings,
    /// stdout, with `--json` and the detected style.
    pub out: Out,
    /// `--verbose`: say more on stderr (where settings come from, stream state).
    pub verbose: bool,
    /// `--timeout`: the longest a command waits for the server, retries included.
    pub timeout: std::time::Duration,
}

impl Context {
    /// Runs `work` within `--timeout` (see [`crate::deadline`]).
    pub async fn within<T>(
        &self,
        work: impl std::future::Future<Output = anyhow::Result<T>>,
    ) -> anyhow::Result<T> {
        crate::deadline::within(self.timeout, &self.settings.server, work).await
    }

    /// An API client for the configured server and token; fails (exit 3) when there is
    /// no token, with a hint to run `notif login`.
    pub fn client(&self) -> anyhow::Result<Client> {
        let token = self.settings.token.clone().ok_or(CliError::NoToken)?;
        Ok(Client::new(&self.settings.server, Some(token))?)
    }
}
