//! The command line: [`Cli`] (global options) and [`Command`] (one variant per
//! sub-command, each implemented in its own file under `command/`).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::api::NotificationType;
use crate::command::{
    Context, completions, list, login, prefs, read, read_all, rm, send, tui, unread, watch, web,
};

/// Top-level help, shown above the list of commands.
const ABOUT: &str = "Send, read and follow notifications on a notif server.";

/// Shown after the options of `notif --help`.
const AFTER_HELP: &str = "\
Configuration: --server/--token, else NOTIF_SERVER/NOTIF_TOKEN, else the config file
written by `notif login` (~/.config/notif/config.toml; --config PATH or NOTIF_CONFIG
to use another), else http://127.0.0.1:8787.

Exit status: 0 success, 1 other error, 2 usage error, 3 authentication or permission
refused, 4 not found, 5 server unreachable, failing or not answering within --timeout
(default 10s, e.g. --timeout 30s).

Examples:
  notif login --server http://127.0.0.1:8787 --token <TOKEN>
  notif send \"Deploy finished\" --type success --link https://ci.example.com/runs/42
  notif list --unread
  notif read tz4a98";

/// `notif`: the command line of notif-server.
#[derive(Debug, Parser)]
#[command(name = "notif", version, about = ABOUT, after_help = AFTER_HELP)]
#[command(args_override_self = true)]
pub struct Cli {
    /// Global options, valid before or after the sub-command.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options that every sub-command accepts.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Server URL [env: NOTIF_SERVER] [default: http://127.0.0.1:8787]
    #[arg(long, global = true, value_name = "URL")]
    pub server: Option<String>,
    /// Token for the API [env: NOTIF_TOKEN]
    #[arg(long, global = true, value_name = "TOKEN")]
    pub token: Option<String>,
    /// Config file to read (and, for `login`, write) [env: NOTIF_CONFIG]
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Print data as JSON, for programs
    #[arg(long, global = true)]
    pub json: bool,
    /// Say on stderr where the server and token come from
    #[arg(long, short, global = true)]
    pub verbose: bool,
    /// Longest wait for the server, retries included (not for watch and tui)
    #[arg(long, global = true, value_name = "DURATION",
          default_value = crate::deadline::DEFAULT_TIMEOUT,
          value_parser = parse_timeout)]
    pub timeout: std::time::Duration,
}

/// A `--timeout`: a duration, and more than none (a zero wait could give up on a request
/// the server then carries out).
fn parse_timeout(text: &str) -> Result<std::time::Duration, String> {
    match humantime::parse_duration(text) {
        Ok(timeout) if timeout.is_zero() => Err("must be more than zero".to_owned()),
        Ok(timeout) => Ok(timeout),
        Err(err) => Err(format!("{err} (try 10s or 500ms)")),
    }
}

/// The sub-commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Send a notification
    Send(send::Args),
    /// List the inbox, unread first
    #[command(visible_alias = "ls")]
    List(list::Args),
    /// Mark notifications read
    Read(read::Args),
    /// Mark notifications unread
    Unread(unread::Args),
    /// Mark every notification read
    ReadAll(read_all::Args),
    /// Delete notifications
    Rm(rm::Args),
    /// Show or change delivery preferences
    Prefs(prefs::Args),
    /// Check a token and save it with the server URL in the config file
    Login(login::Args),
    /// Follow new notifications as they arrive
    Watch(watch::Args),
    /// Live terminal inbox with desktop toasts
    Tui(tui::Args),
    /// Open the web inbox in the browser, signed in
    Web(web::Args),
    /// Print a shell completion script
    Completions(completions::Args),
}

impl Command {
    /// Runs the sub-command.
    pub async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        match self {
            Command::Send(args) => args.run(ctx).await,
            Command::List(args) => args.run(ctx).await,
            Command::Read(args) => args.run(ctx).await,
            Command::Unread(args) => args.run(ctx).await,
            Command::ReadAll(args) => args.run(ctx).await,
            Command::Rm(args) => args.run(ctx).await,
            Command::Prefs(args) => args.run(ctx).await,
            Command::Login(args) => args.run(ctx).await,
            Command::Watch(args) => args.run(ctx).await,
            Command::Tui(args) => args.run(ctx).await,
            Command::Web(args) => args.run(ctx).await,
            Command::Completions(args) => args.run(ctx),
        }
    }
}

