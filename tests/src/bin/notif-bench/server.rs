//! The server under test: a fresh `notif-server` that the bench starts through the test
//! kit's [`TestServer`] (scrubbed environment, bounded readiness) and kills at the end, one
//! already running (`--addr`), or nchan (see `nchan.rs`). notif's users and tokens come
//! from its admin commands (`user add`, `token add --service`); nchan's users are channel
//! names.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use futures_util::{StreamExt, TryStreamExt};
use notif_tests::TestServer;
use serde::Deserialize;
use tokio::process::Command;

use crate::cpu::cpu_seconds;
use crate::http::Conn;
use crate::nchan::Nchan;
use crate::protocol::Protocol;

/// Admin commands run at once while preparing users (each is a short process).
const ADMIN_PARALLEL: usize = 4;

/// A user of the server under test and its token.
#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub token: String,
}

/// `target/<profile>/NAME`, next to this executable (the kit's lookup), or an error that says
/// how to build it (from `package`).
pub fn binary(name: &str, package: &str) -> anyhow::Result<PathBuf> {
    notif_tests::bins::find(name)
        .with_context(|| format!("{name} is missing: run `cargo build -p {package}` first"))
}

/// The server the bench started: the test kit's [`TestServer`] on a fresh database, and how
/// long it took to print its readiness line.
pub struct Server {
    /// The running `notif-server serve`; killed when dropped.
    pub process: TestServer,
    /// From spawning the process to its readiness line.
    pub startup: Duration,
}

impl Server {
    /// Starts `notif-server serve --listen 127.0.0.1:0 --db <fresh> --sync SYNC` and waits
    /// for its `listening on http://…` line.
    pub fn start(sync: &str) -> anyhow::Result<Server> {
        Server::start_on(sync, None)
    }

    /// Like `start`, on the database `db` names (a `postgres://` URL several servers may
    /// share) instead of a fresh SQLite file.
    pub fn start_on(sync: &str, db: Option<&str>) -> anyhow::Result<Server> {
        binary("notif-server", "notif-server")?;
        let started = Instant::now();
        // One service token sends everything to few users: no per-token rate limit, no
        // per-user cap on what is kept, and room for the fanout's 10,000 streams.
        let flags = [
            "--sync",
            sync,
            "--rate-limit",
            "0",
            "--max-per-user",
            "1000000000",
            "--max-streams",
            "19000",
            "--max-streams-per-user",
            "1000",
        ];
        let process = match db {
            Some(url) => TestServer::start_on(url, &flags),
            None => TestServer::start_sqlite(&flags),
        };
        Ok(Server {
            startup: started.elapsed(),
            process,
        })
    }
}

