//! A private PostgreSQL cluster for tests: `initdb` in a temporary directory, the server on a
//! free loopback port, torn down afterwards — by `Drop`, and for the process-wide
//! [`PgCluster::shared`] cluster (which is never dropped) by a watchdog process that stops
//! the server and removes the directory when the test process exits, however it exits.
//!
//! It uses Debian's PostgreSQL binaries (`/usr/lib/postgresql/<version>/bin`, the newest
//! found), or those in `NOTIF_PG_BIN`. A missing PostgreSQL is a failure, never a skip:
//! `.ci/install-test-deps` installs it. `initdb` refuses to run as root, so as root every
//! server command runs as the `postgres` user (which the Debian package creates), and the
//! cluster's directory belongs to it.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

/// The unprivileged account that runs the cluster when the tests run as root.
const CLUSTER_USER: &str = "postgres";

/// A running (or stopped, between [`PgCluster::stop`] and [`PgCluster::start_again`])
/// PostgreSQL server of its own.
pub struct PgCluster {
    bin: PathBuf,
    /// Holds `data/`, the socket and `server.log`; owned by the cluster's user.
    dir: PathBuf,
    port: u16,
    run_as: Option<&'static str>,
    /// Durable commits (`fsync=on`) or not; tests need no durability against power loss.
    durable: bool,
    /// `track_commit_timestamp=on`: `pg_xact_commit_timestamp(xmin)` says when a row's
    /// transaction committed (for latency measured from the commit).
    commit_timestamps: bool,
    databases: AtomicU32,
    /// Dropping it (or the test process exiting) makes the watchdog stop the server and
    /// remove `dir`.
    watchdog: Option<(Child, ChildStdin)>,
}

impl PgCluster {
    /// A new cluster for this test alone (to stop and restart it, say), without fsync.
    pub fn start() -> PgCluster {
        PgCluster::start_with(false)
    }

    /// A new cluster; `durable` turns fsync on, as a real deployment has it (for benchmarks).
    pub fn start_with(durable: bool) -> PgCluster {
        PgCluster::start_configured(durable, false)
    }

    /// A durable cluster that records when each transaction committed
    /// (`track_commit_timestamp`), for measuring latency from the commit on.
    pub fn start_timing_commits() -> PgCluster {
        PgCluster::start_configured(true, true)
    }

