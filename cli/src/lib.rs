//! `notif`: the command-line client of notif-server.
//!
//! The library holds everything the `notif` binary does, so that tests can call it:
//! - [`api`]: the typed async HTTP client (also used by the TUI and the end-to-end tests);
//! - [`cli`]: the command line, with one module per sub-command under [`command`];
//! - [`config`]: flag > environment > config file > default;
//! - [`output`]: tables and lines for people; [`time`]: relative times;
//!   [`error`]: exit statuses;
//! - [`tui`]: the live terminal inbox of `notif tui`.
//!
//! [`run`] is the whole program: parse, run, print `error: …`, return the exit status.

pub mod api;
pub mod cli;
pub mod command;
pub mod config;
pub mod deadline;
pub mod error;
pub mod ids;
pub mod output;
pub mod time;
pub mod tui;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;

use crate::cli::Cli;
use crate::command::Context;
use crate::config::Overrides;
use crate::output::{Out, Style};

/// Runs `notif` with `args` (including the program name) and returns its exit status.
pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            // Help and version go to stdout with status 0; usage errors to stderr with 2.
            let _ = err.print();
            return ExitCode::from(u8::try_from(err.exit_code()).unwrap_or(2));
        }
    };
    match execute(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let code = error::exit_code(&err);
            if code != api::EXIT_OK {
                eprintln!("error: {}", error::one_line(&err));
            }
            ExitCode::from(code)
        }
    }
}

/// Resolves the configuration, then runs the command on a tokio runtime.
fn execute(cli: Cli) -> anyhow::Result<()> {
    let env = |name: &str| std::env::var(name).ok();
    let flags = Overrides {
        server: cli.global.server.clone(),
        token: cli.global.token.clone(),
        config: cli.global.config.clone(),
    };
    let location = config::config_path(cli.global.config.as_deref(), &env);
    let file = match &location {
        // Nothing to read when flags and environment say everything, or for completions.
        _ if !config::needs_file(&flags, &env) => config::ConfigFile::default(),
        _ if matches!(cli.command, cli::Command::Completions(_)) => config::ConfigFile::default(),
        // `notif login` creates the file it is told to write.
        Some((p, _)) if matches!(cli.command, cli::Command::Login(_)) => {
            config::load(p, config::Missing::IsEmpty)?
        }
        Some((p, missing)) => config::load(p, *missing)?,
        None => config::ConfigFile::default(),
    };
    let path = location.map(|(p, _)| p);
    let settings = config::resolve(&flags, &env, &file, path);
    if cli.global.verbose {
        eprintln!(
            "notif: server {} (from {})",
            settings.server, settings.server_source
        );
        match &settings.token {
            Some(_) => eprintln!("notif: token from {}", settings.token_source),
            None => eprintln!("notif: no token"),
        }
    }
    let ctx = Context {
        settings,
        out: Out {
            style: Style::detect(),
            json: cli.global.json,
        },
        verbose: cli.global.verbose,
        timeout: cli.global.timeout,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        match &cli.command {
            // Long-running, or bounding only their requests (not stdin) themselves.
            cli::Command::Watch(_)
            | cli::Command::Tui(_)
            | cli::Command::Completions(_)
            | cli::Command::Send(_)
            | cli::Command::Login(_) => cli.command.run(&ctx).await,
            _ => {
                let server = ctx.settings.server.clone();
                deadline::within(ctx.timeout, &server, cli.command.run(&ctx)).await
            }
        }
    })
}
