//! Serving: bind, accept, hand each connection to hyper (a stream's connection is taken
//! back from hyper once its response is decided: `connection`, `takeover`), and shut down
//! gracefully (stop accepting, end open streams, let in-flight requests finish, commit what
//! is queued).
//!
//! Connections speak HTTP/1.1 only. HTTP/2 without TLS (h2c) serves no client of notif:
//! browsers speak HTTP/2 only over TLS, which a proxy in front terminates (and proxies
//! speak HTTP/1.1 to their upstream by default), the `notif` CLI and `EventSource` use
//! HTTP/1.1, and curl needs `--http2-prior-knowledge`. Detecting the protocol would cost
//! every connection a wait with no deadline of its own and about 4 KiB of memory, and
//! HTTP/2 would need idle and keep-alive limits of its own.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use hyper::server::conn::http1;
use hyper_util::rt::TokioTimer;
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::admin::database;
use crate::args::LimitArgs;
use crate::args::ServeArgs;
use crate::args::StoreArgs;
use crate::connections::{self, Connections};
use crate::cross_site::OwnOrigins;
use crate::email::{EmailConfig, run_worker};
use crate::hub::{self, BufferLimits, Hub, StreamCaps};
use crate::metrics::Metrics;
use crate::policy::Policy;
use crate::redact;
use crate::state::AppState;
use crate::store::database::Database;
use crate::store::sqlite::Sync;
use crate::store::{Capacity, Housekeeping, Listeners, Store};

mod connection;

/// Read-only connections in the pool.
const READERS: usize = 4;
/// Connections still open this long after shutdown began are dropped.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);
/// Streams still open this long after shutdown began have clients that are not reading
/// their end: their connections are closed then, not at the end of the drain.
const STREAM_END_GRACE: Duration = Duration::from_secs(1);
/// The most a request's head (request line and headers) may take; a larger one is refused
/// (`431`). A body is read separately, up to its own limit.
pub const MAX_HEAD: usize = 64 * 1024;
/// The most header lines a request may have; more are refused (`431`). hyper's default of
/// 100 refused heads of many short headers long before [`MAX_HEAD`]; 1,024 is what a
/// 64 KiB head holds at 64 bytes a line. Each request's head is parsed into a table of
/// this many entries (64 KiB, on the heap instead of hyper's default stack array).
pub const MAX_HEADER_LINES: usize = 1024;
/// How long the email worker may take to finish the email it is sending at shutdown.
const WORKER_STOP_TIMEOUT: Duration = Duration::from_secs(5);
/// Pending connections the kernel holds for us: bursts of thousands of clients connect at
/// once (a fleet of streams reconnecting), more than the default of 128.
const LISTEN_BACKLOG: u32 = 4096;

/// Everything `notif-server serve` is told.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub listen: String,
    pub db: Database,
    pub ping_interval: Duration,
    pub sync: Sync,
    pub stream_buffer: usize,
    /// `None`: the email channel is off.
    pub email: Option<EmailConfig>,
    /// `--public-url`: where people reach the server (its origin is the server's own).
    pub public_url: Option<String>,
    pub limits: LimitArgs,
    pub store: StoreArgs,
}

impl ServeConfig {
    /// The configuration the command line asks for; one clear error for a bad value.
    pub fn from_args(args: ServeArgs) -> anyhow::Result<ServeConfig> {
        let email = match args.email.smtp_url {
            None => None,
            Some(smtp_url) => {
                lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(&smtp_url).map_err(
                    |e| {
                        anyhow::anyhow!(redact::message(
                            &format!("--smtp-url {:?} is not usable: {e}", redact::url(&smtp_url)),
                            &smtp_url
                        ))
                    },
                )?;
                let from = args.email.mail_from.parse().map_err(|e| {
                    anyhow::anyhow!(
                        "--mail-from {:?} is not an address: {e}",
                        args.email.mail_from
                    )
                })?;
                Some(EmailConfig {
                    smtp_url,
                    from,
                    public_url: args.email.public_url.clone(),
                    retry_base: args.email.email_retry_base,
                    max_attempts: args.email.email_max_attempts,
                })
            }
        };
        Ok(ServeConfig {
            public_url: args.email.public_url.clone(),
            db: database(&args.db)?,
            listen: args.listen,
            ping_interval: args.ping_interval,
            sync: args.sync,
            stream_buffer: args.stream_buffer as usize,
            email,
            limits: args.limits,
            store: args.store,
        })
    }
}

/// Binds (a port in use fails before the database is touched), opens the database, prints
/// `listening on http://ADDR` on stdout once ready, and serves until `shutdown` resolves.
pub async fn run(config: ServeConfig, shutdown: impl Future<Output = ()>) -> anyhow::Result<()> {
    let listener = bind(&config.listen).await?;
    run_on(listener, config, shutdown).await
}

