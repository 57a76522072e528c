//! Reaching PostgreSQL: which `--db` values name it, the connection settings, and the
//! bounded pool every query goes through (its clients cache prepared statements).

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio_postgres::{Config, NoTls};

/// Connections in a node's pool: the most transactions one node runs at once. Writes of one
/// user queue on that user's counter row anyway; this bounds what a node asks of the server.
pub const POOL_SIZE: usize = 16;
/// Giving up on a connection (server down, address wrong) takes at most this.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// A request waits at most this for a free pooled connection before it is answered `503`.
const POOL_WAIT: Duration = Duration::from_secs(10);

/// Whether `--db` names a PostgreSQL database (`postgres://…` or `postgresql://…`) rather
/// than a SQLite file.
pub fn is_postgres_url(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

/// Why a `--db` URL cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("--db {url:?} is not a usable PostgreSQL URL: {cause}")]
pub struct BadUrl {
    /// The URL without its password.
    url: String,
    cause: String,
}

/// The connection settings in a `postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?…]` URL.
pub fn config(url: &str) -> Result<Config, BadUrl> {
    let mut config: Config = url.parse().map_err(|e: tokio_postgres::Error| BadUrl {
        url: redact(url),
        cause: e.to_string(),
    })?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    if config.get_application_name().is_none() {
        config.application_name("notif-server");
    }
    Ok(config)
}

/// A pool of at most `size` connections to `config`; none is opened until needed.
pub fn pool(config: Config, size: usize) -> Result<Pool, deadpool_postgres::BuildError> {
    let manager = Manager::from_config(
        config,
        NoTls,
        ManagerConfig {
            // A connection that PostgreSQL closed (a restart) is seen as closed and replaced.
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(manager)
        .max_size(size)
        .runtime(Runtime::Tokio1)
        .wait_timeout(Some(POOL_WAIT))
        .create_timeout(Some(CONNECT_TIMEOUT))
        .recycle_timeout(Some(CONNECT_TIMEOUT))
        .build()
}

/// `url` with its password, if any, replaced by `***`, for messages and logs.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(_) => url.to_owned(),
        // Not a URL the parser takes (a bad port, say): cut the password out by hand.
        Err(_) => match (url.find("://"), url.rfind('@')) {
            (Some(scheme), Some(at)) if at > scheme + 3 => {
                let userinfo = &url[scheme + 3..at];
                match userinfo.find(':') {
                    Some(colon) => format!(
                        "{}{}:***{}",
                        &url[..scheme + 3],
                        &userinfo[..colon],
                        &url[at..]
                    ),
                    None => url.to_owned(),
                }
            }
            _ => url.to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_postgres_and_paths_name_sqlite() {
        assert!(is_postgres_url("postgres://notif@db:5432/notif"));
        assert!(is_postgres_url("postgresql://notif@db/notif"));
        assert!(!is_postgres_url("./notif.db"));
        assert!(!is_postgres_url("/var/lib/notif/postgres.db"));
    }

    #[test]
    fn a_url_gives_its_settings_and_a_connect_timeout() {
        let config = config("postgres://notif@127.0.0.1:5433/inbox").unwrap();
        assert_eq!(config.get_user(), Some("notif"));
        assert_eq!(config.get_dbname(), Some("inbox"));
        assert_eq!(config.get_ports(), &[5433]);
        assert_eq!(config.get_connect_timeout(), Some(&CONNECT_TIMEOUT));
    }

    #[test]
    fn a_bad_url_is_refused_without_its_password() {
        let err = config("postgres://u:secret@host:notaport/db").unwrap_err();
        assert!(!err.to_string().contains("secret"), "{err}");
    }
}
