//! `notif web`: open the web inbox in the browser, already signed in. Asks the server for a
//! one-time login link (`POST /api/session/links`, valid 5 minutes, used once) and hands it
//! to the browser; the code rides in the URL's fragment, so it never reaches a server log.

use std::process::{Command, Stdio};

use super::Context;

/// Open the web inbox in your browser, signed in.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  notif web              # opens the inbox in $BROWSER, else xdg-open / open
  notif web --print      # only prints the one-time sign-in URL (valid 5 minutes)

The link signs the browser in with a new session (a token labelled \"web session\",
listed by `notif-server token list`); logging out in the page revokes it.")]
pub struct Args {
    /// Print the sign-in URL instead of opening a browser.
    #[arg(long)]
    print: bool,
}

impl Args {
    /// Asks for a login link and opens or prints it.
    pub async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        let link = ctx.client()?.login_link().await?;
        if ctx.out.json {
            return Ok(ctx.out.json(&link, false)?);
        }
        if self.print {
            return Ok(ctx.out.text(&format!("{}\n", link.url))?);
        }
        let browser = std::env::var("BROWSER").ok();
        for command in browser_commands(browser.as_deref(), std::env::consts::OS) {
            if launch(&command, &link.url) {
                return Ok(ctx
                    .out
                    .text(&format!("Opened the inbox in {}.\n", command[0]))?);
            }
        }
        Ok(ctx.out.text(&format!(
            "Could not start a browser; open this URL within 5 minutes:\n{}\n",
            link.url
        ))?)
    }
}

/// The commands to try, in order, to open a URL: each of `$BROWSER`'s colon-separated
/// commands (a `%s` in one stands for the URL), then the platform's opener.
fn browser_commands(browser: Option<&str>, os: &str) -> Vec<Vec<String>> {
    let mut commands: Vec<Vec<String>> = browser
        .unwrap_or_default()
        .split(':')
        .filter(|c| !c.trim().is_empty())
        .map(|c| c.split_whitespace().map(str::to_owned).collect())
        .collect();
    commands.push(vec![
        match os {
            "macos" => "open",
            "windows" => "explorer",
            _ => "xdg-open",
        }
        .to_owned(),
    ]);
    commands
}

/// Starts `command` with `url` (in place of `%s`, else as the last argument), without
/// waiting for the browser to close; whether it could be started.
fn launch(command: &[String], url: &str) -> bool {
    let Some((program, args)) = command.split_first() else {
        return false;
    };
    let mut args: Vec<String> = args.iter().map(|a| a.replace("%s", url)).collect();
    if !command.iter().any(|a| a.contains("%s")) {
        args.push(url.to_owned());
    }
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browser_comes_first_then_the_platform_opener() {
        assert_eq!(browser_commands(None, "linux"), vec![vec!["xdg-open"]]);
        assert_eq!(browser_commands(Some(""), "macos"), vec![vec!["open"]]);
        assert_eq!(
            browser_commands(Some("firefox --new-tab:w3m %s"), "linux"),
            vec![
                vec!["firefox", "--new-tab"],
                vec!["w3m", "%s"],
                vec!["xdg-open"]
            ]
        );
    }

    #[test]
    fn a_missing_program_is_not_started() {
        assert!(!launch(&["/nonexistent/browser".to_owned()], "http://x"));
        assert!(!launch(&[], "http://x"));
    }
}
