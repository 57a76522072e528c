//! How the closed sets of the domain are stored: each as the text its column's `CHECK`
//! allows, read back strictly (a value outside the set is an error, never a default).

use std::str::FromStr;

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

use super::outbox::OutboxStatus;
use crate::model::{Kind, TokenScope};

/// Parses a text column into one of a closed set.
fn parse_text<T: FromStr>(value: ValueRef<'_>, what: &str) -> FromSqlResult<T> {
    let text = value.as_str()?;
    text.parse()
        .map_err(|_| FromSqlError::Other(format!("{text:?} is not a {what}").into()))
}

impl ToSql for Kind {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

impl FromSql for Kind {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        parse_text(value, "notification type")
    }
}

impl ToSql for TokenScope {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

impl FromSql for TokenScope {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        parse_text(value, "token scope")
    }
}

impl ToSql for OutboxStatus {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

impl FromSql for OutboxStatus {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        parse_text(value, "outbox status")
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::*;

    fn round_trip<T: ToSql + FromSql>(value: &T) -> (String, T) {
        let conn = Connection::open_in_memory().unwrap();
        conn.query_row("SELECT ?1, ?1", [value], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
    }

    #[test]
    fn closed_sets_are_stored_as_their_text() {
        assert_eq!(
            round_trip(&Kind::Warning),
            ("WARNING".to_owned(), Kind::Warning)
        );
        let user = TokenScope::User;
        assert_eq!(round_trip(&user), ("user".to_owned(), user));
        let failed = OutboxStatus::Failed;
        assert_eq!(round_trip(&failed), ("failed".to_owned(), failed));
    }

    #[test]
    fn a_value_outside_the_set_is_an_error() {
        let conn = Connection::open_in_memory().unwrap();
        let read = conn.query_row("SELECT 'admin'", [], |r| r.get::<_, TokenScope>(0));
        assert!(read.is_err());
        let read = conn.query_row("SELECT 'info'", [], |r| r.get::<_, Kind>(0));
        assert!(read.is_err(), "the stored spelling is upper case");
    }
}
