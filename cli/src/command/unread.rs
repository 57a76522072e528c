//! `notif unread`: mark notifications unread, by id or unique prefix.

use super::Context;

/// Mark notifications unread.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  notif unread tz4a98
  notif unread tz4a98 9xk2mz

IDs may be unique prefixes of at least 6 characters.")]
pub struct Args {
    /// Notification ids or unique prefixes (at least 6 characters)
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<String>,
}

impl Args {
    /// Marks each notification unread and prints it.
    pub async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        super::read::mark(ctx, &self.ids, false).await
    }
}
