//! A server in this test's process: `notif_server::server::run_on` on a listener bound to
//! `127.0.0.1:0`, stopped through a oneshot. No binary, no readiness line, no sleeping: the
//! socket listens before the task starts. The request and stream helpers and the admin
//! commands work on it as on a process, through [`TestServer::attach`].

use std::ops::Deref;
use std::time::Duration;

use clap::Parser;
use notif_server::args::{Cli, Command};
use notif_server::server::{ServeConfig, run_on};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::{PING_INTERVAL, TestServer};

/// How long the server may take to stop once told.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// A running in-process server; dereferences to its [`TestServer`] handle.
pub struct InProcess {
    /// The handle the helpers work on (no child process).
    server: TestServer,
    /// Resolves the server's shutdown future; `None` once sent.
    shutdown: Option<oneshot::Sender<()>>,
    /// The serving task, with what `run_on` returned.
    task: JoinHandle<anyhow::Result<()>>,
}

impl InProcess {
    /// Starts a server on a fresh database with the test defaults and `flags` after them
    /// (a later flag wins), parsed as `notif-server serve` parses them.
    pub async fn start(flags: &[&str]) -> InProcess {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("notif.db");
        let db = db.to_str().expect("temp paths are UTF-8");
        let mut argv = vec!["notif-server", "serve", "--db", db];
        argv.extend(["--ping-interval", PING_INTERVAL, "--rate-limit", "0"]);
        argv.extend(flags);
        let Command::Serve(args) = Cli::try_parse_from(&argv)
            .unwrap_or_else(|e| panic!("bad flags {argv:?}: {e}"))
            .command
        else {
            unreachable!("the arguments name `serve`")
        };
        let config = ServeConfig::from_args(args).unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = TestServer::attach(dir, listener.local_addr().unwrap());
        // The server opens (and migrates) the database in its task; an admin command racing
        // it would migrate the same file at once. Create the schema first, with one that
        // makes a database (a service token nobody uses).
        server.admin(&["token", "add", "--service", "--label", "schema"]);
        let (tx, rx) = oneshot::channel();
        let task = tokio::spawn(run_on(listener, config, async {
            let _ = rx.await;
        }));
        InProcess {
            server,
            shutdown: Some(tx),
            task,
        }
    }

    /// Tells the server to shut down and waits for it, asserting it stopped cleanly.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        tokio::time::timeout(STOP_TIMEOUT, &mut self.task)
            .await
            .unwrap_or_else(|_| {
                panic!("the in-process server did not stop within {STOP_TIMEOUT:?}")
            })
            .expect("the serving task does not panic")
            .expect("the server stops without an error");
    }
}

impl Deref for InProcess {
    type Target = TestServer;
    fn deref(&self) -> &TestServer {
        &self.server
    }
}

impl Drop for InProcess {
    fn drop(&mut self) {
        self.task.abort();
    }
}
