//! Tests of [`super::run`] on real loopback sockets.
#![allow(clippy::unwrap_used)]

use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use futures_util::{StreamExt, stream};
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

use super::*;

const LIMIT: Duration = Duration::from_secs(10);

/// A connected pair: (the server's end, the client's end).
async fn pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let (server, _) = listener.accept().await.unwrap();
    (server, client)
}

fn claimed(frames: Vec<&'static [u8]>, then_idle: bool, framing: Framing) -> Claimed {
    let frames = stream::iter(
        frames
            .into_iter()
            .map(|bytes| Ok::<_, Infallible>(Frame::data(Bytes::from_static(bytes)))),
    );
    let body = if then_idle {
        StreamBody::new(frames.chain(stream::pending())).boxed_unsync()
    } else {
        StreamBody::new(frames).boxed_unsync()
    };
    Claimed {
        head: b"HTTP/1.1 200 OK\r\n\r\n".to_vec(),
        body,
        framing,
    }
}

async fn read_to_end(mut client: TcpStream) -> String {
    let mut out = Vec::new();
    tokio::time::timeout(LIMIT, client.read_to_end(&mut out))
        .await
        .unwrap()
        .unwrap();
    String::from_utf8(out).unwrap()
}

#[tokio::test]
async fn a_finished_body_is_written_chunked_then_ended_and_closed() {
    let (server, client) = pair().await;
    let frames = vec![&b"retry: 3000\n\n"[..], b"", &[b'x'; 300][..]];
    let ended = run(
        server,
        claimed(frames, false, Framing::Chunked),
        std::future::pending(),
    )
    .await;
    assert_eq!(ended, Ended::Finished);
    let out = read_to_end(client).await;
    let long = "x".repeat(300);
    assert_eq!(
        out,
        format!("HTTP/1.1 200 OK\r\n\r\nD\r\nretry: 3000\n\n\r\n12C\r\n{long}\r\n0\r\n\r\n"),
        "the empty frame is skipped"
    );
}

#[tokio::test]
async fn an_http_1_0_body_is_written_as_is_and_ended_by_the_close() {
    let (server, client) = pair().await;
    let ended = run(
        server,
        claimed(vec![b"one", b"two"], false, Framing::UntilClose),
        std::future::pending(),
    )
    .await;
    assert_eq!(ended, Ended::Finished);
    assert_eq!(read_to_end(client).await, "HTTP/1.1 200 OK\r\n\r\nonetwo");
}

#[tokio::test]
async fn a_client_closing_its_end_ends_an_idle_stream() {
    let (server, mut client) = pair().await;
    let task = tokio::spawn(run(
        server,
        claimed(vec![b"hello"], true, Framing::Chunked),
        std::future::pending(),
    ));
    let mut head = [0u8; 19];
    client.read_exact(&mut head).await.unwrap();
    drop(client);
    let ended = tokio::time::timeout(LIMIT, task).await.unwrap().unwrap();
    assert_eq!(ended, Ended::ClientGone);
}

#[tokio::test]
async fn what_the_client_sends_is_dropped_and_the_stream_goes_on() {
    let (server, mut client) = pair().await;
    let close = CancellationToken::new();
    let closed = close.clone().cancelled_owned();
    let task = tokio::spawn(run(
        server,
        claimed(vec![b"hello"], true, Framing::Chunked),
        closed,
    ));
    client.write_all(&[b'a'; 1000]).await.unwrap();
    let mut head = [0u8; 19 + 10];
    client.read_exact(&mut head).await.unwrap();
    assert!(!task.is_finished());
    close.cancel();
    let ended = tokio::time::timeout(LIMIT, task).await.unwrap().unwrap();
    assert_eq!(ended, Ended::Closed);
}

#[tokio::test]
async fn the_server_closing_ends_a_stream_whose_client_does_not_read() {
    let (server, client) = pair().await;
    let close = CancellationToken::new();
    // Far more than the sockets hold: the write waits on a full socket.
    let big: &'static [u8] = Box::leak(vec![b'x'; 16 << 20].into_boxed_slice());
    let task = tokio::spawn(run(
        server,
        claimed(vec![big], true, Framing::Chunked),
        close.clone().cancelled_owned(),
    ));
    tokio::task::yield_now().await;
    close.cancel();
    let ended = tokio::time::timeout(LIMIT, task).await.unwrap().unwrap();
    assert_eq!(ended, Ended::Closed);
    drop(client);
}

#[test]
fn chunk_sizes_are_upper_case_hex() {
    for (len, line) in [
        (0, "0\r\n"),
        (13, "D\r\n"),
        (300, "12C\r\n"),
        (usize::MAX, "FFFFFFFFFFFFFFFF\r\n"),
    ] {
        let (bytes, end) = chunk_size_line(len);
        assert_eq!(&bytes[..usize::from(end)], line.as_bytes());
    }
}
