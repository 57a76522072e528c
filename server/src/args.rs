//! The `notif-server` command line: `serve`, `quickstart`, and the `user` / `token` admin
//! commands. Flags fall back to `NOTIF_*` environment variables.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::store::sqlite::Sync;

/// notif-server: a self-hosted notification inbox (HTTP API, SQLite).
#[derive(Debug, Parser)]
#[command(name = "notif-server", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API.
    ///
    /// Example: notif-server serve --listen 127.0.0.1:8787 --db ./notif.db
    Serve(ServeArgs),
    /// Create a user (if missing) and a token for the `notif` CLI, write the CLI's config
    /// file, then serve: a working local setup in one command.
    ///
    /// Example: notif-server quickstart --user alice
    Quickstart(QuickstartArgs),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage tokens.
    #[command(subcommand)]
    Token(TokenCommand),
}

/// Where the database is: `--db`, else `NOTIF_DB`, else `notif.db` in the platform data
/// directory.
#[derive(Debug, Clone, Args)]
pub struct DbArg {
    /// SQLite database file (created if missing).
    #[arg(long, env = "NOTIF_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port; the real one is printed).
    #[arg(
        long,
        env = "NOTIF_LISTEN",
        default_value = "127.0.0.1:8787",
        value_name = "ADDR"
    )]
    pub listen: String,
    #[command(flatten)]
    pub db: DbArg,
    /// How often open streams get a `ping` event, e.g. 30s, 500ms.
    #[arg(long, env = "NOTIF_PING_INTERVAL", default_value = "30s", value_parser = parse_duration, value_name = "DURATION")]
    pub ping_interval: Duration,
    /// Durability of commits: `full` survives power loss, `normal` only a crash of the process.
    #[arg(long, env = "NOTIF_SYNC", value_enum, default_value_t = Sync::Full)]
    pub sync: Sync,
    /// Events a stream may have queued before it counts as too slow and is closed (its
    /// client resumes with Last-Event-ID).
    #[arg(long, env = "NOTIF_STREAM_BUFFER", default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..), value_name = "EVENTS")]
    pub stream_buffer: u32,
}

#[derive(Debug, Clone, Args)]
pub struct QuickstartArgs {
    /// The user to create (or reuse).
    #[arg(long, default_value = "me", value_name = "NAME")]
    pub user: String,
    /// The CLI config file to write (default: the `notif` CLI's own, or `NOTIF_CONFIG`).
    #[arg(long, env = "NOTIF_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user and print a new user token (the last line of output).
    ///
    /// Example: notif-server user add alice --email alice@example.com
    Add {
        /// 1 to 64 of A-Z a-z 0-9 . _ @ -
        name: String,
        /// Address for the email channel.
        #[arg(long)]
        email: Option<String>,
        #[command(flatten)]
        db: DbArg,
    },
    /// List users.
    List {
        #[command(flatten)]
        db: DbArg,
    },
    /// Delete a user with their notifications and tokens.
    Rm {
        name: String,
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token and print it (the last line of output); it is never shown again.
    ///
    /// Example: notif-server token add --service --label ci
    Add {
        /// A user token acting as this user.
        #[arg(
            long,
            value_name = "NAME",
            required_unless_present = "service",
            conflicts_with = "service"
        )]
        user: Option<String>,
        /// A service token, which may only notify (any user).
        #[arg(long)]
        service: bool,
        /// A note to recognise the token by in `token list`.
        #[arg(long, value_name = "TEXT")]
        label: Option<String>,
        #[command(flatten)]
        db: DbArg,
    },
    /// List tokens (ids, scopes, labels, creation and last use; never the tokens).
    List {
        #[command(flatten)]
        db: DbArg,
    },
    /// Revoke a token by the id `token list` shows.
    Revoke {
        id: i64,
        #[command(flatten)]
        db: DbArg,
    },
}

/// `30s`, `500ms`, `1m`, … (humantime), and not zero.
fn parse_duration(raw: &str) -> Result<Duration, String> {
    let duration = humantime::parse_duration(raw).map_err(|e| format!("{e} (try 30s or 500ms)"))?;
    if duration.is_zero() {
        return Err("must be more than zero".into());
    }
    Ok(duration)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn durations_are_human() {
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("30s").unwrap(), Duration::from_secs(30));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("soon").is_err());
    }

    #[test]
    fn token_add_needs_exactly_one_scope() {
        assert!(Cli::try_parse_from(["notif-server", "token", "add"]).is_err());
        assert!(
            Cli::try_parse_from(["notif-server", "token", "add", "--user", "a", "--service"])
                .is_err()
        );
        assert!(Cli::try_parse_from(["notif-server", "token", "add", "--service"]).is_ok());
    }
}
