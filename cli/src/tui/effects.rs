//! Runs the [`Effect`]s that [`App::handle`](super::app::App::handle) asks for, each in
//! its own task, and sends the outcome back to the event loop as a [`Msg`]: nothing
//! here ever blocks drawing.

use std::future::Future;
use std::time::Duration;

use tokio::process::Command;
use tokio::sync::mpsc::UnboundedSender;

use super::app::{Effect, Failure, Msg, Outcome, PAGE_SIZE, Snapshot};
use super::toast::Toaster;
use crate::api::{ApiError, Client, ListQuery, MAX_PAGE};

/// How long the browser launcher may take before it counts as started.
const OPENER_WAIT: Duration = Duration::from_secs(5);

/// Runs effects against one server.
pub struct Runner {
    client: Client,
    tx: UnboundedSender<Msg>,
    /// `None` with `--no-toast`.
    toaster: Option<Toaster>,
}

impl Runner {
    /// A runner sending its results to `tx`.
    pub fn new(client: Client, tx: UnboundedSender<Msg>, toaster: Option<Toaster>) -> Self {
        Self {
            client,
            tx,
            toaster,
        }
    }

    /// Starts one effect; returns at once.
    pub fn run(&self, effect: Effect) {
        match effect {
            Effect::Toast(toast) => {
                if let Some(toaster) = &self.toaster {
                    toaster.show(toast);
                }
            }
            Effect::LoadMe => self.spawn(|c| async move {
                let me = c.me().await.map_err(|e| message(&e));
                Msg::Me(me.map(|me| me.user_id.unwrap_or_else(|| "(service token)".into())))
            }),
            Effect::Sync { generation, want } => self.spawn(move |c| async move {
                let result = snapshot(&c, want).await.map_err(|e| message(&e));
                Msg::Synced { generation, result }
            }),
            Effect::LoadPage { generation, cursor } => self.spawn(move |c| async move {
                let query = ListQuery {
                    limit: Some(PAGE_SIZE),
                    cursor: Some(cursor),
                    ..ListQuery::default()
                };
                let result = c.list(&query).await.map_err(|e| message(&e));
                Msg::PageLoaded { generation, result }
            }),
            Effect::Search(query) => self.spawn(move |c| async move {
                let list = ListQuery {
                    limit: Some(MAX_PAGE),
                    search: Some(query.clone()),
                    ..ListQuery::default()
                };
                let result = c
                    .list(&list)
                    .await
                    .map(|page| page.notifications)
                    .map_err(|e| message(&e));
                Msg::Searched { query, result }
            }),
            Effect::MarkRead(id) => self.action("mark read", id, |c, id| async move {
                c.mark_read(&id).await.map(Outcome::Updated)
            }),
            Effect::MarkUnread(id) => self.action("mark unread", id, |c, id| async move {
                c.mark_unread(&id).await.map(Outcome::Updated)
            }),
            Effect::Delete(id) => self.action("delete", id, |c, id| async move {
                c.delete(&id).await.map(|()| Outcome::Deleted(id))
            }),
            Effect::ReadAll => self.spawn(|c| async move {
                Msg::Done(
                    c.read_all()
                        .await
                        .map(Outcome::ReadAll)
                        .map_err(|e| failure("read all", None, &e)),
                )
            }),
            Effect::OpenLink(link) => {
                self.spawn(|_| async move { Msg::Done(open_link(link).await) })
            }
        }
    }

    /// Runs `work` with a client in a task and sends its message.
    fn spawn<F, Fut>(&self, work: F)
    where
        F: FnOnce(Client) -> Fut,
        Fut: Future<Output = Msg> + Send + 'static,
    {
        let tx = self.tx.clone();
        let fut = work(self.client.clone());
        tokio::spawn(async move {
            // The loop is gone only when the TUI is quitting.
            let _ = tx.send(fut.await);
        });
    }

    /// Runs an action on one notification, turning its error into a [`Failure`].
    fn action<F, Fut>(&self, what: &'static str, id: String, work: F)
    where
        F: FnOnce(Client, String) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Outcome, ApiError>> + Send + 'static,
    {
        self.spawn(move |c| async move {
            let result = work(c, id.clone()).await;
            Msg::Done(result.map_err(|e| failure(what, Some(id), &e)))
        });
    }
}

/// The head of the list: pages until at least `want` notifications or the end.
async fn snapshot(client: &Client, want: usize) -> Result<Snapshot, ApiError> {
    let mut query = ListQuery {
        limit: Some(MAX_PAGE),
        ..ListQuery::default()
    };
    let first = client.list(&query).await?;
    let unread_count = first.unread_count;
    let mut notifications = first.notifications;
    let mut next_cursor = first.next_cursor;
    while notifications.len() < want {
        let Some(cursor) = next_cursor.take() else {
            break;
        };
        query.cursor = Some(cursor);
        let page = client.list(&query).await?;
        notifications.extend(page.notifications);
        next_cursor = page.next_cursor;
    }
    Ok(Snapshot {
        notifications,
        next_cursor,
        unread_count,
    })
}

/// What the footer says about an error: the server's own sentence when it sent one.
fn message(err: &ApiError) -> String {
    match err {
        ApiError::Http { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

/// A [`Failure`] from an API error.
fn failure(action: &'static str, id: Option<String>, err: &ApiError) -> Failure {
    Failure {
        action,
        id,
        message: message(err),
        not_found: err.status() == Some(404),
    }
}

/// Hands `link` to `$BROWSER` or the system's opener (`xdg-open`, `open`, `start`).
async fn open_link(link: String) -> Result<Outcome, Failure> {
    let fail = |message: String| Failure {
        action: "open link",
        id: None,
        message,
        not_found: false,
    };
    let (program, args) = opener(&link);
    let mut child = Command::new(&program)
        .args(&args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| fail(format!("cannot run {program}: {e}")))?;
    match tokio::time::timeout(OPENER_WAIT, child.wait()).await {
        Ok(Ok(status)) if !status.success() => Err(fail(format!("{program} exited with {status}"))),
        Ok(Err(e)) => Err(fail(format!("{program}: {e}"))),
        // Exited fine, or still running (a browser started in the foreground).
        Ok(Ok(_)) | Err(_) => Ok(Outcome::Opened(link)),
    }
}

/// The command that opens a link: `$BROWSER` (first entry, `%s` replaced or the link
/// appended), else the platform's opener.
fn opener(link: &str) -> (String, Vec<String>) {
    let browser = std::env::var("BROWSER").unwrap_or_default();
    let mut words = browser
        .split(':')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .map(str::to_owned);
    if let Some(program) = words.next() {
        let mut args: Vec<String> = words.collect();
        if args.iter().any(|a| a.contains("%s")) {
            args = args.into_iter().map(|a| a.replace("%s", link)).collect();
        } else {
            args.push(link.to_owned());
        }
        return (program, args);
    }
    if cfg!(target_os = "macos") {
        ("open".into(), vec![link.into()])
    } else if cfg!(windows) {
        (
            "cmd".into(),
            vec!["/C".into(), "start".into(), String::new(), link.into()],
        )
    } else {
        ("xdg-open".into(), vec![link.into()])
    }
}
