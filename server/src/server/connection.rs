//! One accepted connection's life: hyper serves its requests until one of them is a stream,
//! whose connection is then taken from hyper and written on the bare socket
//! ([`crate::takeover`]); hyper's connection, its buffers and its service are dropped then.
//!
//! Either way the connection closes when the server closes it ([`Admitted::must_close`]:
//! eviction, a stream whose client stopped reading, `close_all` at shutdown), and once
//! shutdown begins hyper finishes the request in flight and keeps the connection no longer.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::{HttpService, service_fn};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;

use crate::automatic_errors::FullErrorAnswers;
use crate::connections::Admitted;
use crate::failed_auth::ClientAddr;
use crate::middleware;
use crate::response::Body;
use crate::state::AppState;
use crate::takeover::io::HandoffIo;
use crate::takeover::{self, Claimed, Handoff};

/// The socket as hyper sees it.
type Io = TokioIo<HandoffIo<FullErrorAnswers<TcpStream>>>;

/// What a connection's service returns for each request.
type Answer = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

/// Serves `tcp` (from `peer`, admitted as `admitted`) until it closes. `builder` holds
/// hyper's settings; `header_timeout` is the time a new connection has for its first
/// request's head; `state.shutdown` starts the graceful end.
pub fn serve(
    builder: &http1::Builder,
    tcp: TcpStream,
    peer: SocketAddr,
    admitted: Admitted,
    state: AppState,
    header_timeout: Duration,
) -> impl Future<Output = ()> + Send + 'static {
    let admitted = Arc::new(admitted);
    let handoff = Arc::new(Handoff::default());
    let shutdown = state.shutdown.clone();
    let service = {
        let admitted = Arc::clone(&admitted);
        let handoff = Arc::clone(&handoff);
        service_fn(move |mut req: Request<Incoming>| -> Answer {
            admitted.request_started();
            req.extensions_mut().insert(ClientAddr(peer));
            req.extensions_mut().insert(admitted.handle.clone());
            let state = state.clone();
            let handoff = Arc::clone(&handoff);
            let version = req.version();
            // Boxed, so that a request's future takes no room in the connection's state.
            Box::pin(async move {
                let response = middleware::handle(state, req).await;
                match handoff.claim(response, version) {
                    Some(response) => Ok(response),
                    // Taken over: hyper gets no answer and writes nothing for this request.
                    None => std::future::pending().await,
                }
            })
        })
    };
    let io = TokioIo::new(HandoffIo::new(
        FullErrorAnswers::new(tcp),
        Arc::clone(&handoff),
    ));
    let connection = builder.serve_connection(io, service);
    // Boxed, and before the task's future captures it: hyper's connection and everything
    // it holds is freed when hyper is done, and a taken-over stream's task keeps no room
    // for it.
    let with_hyper = Box::pin(with_hyper(
        connection,
        handoff,
        Arc::clone(&admitted),
        header_timeout,
        shutdown,
    ));
    async move {
        if let Some((tcp, claimed)) = with_hyper.await {
            let ended = takeover::stream::run(tcp, claimed, admitted.closed()).await;
            tracing::debug!(?ended, "stream ended");
        }
    }
}

/// How hyper's part of a connection ended.
enum Outcome {
    /// hyper is done with the connection (closed, failed, or ended by the server).
    Done,
    /// A response was claimed and hyper has flushed everything it wrote before it.
    TakenOver(Claimed),
}

/// Lets hyper serve the connection; returns the socket and the claimed response when a
/// response is to be written outside hyper.
async fn with_hyper<S>(
    mut connection: http1::Connection<Io, S>,
    handoff: Arc<Handoff>,
    admitted: Arc<Admitted>,
    header_timeout: Duration,
    shutdown: CancellationToken,
) -> Option<(TcpStream, Claimed)>
where
    S: HttpService<Incoming, ResBody = Body> + Unpin,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let must_close = admitted.must_close(header_timeout);
    tokio::pin!(must_close);
    let stopping = shutdown.cancelled();
    tokio::pin!(stopping);
    let mut graceful = false;
    let outcome = loop {
        let progress = std::future::poll_fn(|cx| match Pin::new(&mut connection).poll(cx) {
            Poll::Ready(ended) => {
                if let Err(err) = ended {
                    tracing::debug!(%err, "connection ended with an error");
                }
                Poll::Ready(Outcome::Done)
            }
            Poll::Pending => match handoff.take() {
                Some(claimed) => Poll::Ready(Outcome::TakenOver(claimed)),
                None => Poll::Pending,
            },
        });
        tokio::select! {
            outcome = progress => break outcome,
            () = &mut must_close => {
                tracing::debug!("connection closed by the server");
                break Outcome::Done;
            }
            () = &mut stopping, if !graceful => {
                graceful = true;
                Pin::new(&mut connection).graceful_shutdown();
            }
        }
    };
    match outcome {
        Outcome::Done => None,
        Outcome::TakenOver(claimed) => {
            // What the client sent after the stream's request (`read_buf`) is dropped: the
            // connection ends with the stream.
            let tcp = connection.into_parts().io.into_inner().into_inner();
            Some((tcp.into_inner(), claimed))
        }
    }
}
