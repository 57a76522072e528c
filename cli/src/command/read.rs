//! `notif read`: mark notifications read, by id or unique prefix.

use super::Context;
use crate::ids;

/// Mark notifications read.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  notif read tz4a98
  notif list --unread --json | jq -r '.[].id' | xargs notif read

IDs may be unique prefixes of at least 6 characters.")]
pub struct Args {
    /// Notification ids or unique prefixes (at least 6 characters)
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<String>,
}

impl Args {
    /// Marks each notification read and prints it.
    pub async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        let client = ctx.client()?;
        let mut done = Vec::new();
        for id in ids::resolve(&client, &self.ids).await? {
            done.push(client.mark_read(&id).await?);
        }
        super::list::print(ctx, &done, None)
    }
}
