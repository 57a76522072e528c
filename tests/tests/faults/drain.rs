//! SIGTERM drains: a request already in the server's hands is answered, open streams end
//! cleanly on an event boundary (the body's last chunk, no reset), and the exit status
//! is 0.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::{Api, End, runtime};
use crate::util::{Alice, AliceApi, TIMEOUT};

#[test]
fn sigterm_answers_in_flight_requests_and_ends_streams_cleanly() {
    let mut server = Alice::start();
    let rt = runtime();
    let api = Api::new(&server.url(), &server.token);
    let body = br#"{"title": "sent during shutdown"}"#;

    let (mut streams, mut in_flight) = rt.block_on(async {
        let mut streams = Vec::new();
        for _ in 0..3 {
            let mut stream = api.stream(None).await;
            stream.expect("unread").await;
            streams.push(stream);
        }
        // A notify whose headers the server has read and whose body it is waiting for:
        // `Expect: 100-continue` makes hyper say so the moment the handler reads the body.
        let mut conn = TcpStream::connect(server.addr()).await.unwrap();
        let head = format!(
            "POST /api/internal/notify HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\nExpect: 100-continue\r\n\r\n",
            server.addr(),
            server.token,
            body.len()
        );
        conn.write_all(head.as_bytes()).await.unwrap();
        let interim = read_until(&mut conn, b"\r\n\r\n").await;
        assert!(interim.starts_with("HTTP/1.1 100"), "{interim:?}");
        (streams, conn)
    });

    server.signal("TERM");

    rt.block_on(async {
        in_flight.write_all(body).await.unwrap();
        let mut response = Vec::new();
        tokio::time::timeout(TIMEOUT, in_flight.read_to_end(&mut response))
            .await
            .expect("the in-flight request was not answered")
            .expect("the in-flight request's connection was reset");
        let response = String::from_utf8_lossy(&response);
        assert!(
            response.starts_with("HTTP/1.1 201"),
            "in-flight notify during shutdown got {response:?}"
        );
        for stream in &mut streams {
            let end = tokio::time::timeout(TIMEOUT, async {
                loop {
                    if let Err(end) = stream.next().await {
                        return end;
                    }
                }
            })
            .await
            .expect("a stream stayed open after SIGTERM");
            assert!(matches!(end, End::Closed), "stream ended: {end}");
            assert!(
                stream.raw.ends_with(b"\n\n"),
                "stream cut mid-event: {:?}",
                String::from_utf8_lossy(&stream.raw)
            );
        }
    });

    let status = server.wait_exit(Duration::from_secs(15));
    assert_eq!(
        status.code(),
        Some(0),
        "exit status after SIGTERM: {status}"
    );
    server.restart();
    let titles: Vec<String> = server.inbox().into_iter().map(|n| n.title).collect();
    assert_eq!(
        titles,
        ["sent during shutdown"],
        "the in-flight notification"
    );
}

/// Reads from `conn` until `end` has been seen; the text read.
async fn read_until(conn: &mut TcpStream, end: &[u8]) -> String {
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    while !seen.windows(end.len()).any(|w| w == end) {
        let n = tokio::time::timeout(TIMEOUT, conn.read(&mut buf))
            .await
            .expect("no answer from the server")
            .unwrap();
        assert!(n > 0, "connection closed; read {seen:?}");
        seen.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&seen).into_owned()
}
