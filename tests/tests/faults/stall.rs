//! A stalled stream reader (a raw TCP client that stops reading) does not slow delivery to
//! another stream of the same user, and is itself closed once its buffer is full: by the
//! server, at once (issue 11), so its connection ends where the socket stopped taking bytes,
//! without a final chunk.
//!
//! Delivery latency to the healthy stream is measured from the start of each notify to the
//! event's arrival, first alone, then while the stalled stream is open. A delivery waits
//! for its commit, and a slow flush of the disk can hold a commit up for seconds: the bound
//! on the slowest delivery leaves out the time the server's write batches spent in the
//! database meanwhile (`notif_commit_seconds_sum`), which does not count handing events to
//! the streams, where a stalled reader could hold things up.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use super::{Api, Sse, runtime};
use crate::util::{Alice, TIMEOUT};

/// Notifications measured alone.
const BASELINE: usize = 40;
/// Most notifications sent before the stalled stream must have been closed.
const MAX_SENT: usize = 3_000;
/// Per notification, so the stalled connection's socket buffers fill quickly.
const BODY_CHARS: usize = 9_000;

#[test]
fn a_stalled_reader_does_not_slow_other_streams() {
    let server = Alice::start_with(&["--stream-buffer", "8"]);
    let api = Api::new(&server.url(), &server.token);
    let rt = runtime();
    rt.block_on(async {
        let body = "b".repeat(BODY_CHARS);
        let mut healthy = api.stream(None).await;
        healthy.expect("unread").await;
        let mut alone = Vec::new();
        for i in 0..BASELINE {
            alone.push(delivery(&api, &mut healthy, &format!("alone {i}"), &body).await);
        }

        let mut stalled = stalled_stream(&server).await;
        let (mut shared, mut beyond_commits) = (Vec::new(), Vec::new());
        let (mut lagged, mut committed) = server_counts(&api).await;
        while lagged == 0 {
            assert!(
                shared.len() < MAX_SENT,
                "the stalled stream was not closed after {MAX_SENT} notifications"
            );
            let title = format!("stalled {}", shared.len());
            let latency = delivery(&api, &mut healthy, &title, &body).await;
            let before = committed;
            (lagged, committed) = server_counts(&api).await;
            shared.push(latency);
            beyond_commits.push(latency.saturating_sub(committed.saturating_sub(before)));
        }

        // Closed: once the client reads again it gets what the sockets held, then the end of
        // the connection (the server closed it without waiting for this read).
        let mut rest = Vec::new();
        tokio::time::timeout(TIMEOUT, stalled.read_to_end(&mut rest))
            .await
            .expect("the stalled stream was never closed")
            .unwrap();
        let text = String::from_utf8_lossy(&rest);
        let delivered = text.matches("event: notification").count();
        assert!(
            delivered < shared.len(),
            "the stalled stream got everything"
        );
        assert!(
            text.starts_with("HTTP/1.1 200"),
            "the stalled stream's response: {:?}",
            text.get(..300).unwrap_or(&text)
        );

        let (a50, a_max) = (percentile(&mut alone, 50), percentile(&mut alone, 100));
        let (s50, s_max) = (percentile(&mut shared, 50), percentile(&mut shared, 100));
        let beyond_max = percentile(&mut beyond_commits, 100);
        eprintln!(
            "stall: healthy stream latency alone p50 {a50:?} max {a_max:?}; with a stalled \
             stream ({} sent until it was closed) p50 {s50:?} max {s_max:?}, at most \
             {beyond_max:?} beyond the commits meanwhile",
            shared.len()
        );
        assert!(
            s50 <= a50 * 5 + Duration::from_millis(50),
            "median delivery went from {a50:?} to {s50:?} with a stalled reader"
        );
        assert!(
            beyond_max <= Duration::from_secs(2),
            "a delivery took {beyond_max:?} beyond its commits with a stalled reader \
             (at most {s_max:?} in all)"
        );
    });
}

/// Sends one notification and waits for the healthy stream to deliver it; the time taken.
async fn delivery(api: &Api, stream: &mut Sse, title: &str, body: &str) -> Duration {
    let start = Instant::now();
    let (status, resp) = api.notify(title, body).await.unwrap();
    assert_eq!(status, 201, "{resp}");
    while stream.expect("notification").await.json()["title"] != title {}
    start.elapsed()
}

/// A stream request on a socket with a tiny receive buffer that is then never read.
async fn stalled_stream(server: &Alice) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut conn = socket.connect(server.addr()).await.unwrap();
    let request = format!(
        "GET /api/notifications/stream HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\n\
         Connection: close\r\n\r\n",
        server.addr(),
        server.token
    );
    conn.write_all(request.as_bytes()).await.unwrap();
    conn
}

/// From one reading of the server's `/metrics`: the streams it closed for lagging, and the
/// time its write batches spent in the database so far.
async fn server_counts(api: &Api) -> (u64, Duration) {
    use notif_tests::probe::{metric_in, metrics_at};
    let text = metrics_at(&api.http, &api.url).await;
    let committed = metric_in(&text, "notif_commit_seconds_sum");
    (
        metric_in(&text, "notif_streams_lagged_total"),
        Duration::from_secs_f64(committed),
    )
}

/// The `p`th percentile (nearest rank) of `samples`.
fn percentile(samples: &mut [Duration], p: usize) -> Duration {
    samples.sort();
    let rank = (samples.len() * p).div_ceil(100).max(1);
    samples[rank - 1]
}
