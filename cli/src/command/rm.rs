//! `notif rm`: delete notifications, by id or unique prefix.

use serde::Serialize;

use super::Context;
use crate::ids;

/// Delete notifications.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  notif rm tz4a98
  notif list --json | jq -r '.[] | select(.readAt != null) | .id' | xargs notif rm

IDs may be unique prefixes of at least 6 characters. Prints each deleted id
(with --json: {\"deleted\": [ids]}).")]
pub struct Args {
    /// Notification ids or unique prefixes (at least 6 characters)
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<String>,
}

/// `--json` output of `notif rm`.
#[derive(Debug, Serialize)]
struct Deleted {
    deleted: Vec<String>,
}

impl Args {
    /// Deletes each notification and prints its id. When a deletion fails, the ones
    /// already deleted are still printed before the error.
    pub async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        let client = ctx.client()?;
        let ids = ids::resolve(&client, &self.ids).await?;
        let mut deleted = Vec::new();
        let mut failure = None;
        for id in ids {
            match client.delete(&id).await {
                Ok(()) => deleted.push(id),
                Err(e) => {
                    failure = Some(anyhow::Error::from(e).context(format!("cannot delete {id}")));
                    break;
                }
            }
        }
        if ctx.out.json {
            ctx.out.json(&Deleted { deleted }, false)?;
        } else {
            let text: String = deleted.iter().map(|id| format!("{id}\n")).collect();
            ctx.out.text(&text)?;
        }
        failure.map_or(Ok(()), Err)
    }
}
