//! A stream that cannot keep up (API.md: "A stream that cannot keep up (its buffer is full) is
//! closed by the server") must be closed, and must not delay delivery to the user's other
//! streams or the notifies themselves.
//!
//! The slow client is a raw TCP connection with a tiny receive buffer that sends its request
//! and never reads, so the server's socket and then its per-stream buffer fill up.

use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::time::{Instant, timeout, timeout_at};

use crate::support::TestServer;
use crate::support::http::id_of;
use crate::support::sse::NoFrame;

/// How many notifications the flood sends: enough large events to fill loopback socket
/// buffers plus any reasonable per-stream buffer.
const FLOOD: usize = 1200;
/// Concurrent notifiers in the flood.
const WORKERS: usize = 4;

/// Connects with a tiny receive buffer and requests the stream; never reads.
async fn stalled_stream(server: &TestServer, token: &str) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut tcp = socket.connect(server.addr()).await.unwrap();
    let request = format!(
        "GET /api/notifications/stream HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
         Accept: text/event-stream\r\n\r\n",
        server.addr()
    );
    tcp.write_all(request.as_bytes()).await.unwrap();
    tcp
}

/// Reads the stalled connection until the server ends the response (final chunk) or closes
/// it; returns how many `notification` events it carried. Panics if it stays open.
async fn drain_until_closed(mut tcp: TcpStream, within: Duration) -> usize {
    let deadline = Instant::now() + within;
    let mut received = Vec::new();
    let mut buf = vec![0; 64 * 1024];
    loop {
        match timeout_at(deadline, tcp.read(&mut buf)).await {
            Err(_) => panic!(
                "the stalled stream was still open {within:?} after the flood ({} bytes read)",
                received.len()
            ),
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => {
                received.extend_from_slice(&buf[..n]);
                if received.ends_with(b"\r\n0\r\n\r\n") {
                    break;
                }
            }
        }
    }
    let text = String::from_utf8_lossy(&received);
    text.matches("event: notification").count() + text.matches("event:notification").count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_stream_is_closed_without_delaying_another_stream() {
    let (server, [alice]) = TestServer::with_users(["alice"]).await;
    let stalled = stalled_stream(&server, &alice).await;
    let (mut healthy, _) = server.subscribed_stream(&alice).await;

    // The healthy stream is read concurrently for the whole flood.
    let reader = tokio::spawn(async move {
        let mut ids = Vec::with_capacity(FLOOD);
        let deadline = Instant::now() + Duration::from_secs(60);
        while ids.len() < FLOOD {
            match healthy.try_next_frame(deadline).await {
                Ok(frame) if frame.kind() == Some("notification") => {
                    ids.push((Instant::now(), id_of(&frame.json())));
                }
                Ok(_) => {}
                Err(NoFrame::Ended) => panic!(
                    "the healthy stream was closed after {} of {FLOOD} notifications",
                    ids.len()
                ),
                Err(NoFrame::TimedOut) => {
                    panic!(
                        "the healthy stream got {} of {FLOOD} notifications",
                        ids.len()
                    )
                }
            }
        }
        ids
    });

    let body = "x".repeat(10_000);
    let mut workers = tokio::task::JoinSet::new();
    for worker in 0..WORKERS {
        let client = server.client().clone();
        let url = format!("{}/api/internal/notify", server.url());
        let token = alice.clone();
        let body = body.clone();
        workers.spawn(async move {
            let mut acked = Vec::new();
            for i in (worker..FLOOD).step_by(WORKERS) {
                let send = client
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&json!({"title": format!("flood{i}"), "body": body}))
                    .send();
                let response = timeout(Duration::from_secs(10), send)
                    .await
                    .expect("a notify was held up by the stalled stream")
                    .unwrap();
                assert_eq!(response.status(), 201);
                let reply: Value = response.json().await.unwrap();
                acked.push((Instant::now(), id_of(&reply["notification"])));
            }
            acked
        });
    }
    let mut acked = Vec::new();
    while let Some(done) = workers.join_next().await {
        acked.extend(done.unwrap());
    }
    let last_ack = acked.iter().map(|(at, _)| *at).max().unwrap();

    let delivered = reader.await.unwrap();
    let last_delivery = delivered.iter().map(|(at, _)| *at).max().unwrap();
    assert!(
        last_delivery.saturating_duration_since(last_ack) < Duration::from_secs(5),
        "the healthy stream lagged {:?} behind the last notify",
        last_delivery.saturating_duration_since(last_ack)
    );
    let mut want: Vec<&String> = acked.iter().map(|(_, id)| id).collect();
    let mut got: Vec<&String> = delivered.iter().map(|(_, id)| id).collect();
    want.sort();
    got.sort();
    assert_eq!(got, want, "the healthy stream got every notification once");

    let on_stalled = drain_until_closed(stalled, Duration::from_secs(10)).await;
    assert!(
        on_stalled < FLOOD,
        "the stalled stream was not cut short: it carried all {on_stalled} notifications"
    );
}
