//! The PostgreSQL schema: the files of `migrations/postgres/` (`V<n>__<name>.sql`), embedded
//! at build time and applied at start-up by refinery — the migrations library that serves
//! tokio-postgres (SQLite keeps rusqlite_migration, whose `user_version` existing databases
//! already carry). Nodes starting together take turns under an advisory lock, and a
//! database migrated by a newer binary is refused rather than written with an older idea
//! of its schema.

use include_dir::{Dir, include_dir};
use refinery::error::Kind;
use refinery::{Migration, Runner};
use tokio_postgres::{Config, NoTls};

use super::fault;

static MIGRATIONS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../migrations/postgres");

/// The advisory lock held while migrating (any fixed number; this one spells "notifmig").
const MIGRATION_LOCK: i64 = 0x6e6f_7469_666d_6967;

/// Why a node cannot open its PostgreSQL database. Each reads as one line for the log.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("cannot reach PostgreSQL at {host}: {cause}")]
    Unreachable { host: String, cause: String },
    #[error(
        "the database's schema is newer than this notif-server (it has migration {applied}, \
         this binary knows up to {known}): run the newer notif-server, or restore a backup"
    )]
    TooNew { applied: String, known: i64 },
    #[error("the database's migration {0} differs from this binary's: {1}")]
    Diverged(String, String),
    #[error("migrating the database failed: {0}")]
    Failed(String),
}

/// The embedded migrations, in version order.
pub fn migrations() -> Result<Vec<Migration>, SchemaError> {
    let mut files: Vec<_> = MIGRATIONS
        .files()
        .filter(|f| f.path().extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort_by_key(|f| f.path());
    files
        .into_iter()
        .map(|f| {
            let stem = f.path().file_stem().and_then(|s| s.to_str()).unwrap_or("");
            let sql = f.contents_utf8().unwrap_or("");
            Migration::unapplied(stem, sql)
                .map_err(|e| SchemaError::Failed(format!("{}: {e}", f.path().display())))
        })
        .collect()
}

/// Connects once to check that PostgreSQL is there, then brings the schema up to date.
pub async fn migrate(config: &Config) -> Result<(), SchemaError> {
    let host = describe(config);
    let unreachable = |err: tokio_postgres::Error| SchemaError::Unreachable {
        host: host.clone(),
        cause: fault::cause(&err),
    };
    let (mut client, connection) = config.connect(NoTls).await.map_err(unreachable)?;
    let driver = tokio::spawn(async move {
        if let Err(err) = connection.await {
            tracing::debug!(%err, "the migration connection ended");
        }
    });
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(unreachable)?;
    let migrations = migrations()?;
    let known = migrations
        .iter()
        .map(|m| i64::from(m.version()))
        .max()
        .unwrap_or(0);
    let outcome = Runner::new(&migrations)
        .set_abort_missing(true)
        .set_abort_divergent(true)
        .run_async(&mut client)
        .await;
    // Ending the session releases the lock.
    drop(client);
    let _ = driver.await;
    match outcome {
        Ok(report) => {
            for applied in report.applied_migrations() {
                tracing::info!(migration = %applied, "applied a PostgreSQL migration");
            }
            Ok(())
        }
        Err(err) => Err(match err.kind() {
            Kind::MissingVersion(applied) => SchemaError::TooNew {
                applied: applied.to_string(),
                known,
            },
            Kind::DivergentVersion(applied, ours) => {
                SchemaError::Diverged(applied.to_string(), ours.to_string())
            }
            _ => SchemaError::Failed(err.to_string()),
        }),
    }
}

/// `host:port/db` of a connection's settings, for messages.
pub fn describe(config: &Config) -> String {
    let host = match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(host)) => host.clone(),
        #[cfg(unix)]
        Some(tokio_postgres::config::Host::Unix(path)) => path.display().to_string(),
        None => "localhost".to_owned(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!("{host}:{port}/{}", config.get_dbname().unwrap_or(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_migrations_are_named_for_refinery() {
        let all = migrations().unwrap();
        assert!(!all.is_empty());
        assert_eq!(all[0].version(), 1);
    }
}
