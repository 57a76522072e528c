//! A lean HTTP/1.1 keep-alive client: hyper's `client::conn::http1` over one `TcpStream`
//! per connection. No pool, no TLS, no redirects: the bench shares two cores with the
//! server, so the client should cost as little as it can.

use std::net::SocketAddr;

use anyhow::{Context, ensure};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use serde::de::DeserializeOwned;
use tokio::net::TcpStream;

use crate::protocol::Publish;

/// The notify route, used by several scenarios.
pub const NOTIFY: &str = "/api/internal/notify";

/// One keep-alive connection; requests on it go one at a time.
pub struct Conn {
    sender: SendRequest<Full<Bytes>>,
    host: String,
}

/// A whole response.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Bytes,
}

impl Reply {
    /// Fails, quoting the body, unless the status is `expected`.
    pub fn expect(self, expected: StatusCode) -> anyhow::Result<Reply> {
        ensure!(
            self.status == expected,
            "expected {expected}, got {}: {}",
            self.status,
            String::from_utf8_lossy(&self.body)
        );
        Ok(self)
    }

    /// The status and the body, for error messages.
    pub fn describe(&self) -> String {
        format!("{} {}", self.status, String::from_utf8_lossy(&self.body))
    }

    /// The body as JSON.
    pub fn json<T: DeserializeOwned>(&self) -> anyhow::Result<T> {
        serde_json::from_slice(&self.body).with_context(|| {
            format!(
                "unexpected response body: {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

impl Conn {
    /// Connects and completes the HTTP/1.1 handshake; the connection is driven by its own
    /// task until this `Conn` is dropped.
    pub async fn connect(addr: SocketAddr) -> anyhow::Result<Conn> {
        let stream = TcpStream::connect(addr)
            .await
            .with_context(|| format!("could not connect to {addr}"))?;
        stream.set_nodelay(true)?;
        let (sender, connection) = http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(async move {
            // The connection ends when the bench drops it or the server goes away; the
            // next request on it reports that.
            let _ = connection.await;
        });
        Ok(Conn {
            sender,
            host: addr.to_string(),
        })
    }

    /// Sends one request with `token` and a JSON `body`, and reads the whole response.
    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Bytes>,
    ) -> anyhow::Result<Reply> {
        self.sender
            .ready()
            .await
            .context("the server closed the connection")?;
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(HOST, &self.host)
            .header(AUTHORIZATION, format!("Bearer {token}"));
        if body.is_some() {
            request = request.header(CONTENT_TYPE, "application/json");
        }
        let request = request.body(Full::new(body.unwrap_or_default()))?;
        let response = self
            .sender
            .send_request(request)
            .await
            .with_context(|| format!("request to {path} failed"))?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        Ok(Reply { status, body })
    }

    /// Sends one publish request (see [`crate::protocol::Protocol::publish`]).
    pub async fn publish(&mut self, publish: &Publish, token: &str) -> anyhow::Result<Reply> {
        let body = Some(publish.body.clone());
        self.send(Method::POST, &publish.path, token, body).await
    }

    /// `GET path` as JSON, which must answer `200`.
    pub async fn get_json<T: DeserializeOwned>(
        &mut self,
        path: &str,
        token: &str,
    ) -> anyhow::Result<T> {
        self.send(Method::GET, path, token, None)
            .await?
            .expect(StatusCode::OK)?
            .json()
    }
}

/// Percent-encodes a query value (everything but RFC 3986 unreserved characters).
pub fn encode_query(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
