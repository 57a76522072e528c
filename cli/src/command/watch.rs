//! `notif watch`: follow the live stream, print each new notification and optionally
//! run a command for it. Reconnects with back-off and `Last-Event-ID` (through
//! [`Subscription`]), so nothing is printed twice.

use std::process::Stdio;

use super::Context;
use crate::api::{Notification, StreamEvent, StreamUpdate, Subscription};
use crate::output;

/// Follow new notifications as they arrive.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  notif watch
  notif watch --json | jq -r .title
  notif watch --exec 'notify-send \"$NOTIF_TITLE\" \"$NOTIF_BODY\"'

--exec runs CMD with `sh -c` for each notification, one at a time, with
NOTIF_ID, NOTIF_TITLE, NOTIF_TYPE, NOTIF_BODY, NOTIF_LINK, NOTIF_CATEGORY and
NOTIF_CREATED_AT in its environment (empty when absent). Stops on Ctrl-C.")]
pub struct Args {
    /// Run CMD for each notification (see below)
    #[arg(long, value_name = "CMD")]
    pub exec: Option<String>,
    /// Replay the notifications after this stream sequence number first
    #[arg(long, value_name = "SEQ")]
    pub last_event_id: Option<u64>,
}

impl Args {
    /// Follows the stream until Ctrl-C or an error reconnecting cannot fix.
    pub async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        let mut subscription = Subscription::new(ctx.client()?, self.last_event_id);
        // One listener for the whole run, so that a Ctrl-C that arrives while an
        // `--exec` command runs is not lost (a listener only hears signals sent after
        // it was made).
        let mut interrupted = std::pin::pin!(tokio::signal::ctrl_c());
        let mut lost = false;
        let mut told_interval = false;
        loop {
            let update = tokio::select! {
                biased;
                _ = &mut interrupted => return Ok(()),
                update = subscription.next() => update?,
            };
            match update {
                StreamUpdate::Connected if lost => {
                    eprintln!("notif: reconnected");
                    lost = false;
                }
                StreamUpdate::Connected if ctx.verbose => eprintln!("notif: connected"),
                StreamUpdate::Connected => {}
                StreamUpdate::Event(StreamEvent::Unread { unread_count }) if ctx.verbose => {
                    eprintln!("notif: {unread_count} unread");
                }
                StreamUpdate::Event(StreamEvent::Notification { notification, .. }) => {
                    tokio::select! {
                        biased;
                        _ = &mut interrupted => return Ok(()),
                        shown = self.show(ctx, &notification) => {
                            if shown? == Exec::Interrupted {
                                return Ok(());
                            }
                        }
                    }
                }
                StreamUpdate::Event(StreamEvent::Ping) if ctx.verbose && !told_interval => {
                    if let Some(interval) = subscription.ping_interval() {
                        eprintln!(
                            "notif: the server pings every {:.1}s",
                            interval.as_secs_f32()
                        );
                        told_interval = true;
                    }
                }
                StreamUpdate::Event(_) => {}
                StreamUpdate::Disconnected { error, retry_in } => {
                    eprintln!(
                        "notif: stream lost ({error}); reconnecting in {:.1}s",
                        retry_in.as_secs_f32()
                    );
                    lost = true;
                }
            }
        }
    }

    /// Prints one notification and runs `--exec` for it.
    async fn show(&self, ctx: &Context, n: &Notification) -> anyhow::Result<Exec> {
        if ctx.out.json {
            ctx.out.json(n, true)?;
        } else {
            ctx.out
                .text(&format!("{}\n", output::watch_line(n, ctx.out.style)))?;
        }
        match &self.exec {
            Some(cmd) => Ok(run_exec(cmd, n).await),
            None => Ok(Exec::Done),
        }
    }
}

/// The environment `--exec` commands get.
fn exec_env(n: &Notification) -> [(&'static str, String); 7] {
    let or_empty = |v: &Option<String>| v.clone().unwrap_or_default();
    [
        ("NOTIF_ID", n.id.clone()),
        ("NOTIF_TITLE", n.title.clone()),
        ("NOTIF_TYPE", n.kind.to_string()),
        ("NOTIF_BODY", or_empty(&n.body)),
        ("NOTIF_LINK", or_empty(&n.link)),
        ("NOTIF_CATEGORY", or_empty(&n.category)),
        (
            "NOTIF_CREATED_AT",
            n.created_at
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        ),
    ]
}

/// How an `--exec` command ended, as far as the watch cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exec {
    /// It ran (successfully or not): go on watching.
    Done,
    /// It died of SIGINT, that is Ctrl-C in the terminal: stop, as a shell does.
    Interrupted,
}

/// Runs `cmd` through the shell for `n` and waits for it; failures are reported on
/// stderr and do not stop the watch, an interrupted command does.
async fn run_exec(cmd: &str, n: &Notification) -> Exec {
    let mut command = if cfg!(windows) {
        let mut c = tokio::process::Command::new("cmd");
        c.arg("/C").arg(cmd);
        c
    } else {
        let mut c = tokio::process::Command::new("sh");
        c.arg("-c").arg(cmd);
        c
    };
    command.envs(exec_env(n)).stdin(Stdio::null());
    match command.status().await {
        Ok(status) if status.success() => {}
        Ok(status) if killed_by_sigint(&status) => return Exec::Interrupted,
        Ok(status) => eprintln!("notif: --exec command failed ({status}) for {}", n.id),
        Err(e) => eprintln!("notif: cannot run --exec command: {e}"),
    }
    Exec::Done
}

/// Whether the process was killed by SIGINT (2).
fn killed_by_sigint(status: &std::process::ExitStatus) -> bool {
    #[cfg(unix)]
    {
        std::os::unix::process::ExitStatusExt::signal(status) == Some(2)
    }
    #[cfg(not(unix))]
    {
        let _ = status;
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::NotificationType;

    #[test]
    fn exec_env_has_every_field_and_empties() {
        let n = Notification {
            id: "abc".into(),
            user_id: "alice".into(),
            kind: NotificationType::Warning,
            title: "Disk".into(),
            body: Some("90%".into()),
            link: None,
            category: None,
            read_at: None,
            created_at: chrono::DateTime::UNIX_EPOCH,
        };
        let env = exec_env(&n);
        assert_eq!(env[0], ("NOTIF_ID", "abc".to_owned()));
        assert_eq!(env[2], ("NOTIF_TYPE", "WARNING".to_owned()));
        assert_eq!(env[3], ("NOTIF_BODY", "90%".to_owned()));
        assert_eq!(env[4], ("NOTIF_LINK", String::new()));
        assert_eq!(env[6].1, "1970-01-01T00:00:00.000Z");
    }
}
