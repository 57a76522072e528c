//! The `notif-server` command line: `serve`, `quickstart`, and the admin commands `user`
//! (`add`, `set`, `list`, `rm`), `token` (`add`, `list`, `revoke`) and `outbox` (`list`).
//! Flags fall back to `NOTIF_*` environment variables.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::store::sqlite::Sync;

mod email;
pub mod listen;
mod storage;
pub use email::EmailArgs;
pub use storage::{BackupArgs, StoreArgs};

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
    /// Inspect the email outbox.
    #[command(subcommand)]
    Outbox(OutboxCommand),
    /// Write a consistent copy of the database to PATH while the server runs (SQLite's online
    /// backup). To restore: stop the server, put the copy in place of the database file,
    /// delete the database's -wal and -shm files if any, start the server.
    ///
    /// Example: notif-server backup /var/backups/notif-$(date +%F).db
    Backup(BackupArgs),
}

#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// List pending and failed emails (with --all, sent ones too).
    ///
    /// Example: notif-server outbox list
    List {
        /// Include emails already sent.
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        db: DbArg,
    },
}

/// Where the database is: `--db`, else `NOTIF_DB`, else `notif.db` in the platform data
/// directory. A `postgres://` URL selects PostgreSQL (several nodes may share it).
#[derive(Debug, Clone, Args)]
pub struct DbArg {
    /// SQLite database file (created if missing by serve, quickstart, user add and token add
    /// --service), or
    /// postgres://USER[:PASSWORD]@HOST[:PORT]/DB for a PostgreSQL database shared by several
    /// nodes [default: notif.db in the platform's data directory, e.g.
    /// ~/.local/share/notif/notif.db]
    #[arg(long, env = "NOTIF_DB", value_name = "PATH|URL")]
    pub db: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port; the real one is printed).
    #[arg(
        long,
        env = "NOTIF_LISTEN",
        default_value = "127.0.0.1:8787",
        value_name = "ADDR",
        value_parser = listen::parse
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
    #[command(flatten)]
    pub email: EmailArgs,
    #[command(flatten)]
    pub limits: LimitArgs,
    #[command(flatten)]
    pub store: StoreArgs,
}

