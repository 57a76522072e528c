//! The in-process harness itself: a server run by `notif_server::server::run_on` inside the
//! test answers the API and its streams like the binary, and stops when told, ending them.

use std::time::Duration;

use crate::support::http::id_of;
use crate::support::in_process::InProcess;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_in_process_server_serves_notify_and_streams_and_stops_when_told() {
    let server = InProcess::start(&[]).await;
    let alice = server.add_user("alice");
    let (mut stream, unread) = server.subscribed_stream(&alice).await;
    assert_eq!(unread, 0, "a new user has nothing unread");

    let sent = server.notify_title(&alice, "hello").await;
    let (_, received) = stream.expect_notification().await;
    assert_eq!(
        id_of(&received),
        id_of(&sent),
        "the stream carries what was sent"
    );
    assert_eq!(
        server.list(&alice, "").await["notifications"][0]["title"],
        "hello"
    );

    server.stop().await;
    stream.expect_end(Duration::from_secs(10)).await;
}
