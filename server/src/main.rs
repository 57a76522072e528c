//! The `notif-server` binary: parse arguments, set up logging, run, map the outcome to an
//! exit status with one line on stderr.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

/// jemalloc in place of the C library's allocator: a request allocates and frees many small
/// buffers on the runtime's threads, and glibc's `malloc` and `free` were about 8% of the
/// server's CPU at full ingest. Measured against glibc in README, Performance. (jemalloc
/// does not build for MSVC; there the system's allocator stays.)
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let cli = notif_server::args::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            // PostgreSQL's notices and refinery's steps are noise beside our own lines.
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,tokio_postgres=warn,refinery_core=warn")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    match notif_server::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
