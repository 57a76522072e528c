//! `notif tui`: the live terminal inbox (see [`crate::tui`]).

use super::Context;
use crate::tui;

/// Live terminal inbox: new notifications appear at once, with desktop toasts.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  notif tui
  notif tui --no-toast

Keys: j/k or arrows move, g/G first/last, PgUp/PgDn page, Enter or o opens the
link (and marks read), r toggles read, A marks all read, d deletes (y/n),
u shows only unread, / filters by text, ? shows help, q or Ctrl-C quits.")]
pub struct Args {
    /// Do not raise desktop toasts for new notifications
    #[arg(long)]
    pub no_toast: bool,
}

impl Args {
    /// Runs the TUI until `q` or Ctrl-C.
    pub async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        let options = tui::Options {
            toasts: !self.no_toast,
        };
        tui::run(ctx.client()?, options).await
    }
}
