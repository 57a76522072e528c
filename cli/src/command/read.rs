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
        mark(ctx, &self.ids, true).await
    }
}

/// Marks the notifications `ids` (or unique prefixes) read or unread, then prints them.
pub(super) async fn mark(ctx: &Context, ids: &[String], read: bool) -> anyhow::Result<()> {
    let client = ctx.client()?;
    let mut done = Vec::new();
    for id in ids::resolve(&client, ids).await? {
        let notification = if read {
            client.mark_read(&id).await?
        } else {
            client.mark_unread(&id).await?
        };
        done.push(notification);
    }
    super::list::print(ctx, &done, None)
}
