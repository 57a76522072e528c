//! A stream that cannot keep up (API.md: "A stream that cannot keep up (its buffer is full) is
//! closed by the server") must be closed, and must not delay delivery to the user's other
//! streams or the notifies themselves.
//!
//! The slow client is a raw TCP connection with a tiny receive buffer that sends its request
//! and never reads, so the server's socket and then its per-stream buffer fill up.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout_at};

use crate::support::TestServer;
use crate::support::frames::parse_all;
use crate::support::http::id_of;
use crate::support::sse::NoFrame;

/// The per-stream buffer the server runs with (`--stream-buffer`), small so the flood
/// stays short.
const STREAM_BUFFER: &str = "8";
/// How many notifications the flood sends: enough large events to fill the loopback socket
/// buffers and then the stream buffer several times over.
const FLOOD: usize = 900;
/// Concurrent notifiers in the flood.
const WORKERS: usize = 4;

/// Reads the stalled connection until the server ends the response (final chunk) or closes
/// it; returns the SSE body it carried. Panics if it stays open.
async fn drain_until_closed(mut tcp: TcpStream, within: Duration) -> Vec<u8> {
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
    dechunk(&received)
}

/// The body of a raw HTTP/1.1 response: after the head, chunked transfer coding removed.
fn dechunk(response: &[u8]) -> Vec<u8> {
    let head_end = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("the stalled stream got a response head");
    let head = String::from_utf8_lossy(&response[..head_end]).to_lowercase();
    assert!(
        head.starts_with("http/1.1 200"),
        "stalled stream response: {head}"
    );
    let mut rest = &response[head_end + 4..];
    if !head.contains("transfer-encoding: chunked") {
        return rest.to_vec();
    }
    let mut body = Vec::new();
    while let Some(line_end) = rest.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&rest[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .unwrap_or_else(|_| panic!("bad chunk size line {size_text:?}"));
        let start = line_end + 2;
        if size == 0 || rest.len() < start + size {
            body.extend_from_slice(&rest[start..rest.len().min(start + size)]);
            break;
        }
        body.extend_from_slice(&rest[start..start + size]);
        rest = &rest[(start + size + 2).min(rest.len())..];
    }
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_stream_is_closed_without_delaying_another_stream() {
    let server = TestServer::start(&[
        "--ping-interval",
        crate::support::PING_INTERVAL,
        "--stream-buffer",
        STREAM_BUFFER,
    ]);
    let alice = server.add_user("alice");
    let stalled = server.stalled_stream(&alice).await;
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
        let notifier = server.notifier(&alice);
        let body = body.clone();
        workers.spawn(async move {
            let mut acked = Vec::new();
            for i in (worker..FLOOD).step_by(WORKERS) {
                // Bounded: a notify held up by the stalled stream fails the test.
                let notify = json!({"title": format!("flood{i}"), "body": body});
                let id = notifier.notify(&notify).await;
                acked.push((Instant::now(), id));
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

    let body = drain_until_closed(stalled, Duration::from_secs(10)).await;
    let mut seen: Vec<(u64, String)> = parse_all(&body)
        .iter()
        .filter(|f| f.kind() == Some("notification"))
        .map(|f| (f.seq(), id_of(&f.json())))
        .collect();
    assert!(
        seen.len() < FLOOD,
        "the stalled stream was not cut short: it carried all {} notifications",
        seen.len()
    );

    // Its client resumes from the last id it got and loses nothing.
    let last = seen.last().map_or(0, |(seq, _)| *seq);
    let mut resumed = server
        .open_stream(
            server
                .req(Method::GET, "/api/notifications/stream")
                .bearer_auth(&alice)
                .header("last-event-id", last.to_string()),
        )
        .await;
    loop {
        let frame = resumed.next_event().await;
        match frame.kind() {
            Some("notification") => seen.push((frame.seq(), id_of(&frame.json()))),
            Some("unread") => break,
            other => panic!("unexpected {other:?} while resuming: {frame:?}"),
        }
    }
    assert!(
        seen.windows(2).all(|w| w[0].0 < w[1].0),
        "the cut stream and its resume form one increasing sequence"
    );
    let mut ids: Vec<&String> = seen.iter().map(|(_, id)| id).collect();
    ids.sort();
    assert_eq!(
        ids, want,
        "cut stream + resume = every notification exactly once"
    );
}
