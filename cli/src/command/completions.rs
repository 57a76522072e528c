//! `notif completions SHELL`: print a completion script. The scripts are also committed
//! under `completions/`; a test fails when they are out of step with the CLI
//! (regenerate with `NOTIF_UPDATE_COMPLETIONS=1 cargo test -p notif completions`).

use clap::CommandFactory;
use clap_complete::Shell;

use super::Context;
use crate::cli::Cli;

/// Each shell and the file its script is committed as, under `completions/`.
pub const FILES: [(Shell, &str); 5] = [
    (Shell::Bash, "notif.bash"),
    (Shell::Zsh, "_notif"),
    (Shell::Fish, "notif.fish"),
    (Shell::Elvish, "notif.elv"),
    (Shell::PowerShell, "_notif.ps1"),
];

/// Print a shell completion script.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  notif completions bash > ~/.local/share/bash-completion/completions/notif
  notif completions zsh > ~/.zfunc/_notif
  notif completions fish > ~/.config/fish/completions/notif.fish")]
pub struct Args {
    /// The shell
    #[arg(value_name = "SHELL")]
    pub shell: Shell,
}

impl Args {
    /// Prints the script.
    pub fn run(self, ctx: &Context) -> anyhow::Result<()> {
        let script = String::from_utf8_lossy(&script(self.shell)).into_owned();
        Ok(ctx.out.text(&script)?)
    }
}

/// The completion script of `notif` for `shell`.
pub fn script(shell: Shell) -> Vec<u8> {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "notif", &mut buf);
    buf
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// Fails when a committed script differs from what the CLI generates; with
    /// `NOTIF_UPDATE_COMPLETIONS=1`, rewrites the files instead.
    #[test]
    fn committed_completions_are_up_to_date() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../completions");
        let update = std::env::var_os("NOTIF_UPDATE_COMPLETIONS").is_some_and(|v| v == "1");
        let mut stale = Vec::new();
        for (shell, file) in FILES {
            let path = dir.join(file);
            let fresh = script(shell);
            if update {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, &fresh).unwrap();
            } else if std::fs::read(&path).ok().as_deref() != Some(&fresh[..]) {
                stale.push(file);
            }
        }
        assert!(
            stale.is_empty(),
            "completions/{} out of step with the CLI; regenerate with \
             `NOTIF_UPDATE_COMPLETIONS=1 cargo test -p notif completions`",
            stale.join(", completions/")
        );
    }
}
