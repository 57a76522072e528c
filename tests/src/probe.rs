//! Looking at a server from outside its API: its `/metrics` counters, a raw stream that is
//! never read (to make the server's send side back up), a stream response whose headers a
//! test checks. For the limits tests, which need what the request helpers hide.

use std::time::{Duration, Instant};

use reqwest::Response;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use crate::server::TestServer;

/// The value of `name` in the `/metrics` of the server at `base_url` (a panic when it has
/// none): for tests that keep their own client.
pub async fn metric_at(client: &reqwest::Client, base_url: &str, name: &str) -> i64 {
    metric_in(&metrics_at(client, base_url).await, name)
}

/// The text of the `/metrics` of the server at `base_url`, for values that must be read
/// together (with [`metric_in`]).
pub async fn metrics_at(client: &reqwest::Client, base_url: &str) -> String {
    client
        .get(format!("{base_url}/metrics"))
        .send()
        .await
        .expect("GET /metrics")
        .text()
        .await
        .expect("the body of /metrics")
}

/// The value of `name` in the `/metrics` text `text`, as a `T` (a panic when it has none).
pub fn metric_in<T: std::str::FromStr>(text: &str, name: &str) -> T {
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in /metrics:\n{text}"))
}

impl TestServer {
    /// The value of `name` in this server's `/metrics`.
    pub async fn metric(&self, name: &str) -> i64 {
        metric_at(self.client(), &self.url(), name).await
    }

    /// Waits until this server's `/metrics` shows `name` at `want`; panics with the last
    /// value after `within`.
    pub async fn await_metric(&self, name: &str, want: i64, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            let value = self.metric(name).await;
            if value == want {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{name} stayed at {value}, not {want}, for {within:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Asks for `token`'s stream on a connection with a 4 KiB receive buffer that the test
    /// never reads: the server's writes back up at once.
    pub async fn stalled_stream(&self, token: &str) -> TcpStream {
        let socket = TcpSocket::new_v4().expect("a TCP socket");
        socket
            .set_recv_buffer_size(4096)
            .expect("a small receive buffer");
        let mut tcp = socket.connect(self.addr()).await.expect("connect");
        let request = format!(
            "GET /api/notifications/stream HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer \
             {token}\r\nAccept: text/event-stream\r\n\r\n",
            self.addr()
        );
        tcp.write_all(request.as_bytes())
            .await
            .expect("send the request");
        tcp
    }

    /// `GET /api/notifications/stream` as `token`: the response, its body left unread.
    pub async fn stream_response(&self, token: &str) -> Response {
        self.client()
            .get(format!("{}/api/notifications/stream", self.url()))
            .bearer_auth(token)
            .send()
            .await
            .expect("GET /api/notifications/stream")
    }
}

/// Reads from `tcp` until the server closes the connection (or a read fails); returns what
/// it sent. Panics when that takes longer than `within`.
pub async fn read_until_closed(tcp: &mut TcpStream, within: std::time::Duration) -> Vec<u8> {
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    let read = async {
        loop {
            match tcp.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(within, read)
        .await
        .expect("the server closes the connection in time");
    received
}
