//! apprise, the notification library many tools are built on (PyPI; installed by
//! `.ci/install-test-deps`), sending to notif with nothing but its `gotify://` and `ntfy://`
//! URLs and a notif token. What apprise 2.3 sends: Gotify JSON with `X-Gotify-Key`; ntfy
//! JSON to `/` with priority, tags and click only as `X-Priority`/`X-Tags`/`X-Click`, the
//! token as a bearer token (`?token=`) or Basic (`user:password@`).

use serde_json::Value;

use super::senders::apprise;
use super::{Setup, assert_backup_failed, assert_fields};
use crate::support::sse::SseStream;

impl Setup {
    /// `HOST:PORT` of the server, as apprise URLs take it.
    fn host(&self) -> String {
        self.server.addr().to_string()
    }
}

/// Sends "Deploy finished" / "web-1 is on v2.3.1" through apprise to `url` and checks the
/// notification `stream` gets: info, that title and body, no link, `category`. Returns it.
async fn deploy_finished_through(
    url: &str,
    stream: &mut SseStream,
    category: Option<&str>,
) -> Value {
    apprise(url, "Deploy finished", "web-1 is on v2.3.1").await;
    let (_, streamed) = stream.expect_notification().await;
    assert_fields(
        &streamed,
        "INFO",
        "Deploy finished",
        Some("web-1 is on v2.3.1"),
        None,
        category,
    );
    streamed
}

#[tokio::test]
async fn apprise_gotify_urls() {
    let setup = Setup::start();
    let (mut stream, _) = setup.server.subscribed_stream(&setup.alice).await;
    let url = format!("gotify://{}/{}", setup.host(), setup.alice);
    let streamed = deploy_finished_through(&url, &mut stream, None).await;
    assert_eq!(streamed, setup.newest(&setup.alice).await);
    // apprise's "high" is Gotify priority 8; with no title its first line is the title.
    apprise(
        &format!("{url}?priority=high"),
        "",
        "Disk almost full\n/var is at 91%",
    )
    .await;
    let n = setup.newest(&setup.alice).await;
    assert_fields(
        &n,
        "WARNING",
        "Disk almost full",
        Some("Disk almost full\n/var is at 91%"),
        None,
        None,
    );
}

#[tokio::test]
async fn apprise_ntfy_urls_with_a_user_token_and_a_service_token() {
    let setup = Setup::start();
    let host = setup.host();
    let (mut stream, _) = setup.server.subscribed_stream(&setup.alice).await;
    // A user token as `?token=` (apprise sends it as a bearer token).
    let url = format!("ntfy://{host}/Deploys?token={}", setup.alice);
    deploy_finished_through(&url, &mut stream, Some("deploys")).await;
    // The user's own name and token as `user:password@` (Basic).
    let url = format!("ntfy://alice:{}@{host}/backups?tags=tada", setup.alice);
    apprise(&url, "Backup done", "3.2 GB").await;
    assert_eq!(stream.expect_notification().await.1["type"], "SUCCESS");
    // A service token reaches bob, named as the Basic user; priority, tags, click as headers.
    let url = format!(
        "ntfy://bob:{}@{host}/backups?priority=max&tags=warning,skull&click=https://x.example/1",
        setup.service
    );
    apprise(&url, "Backup failed", "disk full").await;
    let n = setup.newest(&setup.bob).await;
    assert_backup_failed(&n);
    assert_eq!(
        setup.count(&setup.alice).await,
        2,
        "alice got only her own two"
    );
}
