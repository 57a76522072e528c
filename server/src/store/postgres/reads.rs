//! The SQL that reads, on a pooled connection or inside a write's transaction. Every
//! statement is prepared once per connection and cached (`prepare_cached`).

use deadpool_postgres::GenericClient;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use crate::cursor::Cursor;
use crate::model::{CategoryPreference, Kind, Notification, Preferences, Principal, Scope};
use crate::store::{ListQuery, Page, StoreError};

use super::fault::Fail;

pub const NOTIFICATION_COLUMNS: &str =
    "seq, id, user_id, type, title, body, link, category, read_at, created_at";

/// Maps a row selected with `NOTIFICATION_COLUMNS` (first).
pub fn notification(row: &Row) -> Result<Notification, tokio_postgres::Error> {
    let kind: String = row.try_get(3)?;
    Ok(Notification {
        seq: row.try_get(0)?,
        id: row.try_get(1)?,
        user_id: row.try_get(2)?,
        // The schema's CHECK allows only the four kinds.
        kind: kind.parse().unwrap_or(Kind::Info),
        title: row.try_get(4)?,
        body: row.try_get(5)?,
        link: row.try_get(6)?,
        category: row.try_get(7)?,
        read_at: row.try_get(8)?,
        created_at: row.try_get(9)?,
    })
}

/// One of a user's notifications by id.
pub async fn get(c: &impl GenericClient, user_id: &str, id: &str) -> Result<Notification, Fail> {
    let sql =
        format!("SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE id = $1 AND user_id = $2");
    let stmt = c.prepare_cached(&sql).await?;
    match c.query_opt(&stmt, &[&id, &user_id]).await? {
        Some(row) => Ok(notification(&row)?),
        None => Err(StoreError::NotFound.into()),
    }
}

/// One of a user's notifications by sequence number, if it still exists.
pub async fn by_seq(
    c: &impl GenericClient,
    user_id: &str,
    seq: i64,
) -> Result<Option<Notification>, Fail> {
    let sql =
        format!("SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE user_id = $1 AND seq = $2");
    let stmt = c.prepare_cached(&sql).await?;
    let row = c.query_opt(&stmt, &[&user_id, &seq]).await?;
    Ok(row.as_ref().map(notification).transpose()?)
}

/// A user's unread count, kept by the triggers of the schema.
pub async fn unread_count(c: &impl GenericClient, user_id: &str) -> Result<u64, Fail> {
    let stmt = c
        .prepare_cached("SELECT unread_count FROM user_counters WHERE user_id = $1")
        .await?;
    let count: Option<i64> = c
        .query_opt(&stmt, &[&user_id])
        .await?
        .map(|row| row.try_get(0))
        .transpose()?;
    Ok(count.unwrap_or(0).max(0) as u64)
}

/// A page in "unread first, newest first" order: a backward scan of the
/// `(user_id, unread, seq)` index, starting below the cursor. The statement text depends on
/// which filters are present (a handful of variants, each prepared once per connection).
pub async fn list(c: &impl GenericClient, q: &ListQuery) -> Result<Page, Fail> {
    let mut sql =
        format!("SELECT {NOTIFICATION_COLUMNS}, unread FROM notifications WHERE user_id = $1");
    let limit = i64::from(q.limit) + 1;
    let cursor_unread = q.after.map(|c| c.unread);
    let cursor_seq = q.after.map(|c| c.seq);
    let kind = q.kind.map(Kind::as_str);
    let mut params: Vec<&(dyn ToSql + Sync)> = vec![&q.user_id, &limit];
    if q.unread_only {
        sql.push_str(" AND unread");
    }
    if q.after.is_some() {
        params.push(&cursor_unread);
        params.push(&cursor_seq);
        let (u, s) = (params.len() - 1, params.len());
        sql.push_str(&format!(" AND (unread, seq) < (${u}, ${s})"));
    }
    if q.kind.is_some() {
        params.push(&kind);
        sql.push_str(&format!(" AND type = ${}", params.len()));
    }
    if q.category.is_some() {
        params.push(&q.category);
        sql.push_str(&format!(" AND category = ${}", params.len()));
    }
    // Search: every (lower-case) word somewhere in the title, body or category. A word holds
    // no white space, so joining the fields with a line break cannot make a false match.
    // The expression is the one `notifications_search` indexes (migration V3), so that the
    // trigram index can answer `LIKE '%word%'`.
    let patterns: Vec<String> = q.words.iter().map(|word| contains_pattern(word)).collect();
    for pattern in &patterns {
        params.push(pattern);
        sql.push_str(&format!(
            " AND lower(title || E'\\n' || coalesce(body, '') || E'\\n' || \
             coalesce(category, '')) LIKE ${}",
            params.len()
        ));
    }
    sql.push_str(" ORDER BY unread DESC, seq DESC LIMIT $2");
    let stmt = c.prepare_cached(&sql).await?;
    let rows = c.query(&stmt, &params).await?;
    let mut page = Vec::with_capacity(rows.len());
    for row in &rows {
        page.push((notification(row)?, row.try_get::<_, bool>(10)?));
    }
    let next = if page.len() > q.limit as usize {
        page.truncate(q.limit as usize);
        page.last().map(|(n, unread)| Cursor {
            unread: *unread,
            seq: n.seq,
        })
    } else {
        None
    };
    Ok(Page {
        notifications: page.into_iter().map(|(n, _)| n).collect(),
        unread_count: unread_count(c, &q.user_id).await?,
        next,
    })
}