/// VmRSS of process `pid` in KiB, from `/proc/<pid>/status`.
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs an admin command of `bin` on `db` and returns the last line it printed.
async fn admin(bin: &Path, db: &Path, args: &[&str]) -> anyhow::Result<String> {
    let output = Command::new(bin)
        .args(args)
        .arg("--db")
        .arg(db)
        .stdin(Stdio::null())
        .output()
        .await
        .with_context(|| format!("could not run {}", bin.display()))?;
    if !output.status.success() {
        bail!(
            "notif-server {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let last = stdout.lines().last().unwrap_or_default().trim();
    if last.is_empty() {
        bail!("notif-server {} printed no token", args.join(" "));
    }
    Ok(last.to_owned())
}

/// Where users come from.
enum Admin {
    /// Admin commands of `bin` on the server's database.
    Commands { bin: PathBuf, db: PathBuf },
    /// `--addr` without `--db`: the one user of `--token`, if given.
    Given(Option<User>),
    /// nchan: a user is a channel named after it, and needs no token.
    Channels,
}

/// The server a scenario measures, and how to make users on it.
pub struct Target {
    pub addr: SocketAddr,
    /// How to publish and subscribe on it.
    pub protocol: Protocol,
    pub service_token: String,
    /// Set when the bench started notif-server.
    pub server: Option<Server>,
    /// Set when the bench started nchan.
    nchan: Option<Nchan>,
    /// The process whose memory `rss_kib` reads.
    pid: Option<u32>,
    admin: Admin,
    /// Makes user names unique across scenarios on a shared server.
    run_id: String,
}

impl Target {
    /// Starts a fresh server with `--sync sync` and a service token.
    pub async fn start(sync: &str) -> anyhow::Result<Target> {
        Target::of(Server::start(sync)?).await
    }

    /// The server `server` (started by the bench), with a new service token.
    pub async fn of(server: Server) -> anyhow::Result<Target> {
        let bin = binary("notif-server", "notif-server")?;
        let db = server.process.db();
        let service_token = admin(
            &bin,
            &db,
            &["token", "add", "--service", "--label", "bench"],
        )
        .await?;
        Ok(Target {
            addr: server.process.addr(),
            protocol: Protocol::Notif,
            service_token,
            pid: server.process.pid(),
            admin: Admin::Commands { bin, db },
            server: Some(server),
            nchan: None,
            run_id: String::from("b"),
        })
    }

    /// Starts nchan with room for `connections` connections at once; its memory is its
    /// worker's.
    pub fn nchan(connections: usize) -> anyhow::Result<Target> {
        let nchan = Nchan::start(connections)?;
        Ok(Target {
            addr: nchan.addr(),
            protocol: Protocol::Nchan,
            service_token: String::new(),
            server: None,
            pid: Some(nchan.worker()),
            nchan: Some(nchan),
            admin: Admin::Channels,
            run_id: String::from("b"),
        })
    }

    /// nginx's and nchan's versions when this is nchan.
    pub fn nchan_versions(&self) -> Option<&str> {
        self.nchan.as_ref().map(Nchan::versions)
    }

    /// A server already running at `addr`.
    pub async fn remote(
        addr: SocketAddr,
        service_token: String,
        token: Option<String>,
        db: Option<PathBuf>,
        pid: Option<u32>,
    ) -> anyhow::Result<Target> {
        let admin = match (db, token) {
            (Some(db), _) => Admin::Commands {
                bin: binary("notif-server", "notif-server")?,
                db,
            },
            (None, Some(token)) => {
                #[derive(Deserialize)]
                #[serde(rename_all = "camelCase")]
                struct Me {
                    user_id: Option<String>,
                }
                let me: Me = Conn::connect(addr)
                    .await?
                    .get_json("/api/me", &token)
                    .await?;
                let id = me.user_id.context("--token must be a user token")?;
                Admin::Given(Some(User { id, token }))
            }
            (None, None) => Admin::Given(None),
        };
        let run_id = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        Ok(Target {
            addr,
            protocol: Protocol::Notif,
            service_token,
            server: None,
            nchan: None,
            pid,
            admin,
            run_id: format!("b{run_id}"),
        })
    }

    /// `n` users named after `label`, each with a user token.
    pub async fn users(&self, label: &str, n: usize) -> anyhow::Result<Vec<User>> {
        match &self.admin {
            Admin::Commands { bin, db } => {
                futures_util::stream::iter(0..n)
                    .map(|i| async move {
                        let id = format!("{}-{label}-{i}", self.run_id);
                        let token = admin(bin, db, &["user", "add", &id]).await?;
                        anyhow::Ok(User { id, token })
                    })
                    .buffered(ADMIN_PARALLEL)
                    .try_collect()
                    .await
            }
            Admin::Channels => Ok((0..n)
                .map(|i| User {
                    id: format!("{}-{label}-{i}", self.run_id),
                    token: String::new(),
                })
                .collect()),
            Admin::Given(Some(user)) if n == 1 => Ok(vec![user.clone()]),
            Admin::Given(_) => bail!(
                "{label} needs {n} user(s): with --addr, pass --db PATH (the server's \
                 database, for the admin commands), or --token and sizes of one user"
            ),
        }
    }

    /// The server's resident memory in KiB, when the bench knows its process.
    pub fn rss_kib(&self) -> Option<u64> {
        self.pid.and_then(rss_kib)
    }

    /// The CPU time the server has used so far, when the bench knows its process (nginx:
    /// its one worker).
    pub fn cpu_seconds(&self) -> Option<f64> {
        self.pid.and_then(cpu_seconds)
    }

    /// How many notifications `user` holds now (see [`Protocol::stored`]).
    pub async fn stored(&self, user: &User) -> anyhow::Result<u64> {
        let mut conn = Conn::connect(self.addr).await?;
        self.protocol.stored(&mut conn, user).await
    }

    /// Stops the server if the bench started it.
    pub async fn stop(self) {
        if let Some(mut server) = self.server {
            server.process.kill();
        }
        drop(self.nchan);
    }
}