/// [`run`] on a listener the caller bound (`config.listen` is not used): tests bind
/// `127.0.0.1:0`, know the port before the server starts, and need no readiness line.
pub async fn run_on(
    listener: TcpListener,
    config: ServeConfig,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let metrics = Arc::new(Metrics::default());
    let limits = &config.limits;
    let caps = StreamCaps {
        total: limits.max_streams as usize,
        per_user: limits.max_streams_per_user as usize,
    };
    let buffer = BufferLimits {
        events: config.stream_buffer,
        bytes: limits.stream_buffer_bytes as usize,
    };
    let hub = Hub::new(buffer, caps, Arc::clone(&metrics));
    let max_connections =
        connections::fit_under_open_files_limit(u64::from(limits.max_connections));
    let connections = Connections::new(max_connections as usize, Arc::clone(&metrics));
    let housekeeping = Housekeeping {
        retention: limits.retention,
        max_per_user: limits.max_per_user,
        email_retention: config.store.email_retention,
    };
    let outbox = config.email.as_ref().map(|_| Arc::new(Notify::new()));
    let listeners = Listeners {
        publisher: hub.clone(),
        metrics: Arc::clone(&metrics),
        outbox: outbox.clone(),
    };
    let capacity = Capacity {
        readers: READERS,
        read_queue: config.store.read_queue as usize,
        write_queue: config.store.write_queue as usize,
    };
    let store = config
        .db
        .open_store(config.sync, capacity, listeners, housekeeping)
        .await?;
    let addr = listener.local_addr()?;
    let own_origins =
        OwnOrigins::new(config.public_url.as_deref(), addr).map_err(anyhow::Error::msg)?;
    let public_url = (config.public_url.clone()).unwrap_or_else(|| format!("http://{addr}"));
    let policy = Arc::new(Policy::new(limits, own_origins, public_url));
    tracing::info!(%addr, db = %config.db.describe(), "notif-server ready");
    println!("listening on http://{addr}");

    let cancel = CancellationToken::new();
    let store: Arc<dyn Store> = store;
    let keeper = tokio::spawn(hub::keeper::run(
        Arc::clone(&hub),
        Arc::clone(&store),
        config.ping_interval,
        cancel.clone(),
    ));
    let state = AppState {
        store,
        hub,
        metrics,
        policy,
        shutdown: cancel,
    };
    let worker = match (config.email, outbox) {
        (Some(mut email), Some(wake)) => {
            email
                .public_url
                .get_or_insert_with(|| format!("http://{addr}"));
            tracing::info!(relay = %redact::url(&email.smtp_url), "email channel on");
            Some(tokio::spawn(run_worker(
                Arc::clone(&state.store),
                email,
                wake,
                Arc::clone(&state.metrics),
                state.shutdown.clone(),
            )))
        }
        _ => {
            tracing::info!("email channel off: no --smtp-url (NOTIF_SMTP_URL) given");
            None
        }
    };
    serve(
        listener,
        state.clone(),
        connections,
        config.limits.header_timeout,
        shutdown,
    )
    .await;
    keeper.abort();
    if let Some(worker) = worker {
        if tokio::time::timeout(WORKER_STOP_TIMEOUT, worker)
            .await
            .is_err()
        {
            tracing::warn!("the email worker did not stop in time; unsent emails stay queued");
        }
    }
    state
        .store
        .close()
        .await
        .context("could not finish pending commits")?;
    tracing::info!("notif-server stopped");
    Ok(())
}

/// Binds `listen` (an address, or `host:port` to resolve) with a large backlog.
pub async fn bind(listen: &str) -> anyhow::Result<TcpListener> {
    let addr: SocketAddr = tokio::net::lookup_host(listen)
        .await
        .with_context(|| format!("--listen {listen:?} is {}", crate::args::listen::SHAPE))?
        .next()
        .with_context(|| format!("--listen {listen:?} resolves to no address"))?;
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()
    } else {
        TcpSocket::new_v6()
    }?;
    socket.set_reuseaddr(true)?;
    socket
        .bind(addr)
        .and_then(|()| socket.listen(LISTEN_BACKLOG))
        .with_context(|| format!("could not listen on {addr}"))
}

/// Accepts connections on `listener` until `shutdown` resolves, then drains them. A client
/// must send its first request's head within `header_timeout` of connecting, and each later
/// one within `header_timeout` of the previous answer; `connections` caps how many are open.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    connections: Arc<Connections>,
    header_timeout: Duration,
    shutdown: impl Future<Output = ()>,
) {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .max_header_size(MAX_HEAD)
        .max_headers(MAX_HEADER_LINES)
        .max_buf_size(MAX_HEAD);
    let tracker = TaskTracker::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(accepted) => accepted,
                    Err(err) => {
                        // Out of file descriptors and the like: say so, give the
                        // system a moment, and go on accepting.
                        tracing::warn!(%err, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                // Past the cap with every connection busy: dropped, so closed at once.
                let Some(admitted) = connections.admit() else {
                    continue;
                };
                let _ = stream.set_nodelay(true);
                tracker.spawn(connection::serve(
                    &builder,
                    stream,
                    peer,
                    admitted,
                    state.clone(),
                    header_timeout,
                ));
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    tracing::info!("shutting down: ending streams, finishing requests");
    // Open requests finish, idle connections close, streams end.
    state.shutdown.cancel();
    tracker.close();
    let drained = tracker.wait();
    tokio::pin!(drained);
    tokio::select! {
        () = &mut drained => return,
        () = tokio::time::sleep(STREAM_END_GRACE) => {}
    }
    state.hub.close_all();
    tokio::select! {
        () = drained => {}
        () = tokio::time::sleep(DRAIN_TIMEOUT - STREAM_END_GRACE) => {
            tracing::warn!("connections still open after {DRAIN_TIMEOUT:?}; closing them");
        }
    }
}

/// Installs the SIGINT and SIGTERM handlers now (so a signal that comes right after the
/// server says it is ready is not missed) and returns what resolves on either.
pub fn signal() -> anyhow::Result<impl Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?;
        let mut int = signal(SignalKind::interrupt()).context("cannot listen for SIGINT")?;
        Ok(async move {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}
