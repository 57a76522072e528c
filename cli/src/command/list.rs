//! `notif list`: the inbox, unread first, as a table for people or JSON for programs.

use chrono::Utc;

use super::Context;
use crate::api::{ListQuery, MAX_PAGE, Notification};
use crate::cli::TypeArg;
use crate::output;

/// List notifications, unread first, newest first.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  notif list
  notif list --unread --type error
  notif list --search \"disk full\"
  notif list --all --json | jq -r '.[] | select(.category == \"deploy\") | .id'

On a terminal: a table (● marks unread). Otherwise: tab-separated rows
(id, unread|read, type, title, category, created-at).")]
pub struct Args {
    /// Only unread notifications
    #[arg(long, short)]
    pub unread: bool,
    /// Only this type, in any case
    #[arg(long = "type", short = 't', value_name = "TYPE", ignore_case = true)]
    pub kind: Option<TypeArg>,
    /// Only this category
    #[arg(long, short, value_name = "NAME")]
    pub category: Option<String>,
    /// Only notifications whose title, body or category contain every word of TEXT
    #[arg(long, short = 's', value_name = "TEXT", value_parser = parse_search)]
    pub search: Option<String>,
    /// Show at most N notifications (1 or more; fetched in pages of up to 200)
    #[arg(long, short = 'n', value_name = "N", default_value_t = 50, value_parser = parse_limit)]
    pub limit: u32,
    /// Show every notification (cannot be combined with --limit)
    #[arg(long, short, conflicts_with = "limit")]
    pub all: bool,
}

impl Args {
    /// Lists the inbox; see [`Args`].
    pub async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        let client = ctx.client()?;
        let wanted = if self.all {
            None
        } else {
            Some(self.limit as usize)
        };
        let mut query = ListQuery {
            limit: Some(page_size(wanted, 0)),
            cursor: None,
            unread: self.unread,
            kind: self.kind.map(Into::into),
            category: self.category.clone(),
            search: self.search.clone(),
        };
        let mut items: Vec<Notification> = Vec::new();
        let unread_count = loop {
            let page = client.list(&query).await?;
            items.extend(page.notifications);
            let full = wanted.is_some_and(|w| items.len() >= w);
            match page.next_cursor {
                Some(cursor) if !full => {
                    query.cursor = Some(cursor);
                    query.limit = Some(page_size(wanted, items.len()));
                }
                _ => break page.unread_count,
            }
        };
        if let Some(w) = wanted {
            items.truncate(w);
        }
        print(ctx, &items, Some(unread_count))
    }
}

/// `--search`: 1 to 200 characters after trimming, as the API accepts for `q`.
fn parse_search(text: &str) -> Result<String, String> {
    let text = text.trim();
    if (1..=200).contains(&text.chars().count()) {
        Ok(text.to_owned())
    } else {
        Err("must be 1 to 200 characters".to_owned())
    }
}

/// `--limit`: a whole number from 1.
fn parse_limit(text: &str) -> Result<u32, String> {
    match text.parse::<u32>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err("must be a whole number from 1 (pages of 1 to 200 are fetched as needed; --all for everything)".to_owned()),
    }
}

/// The page size to ask for, given how many are wanted and already fetched.
fn page_size(wanted: Option<usize>, have: usize) -> u32 {
    match wanted {
        Some(w) => u32::try_from(w.saturating_sub(have))
            .unwrap_or(MAX_PAGE)
            .clamp(1, MAX_PAGE),
        None => MAX_PAGE,
    }
}

/// Prints notifications as JSON, a table (terminal, with the unread count when known)
/// or tab-separated rows.
pub(crate) fn print(
    ctx: &Context,
    items: &[Notification],
    unread_count: Option<u64>,
) -> anyhow::Result<()> {
    let out = &ctx.out;
    if out.json {
        return Ok(out.json(&items, false)?);
    }
    if !out.style.tty {
        return Ok(out.text(&output::plain_rows(items))?);
    }
    if items.is_empty() {
        return Ok(out.text("No notifications.\n")?);
    }
    let mut text = output::table(items, Utc::now(), out.style, out.width());
    if let Some(count) = unread_count {
        text.push_str(&out.style.paint("2", &format!("{count} unread")));
        text.push('\n');
    }
    Ok(out.text(&text)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_sizes_stay_within_the_servers_range() {
        assert_eq!(page_size(Some(50), 0), 50);
        assert_eq!(page_size(Some(500), 0), 200);
        assert_eq!(page_size(Some(500), 400), 100);
        assert_eq!(page_size(None, 1000), 200);
    }
}
