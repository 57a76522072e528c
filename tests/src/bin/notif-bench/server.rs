//! The server under test: either a fresh release `notif-server` that the bench starts on a
//! temporary database and kills at the end, or one already running (`--addr`). Users and
//! tokens come from the server's admin commands (`user add`, `token add --service`).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, bail};
use futures_util::{StreamExt, TryStreamExt};
use serde::Deserialize;
use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};
use tokio::time::Instant;

use crate::http::Conn;

/// How long a server may take to print its readiness line.
const READY_TIMEOUT: Duration = Duration::from_secs(30);
/// Admin commands run at once while preparing users (each is a short process).
const ADMIN_PARALLEL: usize = 4;

/// A user of the server under test and its token.
#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub token: String,
}

/// `target/<profile>/NAME`, next to this executable, or an error that says how to build it
/// (from `package`).
pub fn binary(name: &str, package: &str) -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe().context("cannot locate notif-bench itself")?;
    let mut dir = exe.parent().context("notif-bench has no directory")?;
    if dir.ends_with("deps") {
        dir = dir.parent().context("deps has no parent")?;
    }
    let path = dir.join(name);
    if !path.is_file() {
        let profile = if dir.ends_with("release") {
            " --release"
        } else {
            ""
        };
        bail!(
            "{} is missing: run `cargo build{profile} -p {package}` first",
            path.display()
        );
    }
    Ok(path)
}

/// A `notif-server serve` child process on a temporary database; killed on drop.
pub struct Server {
    child: Child,
    /// Kept open: the server may still write to stdout, and a closed pipe would fail it.
    _stdout: Lines<BufReader<ChildStdout>>,
    pub addr: SocketAddr,
    /// From spawning the process to its readiness line.
    pub startup: Duration,
    pub bin: PathBuf,
    pub db: PathBuf,
    dir: TempDir,
}

impl Server {
    /// Starts `notif-server serve --listen 127.0.0.1:0 --db <fresh> --sync SYNC` and waits
    /// for its `listening on http://…` line.
    pub async fn start(sync: &str) -> anyhow::Result<Server> {
        Server::start_on(sync, None).await
    }

    /// Like `start`, on the database `db` names (a `postgres://` URL several servers may
    /// share) instead of a fresh SQLite file.
    pub async fn start_on(sync: &str, db: Option<&str>) -> anyhow::Result<Server> {
        let bin = binary("notif-server", "notif-server")?;
        let dir = tempfile::tempdir()?;
        let db = match db {
            Some(url) => PathBuf::from(url),
            None => dir.path().join("notif.db"),
        };
        let log = std::fs::File::create(dir.path().join("server.log"))?;
        let started = Instant::now();
        let mut child = Command::new(&bin)
            // One service token sends everything to few users: no per-token rate limit, no
            // per-user cap on what is kept, and room for the fanout's 10,000 streams.
            .args(["serve", "--listen", "127.0.0.1:0", "--sync", sync])
            .args([
                "--rate-limit",
                "0",
                "--max-per-user",
                "1000000000",
                "--max-streams",
                "19000",
                "--max-streams-per-user",
                "1000",
            ])
            .arg("--db")
            .arg(&db)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("could not start {}", bin.display()))?;
        let stdout = child.stdout.take().context("server stdout not captured")?;
        let mut lines = BufReader::new(stdout).lines();
        let ready = tokio::time::timeout(READY_TIMEOUT, async {
            while let Some(line) = lines.next_line().await? {
                if let Some(url) = line.strip_prefix("listening on http://") {
                    return Ok(Some(url.trim().parse::<SocketAddr>()?));
                }
            }
            anyhow::Ok(None)
        })
        .await;
        let addr = match ready {
            Ok(Ok(Some(addr))) => addr,
            Ok(Err(err)) => return Err(err.context("bad readiness line")),
            Ok(Ok(None)) | Err(_) => bail!(
                "notif-server did not become ready; its log ends with:\n{}",
                log_tail(&dir.path().join("server.log"))
            ),
        };
        Ok(Server {
            startup: started.elapsed(),
            child,
            _stdout: lines,
            addr,
            bin,
            db,
            dir,
        })
    }

    /// Kills the server and waits for it to go.
    pub async fn stop(mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
        drop(self.dir);
    }
}

/// The last lines of a log file, for an error message.
fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(10)..].join("\n")
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
}

/// The server a scenario measures, and how to make users on it.
pub struct Target {
    pub addr: SocketAddr,
    pub service_token: String,
    /// Set when the bench started the server.
    pub server: Option<Server>,
    /// The process whose memory `rss_kib` reads.
    pid: Option<u32>,
    admin: Admin,
    /// Makes user names unique across scenarios on a shared server.
    run_id: String,
}

impl Target {
    /// Starts a fresh server with `--sync sync` and a service token.
    pub async fn start(sync: &str) -> anyhow::Result<Target> {
        Target::of(Server::start(sync).await?).await
    }

    /// The server `server` (started by the bench), with a new service token.
    pub async fn of(server: Server) -> anyhow::Result<Target> {
        let service_token = admin(
            &server.bin,
            &server.db,
            &["token", "add", "--service", "--label", "bench"],
        )
        .await?;
        Ok(Target {
            addr: server.addr,
            service_token,
            pid: server.child.id(),
            admin: Admin::Commands {
                bin: server.bin.clone(),
                db: server.db.clone(),
            },
            server: Some(server),
            run_id: String::from("b"),
        })
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
            service_token,
            server: None,
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

    /// Stops the server if the bench started it.
    pub async fn stop(self) {
        if let Some(server) = self.server {
            server.stop().await;
        }
    }
}
