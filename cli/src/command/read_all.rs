//! `notif read-all`: mark the whole inbox read.

use super::Context;

/// Mark every notification read.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  notif read-all
  notif read-all --json     # {\"updated\": 7, \"unreadCount\": 0}")]
pub struct Args {}

impl Args {
    /// Marks everything read and says how many changed.
    pub async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        let result = ctx.client()?.read_all().await?;
        if ctx.out.json {
            return Ok(ctx.out.json(&result, false)?);
        }
        let plural = if result.updated == 1 { "" } else { "s" };
        Ok(ctx.out.text(&format!(
            "Marked {} notification{plural} read.\n",
            result.updated
        ))?)
    }
}
