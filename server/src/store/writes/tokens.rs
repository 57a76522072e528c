//! The token write: when a token was last used, recorded in passing with other writes.

use rusqlite::{Connection, params};

use crate::store::StoreError;

/// Records that token `token_id` was used at `at_ms`.
pub fn touch_token(conn: &Connection, token_id: i64, at_ms: i64) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE tokens SET last_used_at = ?2 WHERE id = ?1")?
        .execute(params![token_id, at_ms])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::admin::{add_token, list_tokens};
    use crate::store::testing::database;

    #[test]
    fn records_the_last_use() {
        let conn = database();
        let (id, _) = add_token(&conn, None, None).unwrap();
        assert_eq!(list_tokens(&conn).unwrap()[0].last_used_at, None);
        touch_token(&conn, id, 42).unwrap();
        assert_eq!(list_tokens(&conn).unwrap()[0].last_used_at, Some(42));
    }
}
