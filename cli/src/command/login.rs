//! `notif login`: check a token against the server and save both in the config file.

use std::io::{BufRead, IsTerminal, Read, Write};

use anyhow::Context as _;
use serde::Serialize;

use super::Context;
use crate::api::{Client, Me, types::Scope};
use crate::config::{self, ConfigError, Saved, Source, TokenScope};
use crate::error::CliError;

/// Check a token with the server and save it.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  notif login --server http://127.0.0.1:8787 --token <TOKEN>
  notif-server user add alice | tail -1 | notif login --server https://notif.example.com

The token comes from --token, else NOTIF_TOKEN, else stdin (prompted on a terminal).
Checks it with GET /api/me, then writes server, token and the token's scope
(user or service) to the config file (mode 0600): ~/.config/notif/config.toml,
or --config PATH / NOTIF_CONFIG.")]
pub struct Args {}

/// `--json` output of `notif login`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct LoggedIn {
    server: String,
    config: String,
    #[serde(flatten)]
    me: Me,
}

impl Args {
    /// Checks the token and writes the config file.
    pub async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        let settings = &ctx.settings;
        let token = match (&settings.token, &settings.token_source) {
            (Some(token), Source::Flag | Source::Env(_)) => token.clone(),
            _ => read_token()?,
        };
        let client = Client::new(&settings.server, Some(token.clone()))?;
        let me = ctx
            .within(async { Ok(client.me().await?) })
            .await
            .with_context(|| format!("cannot log in to {}", settings.server))?;
        let path = settings
            .config_path
            .clone()
            .ok_or(ConfigError::NoConfigDir)?;
        let scope = match me.scope {
            Scope::User => TokenScope::User,
            Scope::Service => TokenScope::Service,
        };
        let saved = Saved {
            server: &settings.server,
            token: &token,
            scope: Some(scope),
        };
        config::save(&path, saved)?;
        if ctx.out.json {
            let out = LoggedIn {
                server: settings.server.clone(),
                config: path.display().to_string(),
                me,
            };
            return Ok(ctx.out.json(&out, false)?);
        }
        let who = match (&me.scope, &me.user_id) {
            (Scope::User, Some(user)) => format!("as {user}"),
            _ => "with a service token (it can only send: `notif send --to USER`)".to_owned(),
        };
        let text = format!(
            "Logged in to {} {who}.\nSaved to {}.\n",
            settings.server,
            path.display()
        );
        Ok(ctx.out.text(&text)?)
    }
}

/// Reads the token from stdin: one line when prompted on a terminal; else the last
/// non-empty line, so that the whole output of `notif-server user add` can be piped.
fn read_token() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    let mut text = String::new();
    if stdin.is_terminal() {
        eprint!("Token (from `notif-server user add NAME`): ");
        std::io::stderr().flush().ok();
        stdin.lock().read_line(&mut text)
    } else {
        stdin.lock().read_to_string(&mut text)
    }
    .context("cannot read the token from stdin")?;
    last_line(&text).ok_or_else(|| {
        CliError::Usage("no token given: pass --token TOKEN or pipe it on stdin".to_owned()).into()
    })
}

/// The last non-blank line of `text`, trimmed.
fn last_line(text: &str) -> Option<String> {
    text.lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_is_the_last_non_blank_line() {
        assert_eq!(
            last_line("created alice\n  tok123  \n\n").as_deref(),
            Some("tok123")
        );
        assert_eq!(last_line("\n \n"), None);
    }
}