    fn start_configured(durable: bool, commit_timestamps: bool) -> PgCluster {
        let bin = pg_bin();
        let run_as = (current_uid() == 0).then_some(CLUSTER_USER);
        let dir = tempfile::Builder::new()
            .prefix("notif-pg-")
            .tempdir()
            .expect("a temporary directory for the cluster")
            .keep();
        if let Some(user) = run_as {
            let (uid, gid) = ids_of(user);
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid))
                .expect("give the cluster's directory to its user");
        }
        let mut cluster = PgCluster {
            bin,
            dir,
            port: 0,
            run_as,
            durable,
            commit_timestamps,
            databases: AtomicU32::new(0),
            watchdog: None,
        };
        cluster.watchdog = Some(cluster.spawn_watchdog());
        let data = cluster.data_dir();
        let init = cluster.run(
            "initdb",
            &[
                "-D",
                path_str(&data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
        );
        assert_ok("initdb", &init);
        for _ in 0..5 {
            cluster.port = free_port();
            if cluster.try_start() {
                return cluster;
            }
        }
        panic!(
            "PostgreSQL did not start; its log:\n{}",
            std::fs::read_to_string(cluster.dir.join("server.log")).unwrap_or_default()
        );
    }

    /// One cluster for the whole test process, started on first use and torn down when the
    /// process exits. Each test takes a database of its own with [`PgCluster::database`].
    pub fn shared() -> &'static PgCluster {
        static SHARED: OnceLock<PgCluster> = OnceLock::new();
        SHARED.get_or_init(PgCluster::start)
    }

    /// The loopback port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The URL of the `postgres` database, as the superuser.
    pub fn admin_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Creates a fresh, empty database and returns its URL (what `--db` takes).
    pub fn database(&self) -> String {
        let n = self.databases.fetch_add(1, Ordering::Relaxed);
        let name = format!("notif_{n}");
        let port = self.port.to_string();
        let created = Command::new(self.bin.join("createdb"))
            .args(["-h", "127.0.0.1", "-p", &port, "-U", "postgres", &name])
            .output()
            .expect("run createdb");
        assert_ok("createdb", &created);
        format!("postgres://postgres@127.0.0.1:{port}/{name}")
    }

    /// Stops the server: `fast` ends sessions and checkpoints, as a clean restart does;
    /// otherwise `immediate`, as a crash would (recovery replays the WAL at the next start).
    pub fn stop(&self, fast: bool) {
        let mode = if fast { "fast" } else { "immediate" };
        let stopped = self.run(
            "pg_ctl",
            &["-D", path_str(&self.data_dir()), "-w", "-m", mode, "stop"],
        );
        assert_ok("pg_ctl stop", &stopped);
    }

    /// Starts the server again after [`PgCluster::stop`], on the same port and data.
    pub fn start_again(&self) {
        assert!(
            self.try_start(),
            "PostgreSQL did not start again; its log:\n{}",
            std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
        );
    }

    /// Runs `sql` with `psql` on the database `url` names; asserts success, returns stdout.
    pub fn psql(&self, url: &str, sql: &str) -> String {
        let out = self.try_psql(url, sql);
        assert_ok("psql", &out);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Records in the schema history of the database `url` names (migrated already) a
    /// migration that no binary of this tree has, as a newer notif-server would leave it.
    pub fn record_newer_migration(&self, url: &str) {
        self.psql(
            url,
            "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) \
             VALUES (999, 'from_a_newer_binary', '2030-01-01T00:00:00Z', '1')",
        );
    }

    /// `psql` on `url`, whatever its outcome.
    fn try_psql(&self, url: &str, sql: &str) -> Output {
        Command::new(self.bin.join("psql"))
            .args([url, "-XAtc", sql])
            .stdin(Stdio::null())
            .output()
            .expect("run psql")
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// `pg_ctl start`, waiting until the server accepts connections.
    fn try_start(&self) -> bool {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync={} \
             -c full_page_writes={} -c track_commit_timestamp={}",
            self.port,
            path_str(&self.dir),
            if self.durable { "on" } else { "off" },
            if self.durable { "on" } else { "off" },
            if self.commit_timestamps { "on" } else { "off" },
        );
        let log = self.dir.join("server.log");
        self.run(
            "pg_ctl",
            &[
                "-D",
                path_str(&self.data_dir()),
                "-l",
                path_str(&log),
                "-o",
                &options,
                "-w",
                "-t",
                "60",
                "start",
            ],
        )
        .status
        .success()
    }

    /// Runs one of PostgreSQL's programs as the cluster's user.
    fn run(&self, program: &str, args: &[&str]) -> Output {
        self.command(program)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("could not run {program}: {e}"))
    }

    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        match self.run_as {
            Some(user) => {
                let mut cmd = Command::new("runuser");
                cmd.args(["-u", user, "--"]).arg(path);
                cmd
            }
            None => Command::new(path),
        }
    }

    /// A shell that waits for its standard input to close (this value dropped, or the test
    /// process gone), then stops the server at once and removes the cluster's directory.
    fn spawn_watchdog(&self) -> (Child, ChildStdin) {
        let script =
            r#"cat >/dev/null; "$0" -D "$1/data" -m immediate stop >/dev/null 2>&1; rm -rf "$1""#;
        let mut child = self
            .command_sh()
            .args(["-c", script])
            .arg(self.bin.join("pg_ctl"))
            .arg(&self.dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the cluster's watchdog");
        let stdin = child.stdin.take().expect("the watchdog's stdin is piped");
        (child, stdin)
    }

    fn command_sh(&self) -> Command {
        match self.run_as {
            Some(user) => {
                let mut cmd = Command::new("runuser");
                cmd.args(["-u", user, "--", "sh"]);
                cmd
            }
            None => Command::new("sh"),
        }
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        if let Some((mut child, stdin)) = self.watchdog.take() {
            drop(stdin);
            let _ = child.wait();
        }
    }
}

/// The directory of PostgreSQL's programs: `NOTIF_PG_BIN`, else the newest
/// `/usr/lib/postgresql/*/bin` holding `initdb`.
pub fn pg_bin() -> PathBuf {
    if let Some(dir) = std::env::var_os("NOTIF_PG_BIN") {
        return PathBuf::from(dir);
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    match found.pop() {
        Some((_, bin)) => bin,
        None => panic!(
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb, no NOTIF_PG_BIN): \
             run `bash .ci/install-test-deps`"
        ),
    }
}

fn current_uid() -> u32 {
    let out = Command::new("id").arg("-u").output().expect("run id -u");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("id -u prints a number")
}

/// The uid and gid of `user`, who must exist.
fn ids_of(user: &str) -> (u32, u32) {
    let id = |flag: &str| -> u32 {
        let out = Command::new("id")
            .args([flag, user])
            .output()
            .expect("run id");
        assert!(
            out.status.success(),
            "the tests run as root, so PostgreSQL must run as the user {user:?}, which does not \
             exist: install Debian's postgresql package (bash .ci/install-test-deps)"
        );
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .expect("id prints a number")
    };
    (id("-u"), id("-g"))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

fn assert_ok(what: &str, out: &Output) {
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_private_cluster_serves_restarts_and_is_removed() {
        let cluster = PgCluster::start();
        let url = cluster.database();
        cluster.psql(&url, "CREATE TABLE t (x int); INSERT INTO t VALUES (7)");
        cluster.stop(false);
        assert!(!cluster.try_psql(&url, "SELECT 1").status.success());
        cluster.start_again();
        assert_eq!(cluster.psql(&url, "SELECT x FROM t").trim(), "7");
        let dir = cluster.dir.clone();
        drop(cluster);
        assert!(!dir.exists(), "the cluster's directory is removed");
    }
}