/// Protective limits, with defaults a small deployment never notices.
#[derive(Debug, Clone, Args)]
pub struct LimitArgs {
    /// Requests per second each token may make, on every route that takes a token (0: no
    /// per-token limit at all, the write and stream limits included).
    #[arg(
        long,
        env = "NOTIF_RATE_LIMIT",
        default_value_t = 200,
        value_name = "PER_SECOND"
    )]
    pub rate_limit: u32,
    /// Requests a token may make at once before the rate applies.
    #[arg(long, env = "NOTIF_RATE_BURST", default_value_t = 400, value_parser = clap::value_parser!(u32).range(1..), value_name = "N")]
    pub rate_burst: u32,
    /// Changes per second each token may make to its inbox (read, unread, read-all, delete,
    /// preferences): each one is pushed to every open stream of the user. Counted as well as
    /// --rate-limit.
    #[arg(
        long,
        env = "NOTIF_WRITE_RATE_LIMIT",
        default_value_t = 50,
        value_name = "PER_SECOND"
    )]
    pub write_rate_limit: u32,
    /// Inbox changes a token may make at once before --write-rate-limit applies.
    #[arg(long, env = "NOTIF_WRITE_RATE_BURST", default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..), value_name = "N")]
    pub write_rate_burst: u32,
    /// Streams per second each token may open. Counted as well as --rate-limit.
    #[arg(
        long,
        env = "NOTIF_STREAM_RATE_LIMIT",
        default_value_t = 5,
        value_name = "PER_SECOND"
    )]
    pub stream_rate_limit: u32,
    /// Streams a token may open at once before --stream-rate-limit applies.
    #[arg(long, env = "NOTIF_STREAM_RATE_BURST", default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..), value_name = "N")]
    pub stream_rate_burst: u32,
    /// Unknown or revoked tokens one client address may present per --auth-failure-window
    /// before it is answered 429 (0: no limit). Tokens that authenticated before still pass.
    #[arg(
        long,
        env = "NOTIF_AUTH_FAILURE_LIMIT",
        default_value_t = 30,
        value_name = "N"
    )]
    pub auth_failure_limit: u32,
    /// The window of --auth-failure-limit.
    #[arg(long, env = "NOTIF_AUTH_FAILURE_WINDOW", default_value = "1m", value_parser = parse_duration, value_name = "DURATION")]
    pub auth_failure_window: Duration,
    /// Open streams the server holds at most.
    #[arg(long, env = "NOTIF_MAX_STREAMS", default_value_t = 15_000, value_parser = clap::value_parser!(u32).range(1..), value_name = "N")]
    pub max_streams: u32,
    /// Open streams one user may hold at most.
    #[arg(long, env = "NOTIF_MAX_STREAMS_PER_USER", default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..), value_name = "N")]
    pub max_streams_per_user: u32,
    /// Browser origins allowed to read the API (CORS) and to use the cookie, e.g.
    /// https://app.example.com (scheme, host, optional port; no path); repeat the flag or
    /// separate with commas (spaces around them are ignored). '*': any page may read with a
    /// bearer token, none with the cookie. Off by default.
    #[arg(
        long,
        env = "NOTIF_CORS_ORIGIN",
        value_delimiter = ',',
        value_parser = parse_origin,
        value_name = "ORIGIN"
    )]
    pub cors_origin: Vec<String>,
    /// When set, GET /metrics needs `Authorization: Bearer <this value>` (else 401); without
    /// it /metrics is public, like /healthz. Never printed.
    #[arg(
        long,
        env = "NOTIF_METRICS_TOKEN",
        hide_env_values = true,
        value_name = "SECRET"
    )]
    pub metrics_token: Option<String>,
    /// Read notifications older than this are deleted (e.g. 90d, 1y).
    #[arg(long, env = "NOTIF_RETENTION", default_value = "365d", value_parser = parse_duration, value_name = "DURATION")]
    pub retention: Duration,
    /// Notifications kept per user at most; beyond it the oldest go, read ones first.
    #[arg(long, env = "NOTIF_MAX_PER_USER", default_value_t = 200_000, value_parser = clap::value_parser!(u64).range(1..), value_name = "N")]
    pub max_per_user: u64,
    /// The longest a request (other than a stream) may take before it is answered 503.
    #[arg(long, env = "NOTIF_REQUEST_TIMEOUT", default_value = "30s", value_parser = parse_duration, value_name = "DURATION")]
    pub request_timeout: Duration,
    /// A client must send a request's headers within this time (slow-loris), also after an
    /// idle keep-alive pause.
    #[arg(long, env = "NOTIF_HEADER_TIMEOUT", default_value = "10s", value_parser = parse_duration, value_name = "DURATION")]
    pub header_timeout: Duration,
    /// Connections open at once at most (lowered to fit under the open-files limit). Past
    /// it, the oldest connection that has not sent a request yet is closed to make room, or
    /// the new one if every open connection is busy.
    #[arg(long, env = "NOTIF_MAX_CONNECTIONS", default_value_t = 20_000, value_parser = clap::value_parser!(u32).range(1..), value_name = "N")]
    pub max_connections: u32,
    /// Bytes a stream may have queued before it counts as too slow and is closed.
    #[arg(long, env = "NOTIF_STREAM_BUFFER_BYTES", default_value_t = 1_048_576, value_parser = clap::value_parser!(u32).range(65_536..), value_name = "BYTES")]
    pub stream_buffer_bytes: u32,
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
    /// Change a user's email address (the address of the email channel).
    ///
    /// Example: notif-server user set alice --email alice@example.com
    Set {
        name: String,
        /// The new address.
        #[arg(long, required = true)]
        email: String,
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
    #[command(group(clap::ArgGroup::new("scope").required(true).args(["user", "service"])))]
    Add {
        /// A user token acting as this user.
        #[arg(long, value_name = "NAME")]
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

/// One `--cors-origin`: `*`, or an origin (`https://app.example.com`, a trailing `/` allowed)
/// in the form browsers send it; surrounding spaces are ignored, anything else is refused.
fn parse_origin(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    if raw == "*" {
        return Ok(raw.to_owned());
    }
    let refuse = || format!("{raw:?} is not an origin like https://app.example.com");
    let url = url::Url::parse(raw).map_err(|_| refuse())?;
    let bare = url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none()
        && url.username().is_empty()
        && url.password().is_none();
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() || !bare {
        return Err(refuse());
    }
    Ok(url.origin().ascii_serialization())
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

    #[test]
    fn cors_origins_are_trimmed_and_checked() {
        let parsed = Cli::try_parse_from([
            "notif-server",
            "serve",
            "--cors-origin",
            "https://a.example, https://b.example:8443/",
            "--cors-origin",
            " * ",
        ])
        .unwrap();
        let Command::Serve(serve) = parsed.command else {
            panic!("serve")
        };
        assert_eq!(
            serve.limits.cors_origin,
            ["https://a.example", "https://b.example:8443", "*"]
        );
        for bad in ["app.example", "https://a.example/x", "ftp://a.example", ""] {
            assert!(parse_origin(bad).is_err(), "{bad:?}");
        }
    }
}
