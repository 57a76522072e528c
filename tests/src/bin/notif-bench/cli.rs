//! `cli`: whole-process wall time of the `notif` CLI against a local server — start-up,
//! config, one HTTP request, output — the way a CI script or shell prompt pays for it.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, ensure};
use serde_json::json;

use crate::args::Args;
use crate::report::{self, Report};
use crate::server::{self, User};
use crate::stats::{self, Summary};

/// Untimed runs first, so the binary and the server's caches are warm.
const WARM_UP: usize = 3;

/// Runs the scenario, or reports it skipped when the `notif` binary is not built.
pub async fn run(args: &Args) -> anyhow::Result<Report> {
    let mut report = Report::new("cli", &["command", "medianMs", "p90Ms", "minMs", "runs"]);
    let notif = match server::binary("notif", "notif") {
        Ok(path) => path,
        Err(err) => {
            report.skipped = Some(format!("{err:#}"));
            return Ok(report);
        }
    };
    let runs = args.size(args.runs, 50, 5).max(1);
    let target = args.target(args.sync.first()).await?;
    let result = async {
        let user = target.users("cli", 1).await?.remove(0);
        let url = format!("http://{}", target.addr);
        let home = tempfile::tempdir()?;
        let cli = Cli {
            notif,
            url,
            user,
            config: home.path().join("absent.toml"),
        };
        tokio::task::spawn_blocking(move || cli.measure(runs)).await?
    }
    .await;
    target.stop().await;
    for (command, summary) in result? {
        let cells = json!({
            "command": format!("`{command}`"),
            "medianMs": report::ms(summary.p50),
            "runs": summary.count,
        });
        report.push(report::timed(cells, &summary));
    }
    report.notes.push(format!(
        "Wall time from spawn to exit, server and token from NOTIF_SERVER / NOTIF_TOKEN, \
         after {WARM_UP} untimed runs."
    ));
    Ok(report)
}

/// How to run the CLI against the bench's server.
struct Cli {
    notif: PathBuf,
    url: String,
    user: User,
    /// A config file that does not exist, so the user's own config stays out of it.
    config: PathBuf,
}

impl Cli {
    /// Times each command `runs` times (blocking: it only waits for child processes).
    fn measure(&self, runs: usize) -> anyhow::Result<Vec<(&'static str, Summary)>> {
        let commands: [(&str, &[&str]); 2] = [
            ("notif send \"bench\"", &["send", "bench"]),
            ("notif list --json", &["list", "--json"]),
        ];
        let mut results = Vec::new();
        for (label, args) in commands {
            crate::progress(format_args!("cli: {label} × {runs}"));
            let mut samples = Vec::with_capacity(runs);
            for run in 0..WARM_UP + runs {
                let elapsed = self.run_once(args)?;
                if run >= WARM_UP {
                    samples.push(stats::nanos(elapsed));
                }
            }
            results.push((label, Summary::of(&mut samples)));
        }
        Ok(results)
    }

    /// Runs `notif ARGS` once and checks that it succeeded.
    fn run_once(&self, args: &[&str]) -> anyhow::Result<std::time::Duration> {
        let start = Instant::now();
        let output = Command::new(&self.notif)
            .args(args)
            .env("NOTIF_SERVER", &self.url)
            .env("NOTIF_TOKEN", &self.user.token)
            .env("NOTIF_CONFIG", &self.config)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("could not run {}", self.notif.display()))?;
        let elapsed = start.elapsed();
        ensure!(
            output.status.success(),
            "notif {} failed ({}): {}",
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
        Ok(elapsed)
    }
}
