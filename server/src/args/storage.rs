//! The flags and arguments of the storage side: the database's queues and what it keeps
//! (`serve`), and `notif-server backup PATH`.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::{DbArg, parse_duration};

/// The database's queues and what it keeps besides notifications (issue 11, points 3 to 6).
#[derive(Debug, Clone, Args)]
pub struct StoreArgs {
    /// Reads that may wait for a database reader; beyond, requests get 503 with Retry-After.
    #[arg(long, env = "NOTIF_READ_QUEUE", default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..), value_name = "N")]
    pub read_queue: u32,
    /// Writes that may wait for the database writer; beyond, requests get 503 with Retry-After.
    #[arg(long, env = "NOTIF_WRITE_QUEUE", default_value_t = 4096, value_parser = clap::value_parser!(u32).range(1..), value_name = "N")]
    pub write_queue: u32,
    /// Sent and failed emails are deleted from the outbox this long after they were queued.
    #[arg(long, env = "NOTIF_EMAIL_RETENTION", default_value = "7d", value_parser = parse_duration, value_name = "DURATION")]
    pub email_retention: Duration,
}

/// `notif-server backup PATH`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Where to write the copy (replaced if it exists).
    pub path: PathBuf,
    #[command(flatten)]
    pub db: DbArg,
}
