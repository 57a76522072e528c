//! Sorting PostgreSQL's failures: the ones that mean "the database cannot be reached or is
//! going away" become `StoreError::Unwritable` (clients get `503` with the cause), conflicts
//! between concurrent transactions are retried, and the rest are bugs (`500`).

use deadpool_postgres::PoolError;
use tokio_postgres::error::SqlState;

use crate::store::StoreError;

/// A failure inside a transaction: the driver's (which may be retried) or the domain's.
#[derive(Debug)]
pub enum Fail {
    Pg(tokio_postgres::Error),
    Store(StoreError),
}

impl From<tokio_postgres::Error> for Fail {
    fn from(err: tokio_postgres::Error) -> Self {
        Fail::Pg(err)
    }
}

impl From<StoreError> for Fail {
    fn from(err: StoreError) -> Self {
        Fail::Store(err)
    }
}

impl From<PoolError> for Fail {
    fn from(err: PoolError) -> Self {
        Fail::Store(from_pool(err))
    }
}

impl From<Fail> for StoreError {
    fn from(fail: Fail) -> Self {
        match fail {
            Fail::Pg(err) => from_pg(err),
            Fail::Store(err) => err,
        }
    }
}

impl Fail {
    /// A deadlock or serialization failure: the whole transaction may simply run again.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Fail::Pg(err) if err.code().is_some_and(|c| {
            *c == SqlState::T_R_SERIALIZATION_FAILURE || *c == SqlState::T_R_DEADLOCK_DETECTED
        }))
    }
}

/// Whether `err` says the server is unreachable, restarting or shutting down, rather than
/// that a statement was wrong.
pub fn is_unavailable(err: &tokio_postgres::Error) -> bool {
    if err.is_closed() {
        return true;
    }
    match err.code() {
        // No SQLSTATE: the socket failed, or connecting did.
        None => true,
        Some(code) => {
            code.code().starts_with("08")
                || *code == SqlState::ADMIN_SHUTDOWN
                || *code == SqlState::CRASH_SHUTDOWN
                || *code == SqlState::CANNOT_CONNECT_NOW
                || *code == SqlState::TOO_MANY_CONNECTIONS
                || *code == SqlState::DISK_FULL
                || *code == SqlState::READ_ONLY_SQL_TRANSACTION
        }
    }
}

/// The cause of `err` in one line, with PostgreSQL's own message when it sent one.
pub fn cause(err: &tokio_postgres::Error) -> String {
    match err.as_db_error() {
        Some(db) => db.message().to_owned(),
        None => match std::error::Error::source(err) {
            Some(source) => format!("{err}: {source}"),
            None => err.to_string(),
        },
    }
}

pub fn from_pg(err: tokio_postgres::Error) -> StoreError {
    if is_unavailable(&err) {
        StoreError::Unwritable(format!("PostgreSQL is unavailable: {}", cause(&err)))
    } else {
        StoreError::Postgres(err)
    }
}

pub fn from_pool(err: PoolError) -> StoreError {
    match err {
        PoolError::Backend(err) => from_pg(err),
        PoolError::Closed => StoreError::Closed,
        PoolError::Timeout(_) => StoreError::Unwritable(
            "PostgreSQL is unavailable: no connection could be had in time".to_owned(),
        ),
        other => StoreError::Unwritable(format!("PostgreSQL is unavailable: {other}")),
    }
}