/// A notification type on the command line (lower case, as people type it). The
/// variants carry no doc comments so that help lists them on one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[allow(missing_docs)]
pub enum TypeArg {
    Info,
    Success,
    Warning,
    Error,
}

impl From<TypeArg> for NotificationType {
    fn from(t: TypeArg) -> Self {
        match t {
            TypeArg::Info => NotificationType::Info,
            TypeArg::Success => NotificationType::Success,
            TypeArg::Warning => NotificationType::Warning,
            TypeArg::Error => NotificationType::Error,
        }
    }
}

/// `on` or `off`, for preference flags (no variant docs, as for [`TypeArg`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[allow(missing_docs)]
pub enum Switch {
    On,
    Off,
}

impl From<Switch> for bool {
    fn from(s: Switch) -> bool {
        s == Switch::On
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("notif").chain(args.iter().copied()))
    }

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_options_go_before_or_after_the_command() {
        let cli = parse(&["--server", "http://a", "list", "--json", "--token", "t"]).unwrap();
        assert_eq!(cli.global.server.as_deref(), Some("http://a"));
        assert_eq!(cli.global.token.as_deref(), Some("t"));
        assert!(cli.global.json);
        assert!(matches!(cli.command, Command::List(_)));
    }

    #[test]
    fn send_parses_every_flag() {
        let cli = parse(&[
            "send",
            "Deploy",
            "--body",
            "-",
            "--type",
            "success",
            "--link",
            "https://x",
            "--category",
            "deploy",
            "--to",
            "bob",
            "--idempotency-key",
            "k1",
        ])
        .unwrap();
        let Command::Send(args) = cli.command else {
            panic!("not send")
        };
        assert_eq!(args.title, "Deploy");
        assert_eq!(args.body.as_deref(), Some("-"));
        assert_eq!(args.kind, Some(TypeArg::Success));
        assert_eq!(args.to.as_deref(), Some("bob"));
        assert_eq!(args.idempotency_key.as_deref(), Some("k1"));
    }

    #[test]
    fn usage_errors_exit_2() {
        for bad in [
            &["send"][..],
            &["send", "t", "--type", "fatal"],
            &["read"],
            &["list", "--limit", "0"],
            &["prefs", "set", "--email", "maybe"],
            &["completions", "tcsh"],
            &["frobnicate"],
            &["list", "--limit", "3", "--all"],
            &["send", "t", "--idempotency-key", ""],
            &["send", "t", "--link", "http://exa mple.com"],
        ] {
            let err = parse(bad).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{bad:?}");
        }
    }

    #[test]
    fn types_are_accepted_in_any_case() {
        for given in ["ERROR", "error", "Error"] {
            let cli = parse(&["list", "--type", given]).unwrap();
            let Command::List(args) = cli.command else {
                panic!("not list")
            };
            assert_eq!(args.kind, Some(TypeArg::Error));
        }
    }

    #[test]
    fn limit_errors_say_the_range() {
        let err = parse(&["list", "--limit", "0"]).unwrap_err().to_string();
        assert!(err.contains("from 1"), "{err}");
    }

    #[test]
    fn prefs_without_action_shows() {
        let cli = parse(&["prefs"]).unwrap();
        let Command::Prefs(args) = cli.command else {
            panic!("not prefs")
        };
        assert!(args.action.is_none());
        assert!(
            parse(&["prefs", "unset"]).is_err(),
            "unset needs --category"
        );
    }

    #[test]
    fn every_subcommand_help_has_an_example() {
        let cli = Cli::command();
        for sub in cli.get_subcommands() {
            let help = sub
                .get_after_help()
                .map(|h| h.to_string())
                .unwrap_or_default();
            assert!(
                help.contains("notif "),
                "`notif {}` has no example",
                sub.get_name()
            );
        }
    }
}