/// A user's notifications above `after` in sequence order, for stream resume and catch-up.
pub async fn since_seq(
    c: &impl GenericClient,
    user_id: &str,
    after: i64,
    limit: u32,
) -> Result<Vec<Notification>, Fail> {
    let sql = format!(
        "SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE user_id = $1 AND seq > $2 ORDER BY seq LIMIT $3"
    );
    let stmt = c.prepare_cached(&sql).await?;
    let rows = c
        .query(&stmt, &[&user_id, &after, &i64::from(limit)])
        .await?;
    Ok(rows.iter().map(notification).collect::<Result<_, _>>()?)
}

pub async fn preferences(c: &impl GenericClient, user_id: &str) -> Result<Preferences, Fail> {
    let stmt = c
        .prepare_cached("SELECT in_app, email FROM preferences WHERE user_id = $1")
        .await?;
    let mut prefs = match c.query_opt(&stmt, &[&user_id]).await? {
        Some(row) => Preferences {
            in_app: row.try_get(0)?,
            email: row.try_get(1)?,
            ..Preferences::default()
        },
        None => Preferences::default(),
    };
    let stmt = c
        .prepare_cached(
            "SELECT category, in_app, email FROM category_preferences WHERE user_id = $1",
        )
        .await?;
    for row in c.query(&stmt, &[&user_id]).await? {
        prefs.categories.insert(
            row.try_get(0)?,
            CategoryPreference {
                in_app: row.try_get(1)?,
                email: row.try_get(2)?,
            },
        );
    }
    Ok(prefs)
}

/// The live (unrevoked) token with this hash.
pub async fn authenticate(
    c: &impl GenericClient,
    hash: &[u8; 32],
) -> Result<Option<Principal>, Fail> {
    let stmt = c
        .prepare_cached(
            "SELECT id, scope, user_id, last_used_at FROM tokens WHERE hash = $1 AND revoked_at IS NULL",
        )
        .await?;
    let Some(row) = c.query_opt(&stmt, &[&&hash[..]]).await? else {
        return Ok(None);
    };
    let scope: String = row.try_get(1)?;
    let user: Option<String> = row.try_get(2)?;
    Ok(Some(Principal {
        token_id: row.try_get(0)?,
        scope: match (scope.as_str(), user) {
            ("user", Some(user)) => Scope::User(user),
            _ => Scope::Service,
        },
        last_used_at: row.try_get(3)?,
    }))
}

/// The last sequence number `user_id` was given (0 for none, or no such user).
pub async fn max_seq(c: &impl GenericClient, user_id: &str) -> Result<i64, Fail> {
    let stmt = c
        .prepare_cached("SELECT last_seq FROM user_counters WHERE user_id = $1")
        .await?;
    let row = c.query_opt(&stmt, &[&user_id]).await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?.unwrap_or(0))
}

/// Every user's last sequence number: the baseline from which the LISTEN connection's
/// catch-up looks for what it may have missed.
pub async fn last_seqs(c: &impl GenericClient) -> Result<Vec<(String, i64)>, Fail> {
    let stmt = c
        .prepare_cached("SELECT user_id, last_seq FROM user_counters")
        .await?;
    let rows = c.query(&stmt, &[]).await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// The `LIKE` pattern that matches text containing `word` (`%`, `_` and `\` in it are
/// literal).
fn contains_pattern(word: &str) -> String {
    let mut pattern = String::with_capacity(word.len() + 2);
    pattern.push('%');
    for c in word.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::contains_pattern;

    #[test]
    fn issue16_a_search_word_is_literal_in_its_like_pattern() {
        assert_eq!(contains_pattern("deploy"), "%deploy%");
        assert_eq!(contains_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }
}
