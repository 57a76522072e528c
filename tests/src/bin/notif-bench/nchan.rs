//! nchan, the reference the `nchan` scenario measures notif against: Debian's nginx with
//! its nchan module, started by the bench in a temporary directory (its own config, pid
//! file, logs and temp paths; no daemon) with one worker process, a publisher location
//! and an EventSource subscriber location per user channel, and a message buffer that
//! keeps every message of a run. Killed, master and worker, when dropped.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// Where Debian's `libnginx-mod-nchan` puts the module.
const MODULE: &str = "/usr/lib/nginx/modules/ngx_nchan_module.so";
/// Where Debian's `nginx-light` (or `nginx-core`, `nginx`) puts the server.
const NGINX: &str = "/usr/sbin/nginx";
/// How long nginx may take to listen and start its worker.
const START_LIMIT: Duration = Duration::from_secs(10);
/// Messages kept per channel: more than one channel gets in any run (ingest sends every
/// message to one channel, about a million in 5 s on a fast box), so none is dropped
/// and the bench can count them afterwards.
const BUFFER_LENGTH: u64 = 20_000_000;
/// nchan's shared memory for messages and channels; only pages in use count in RSS.
const SHARED_MEMORY: &str = "4096M";

/// A running nginx with nchan.
pub struct Nchan {
    master: Child,
    worker: u32,
    addr: SocketAddr,
    /// nginx's and nchan's versions, e.g. `nginx 1.22.1, nchan 1.3.6`.
    versions: String,
    /// Holds nginx.conf, the pid file, the logs and the temp paths.
    dir: tempfile::TempDir,
}

/// Fails with one line naming the Debian packages unless nginx and the nchan module are
/// installed (a missing dependency is an error, never a skipped measurement).
pub fn ensure_installed() -> anyhow::Result<()> {
    let missing: Vec<&str> = [NGINX, MODULE]
        .into_iter()
        .filter(|path| !Path::new(path).is_file())
        .collect();
    if !missing.is_empty() {
        bail!(
            "nchan is not installed ({} missing): install the Debian packages nginx-light \
             and libnginx-mod-nchan",
            missing.join(" and ")
        );
    }
    Ok(())
}

impl Nchan {
    /// Starts nginx with nchan on a free loopback port, with room for `connections`
    /// connections at once, and waits until it accepts them and its worker runs.
    pub fn start(connections: usize) -> anyhow::Result<Nchan> {
        ensure_installed()?;
        let dir = tempfile::Builder::new()
            .prefix("notif-bench-nchan")
            .tempdir()?;
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let conf = dir.path().join("nginx.conf");
        std::fs::write(&conf, config(dir.path(), addr, connections))?;
        let master = Command::new(NGINX)
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(&conf)
            .arg("-e")
            .arg(dir.path().join("error.log"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("could not run {NGINX}"))?;
        let mut nchan = Nchan {
            worker: 0,
            master,
            addr,
            versions: String::new(),
            dir,
        };
        nchan.worker = nchan.wait_ready()?;
        nchan.versions = format!("nginx {}, nchan {}", nginx_version(), nchan.nchan_version());
        Ok(nchan)
    }

    /// Waits until the master listens and has one worker: the worker's pid.
    fn wait_ready(&mut self) -> anyhow::Result<u32> {
        let started = Instant::now();
        loop {
            if let Some(status) = self.master.try_wait()? {
                bail!("nginx exited ({status}) at start: {}", self.last_error());
            }
            let listening = TcpStream::connect(self.addr).is_ok();
            if let (true, Some(worker)) = (listening, self.find_worker()) {
                return Ok(worker);
            }
            if started.elapsed() > START_LIMIT {
                bail!(
                    "nginx did not start within {START_LIMIT:?}: {}",
                    self.last_error()
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The master's one child process, if it has started.
    fn find_worker(&self) -> Option<u32> {
        let pid = self.master.id();
        let children = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).ok()?;
        children.split_whitespace().next()?.parse().ok()
    }

    /// The last line nginx logged, for error messages.
    fn last_error(&self) -> String {
        std::fs::read_to_string(self.log())
            .ok()
            .and_then(|log| log.lines().last().map(str::to_owned))
            .unwrap_or_else(|| String::from("(nothing logged)"))
    }

    fn log(&self) -> PathBuf {
        self.dir.path().join("error.log")
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The worker process, which holds the connections (its memory is what streams cost).
    pub fn worker(&self) -> u32 {
        self.worker
    }

    /// nginx's and nchan's versions, e.g. `nginx 1.22.1, nchan 1.3.6`.
    pub fn versions(&self) -> &str {
        &self.versions
    }

    /// nchan's version, as its `$nchan_version` variable says (`?` if it cannot be read).
    fn nchan_version(&self) -> String {
        let read = || -> std::io::Result<String> {
            let mut socket = TcpStream::connect(self.addr)?;
            socket.set_read_timeout(Some(START_LIMIT))?;
            socket.write_all(b"GET /nchan-version HTTP/1.0\r\n\r\n")?;
            let mut response = String::new();
            socket.read_to_string(&mut response)?;
            Ok(response)
        };
        read()
            .ok()
            .and_then(|response| Some(response.split_once("\r\n\r\n")?.1.trim().to_owned()))
            .unwrap_or_else(|| String::from("?"))
    }
}

/// nginx's version, from `nginx -v` (`?` if it cannot be read).
fn nginx_version() -> String {
    Command::new(NGINX)
        .arg("-v")
        .output()
        .ok()
        .and_then(|out| {
            let text = String::from_utf8_lossy(&out.stderr).into_owned();
            Some(text.split_once('/')?.1.trim().to_owned())
        })
        .unwrap_or_else(|| String::from("?"))
}

impl Drop for Nchan {
    fn drop(&mut self) {
        // The master first, so that it cannot start another worker; then the worker.
        let _ = Command::new("kill")
            .args(["-s", "KILL"])
            .arg(self.master.id().to_string())
            .arg(self.worker.to_string())
            .stderr(Stdio::null())
            .status();
        let _ = self.master.wait();
    }
}

/// nginx.conf: one worker, everything in `dir`, listening on `addr`.
fn config(dir: &Path, addr: SocketAddr, connections: usize) -> String {
    let dir = dir.display();
    let worker_connections = connections + 1024;
    format!(
        "load_module {MODULE};
daemon off;
master_process on;
worker_processes 1;
worker_rlimit_nofile {files};
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{
    worker_connections {worker_connections};
}}
http {{
    access_log off;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    keepalive_requests 100000000;
    keepalive_timeout 1h;
    nchan_max_reserved_memory {SHARED_MEMORY};
    nchan_message_buffer_length {BUFFER_LENGTH};
    nchan_message_timeout 0;
    server {{
        listen {addr} backlog=4096;
        location ~ ^/pub/(.+)$ {{
            nchan_publisher http;
            nchan_channel_id $1;
        }}
        location ~ ^/sub/(.+)$ {{
            nchan_subscriber eventsource;
            nchan_channel_id $1;
        }}
        location = /nchan-version {{
            return 200 $nchan_version;
        }}
    }}
}}
",
        files = worker_connections * 2,
    )
}
