//! The SQL that reads: plain functions over a connection, shared by the read pool and the
//! writer (which reads inside its transactions). Statements go through `prepare_cached`.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{ListQuery, Page, StoreError, search, stored_id};
use crate::cursor::Cursor;
use crate::model::{CategoryPreference, Notification, Preferences, Principal, Scope, TokenScope};

pub const NOTIFICATION_COLUMNS: &str =
    "seq, id, user_id, type, title, body, link, category, read_at, created_at";

/// Maps a row selected with `NOTIFICATION_COLUMNS`.
pub fn notification(row: &Row<'_>) -> rusqlite::Result<Notification> {
    Ok(Notification {
        seq: row.get(0)?,
        id: stored_id::from_stored(row.get(1)?),
        user_id: row.get(2)?,
        kind: row.get(3)?,
        title: row.get(4)?,
        body: row.get(5)?,
        link: row.get(6)?,
        category: row.get(7)?,
        read_at: row.get(8)?,
        created_at: row.get(9)?,
    })
}

/// One of a user's notifications by id.
pub fn get(conn: &Connection, user_id: &str, id: &str) -> Result<Notification, StoreError> {
    let sql = format!(
        "SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE id IN (?1, ?3) AND user_id = ?2"
    );
    let (id, swapped) = stored_id::lookup_forms(id);
    conn.prepare_cached(&sql)?
        .query_row(params![id, user_id, swapped], notification)
        .optional()?
        .ok_or(StoreError::NotFound)
}

/// A user's unread count, kept up to date by the notify write (`writes::Recipients`) and by
/// triggers on changes and deletes (migration 0003).
pub fn unread_count(conn: &Connection, user_id: &str) -> Result<u64, StoreError> {
    let count: Option<i64> = conn
        .prepare_cached("SELECT unread_count FROM users WHERE id = ?1")?
        .query_row([user_id], |r| r.get(0))
        .optional()?;
    Ok(count.unwrap_or(0).max(0) as u64)
}

pub fn user_exists(conn: &Connection, user_id: &str) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM users WHERE id = ?1")?
        .exists([user_id])?)
}

/// A page in "unread first, newest first" order: a backward scan of the
/// `(user_id, unread, seq)` index (or of the category or type index), starting below the
/// cursor; a search narrows it first (`search`). The statement text depends on which filters
/// are present (a handful of variants, each prepared once and cached).
pub fn list(conn: &Connection, q: &ListQuery) -> Result<Page, StoreError> {
    let plan = search::plan(conn, &q.words)?;
    let mut stmt = conn.prepare_cached(&list_sql(q, &plan))?;
    let limit = i64::from(q.limit) + 1;
    let cursor_unread = q.after.map(|c| i64::from(c.unread));
    let cursor_seq = q.after.map(|c| c.seq);
    let candidates = match &plan {
        search::Plan::Candidates(seqs) => Some(seqs.as_str()),
        _ => None,
    };
    let values: [(&str, &dyn rusqlite::ToSql); 7] = [
        (":user", &q.user_id),
        (":cursor_unread", &cursor_unread),
        (":cursor_seq", &cursor_seq),
        (":kind", &q.kind),
        (":category", &q.category),
        (":limit", &limit),
        (":candidates", &candidates),
    ];
    for (name, value) in values {
        if let Some(index) = stmt.parameter_index(name)? {
            stmt.raw_bind_parameter(index, value)?;
        }
    }
    for (i, word) in q.words.iter().enumerate() {
        if let Some(index) = stmt.parameter_index(&format!(":w{i}"))? {
            stmt.raw_bind_parameter(index, word)?;
        }
    }
    let mut rows = Vec::with_capacity(q.limit as usize + 1);
    let mut query = stmt.raw_query();
    while let Some(row) = query.next()? {
        let unread: bool = row.get(10)?;
        rows.push((notification(row)?, unread));
    }
    let next = if rows.len() > q.limit as usize {
        rows.truncate(q.limit as usize);
        rows.last().map(|(n, unread)| Cursor {
            unread: *unread,
            seq: n.seq,
        })
    } else {
        None
    };
    Ok(Page {
        notifications: rows.into_iter().map(|(n, _)| n).collect(),
        unread_count: unread_count(conn, &q.user_id)?,
        next,
    })
}

/// The statement `list` runs for `q` searched as `plan`.
pub(super) fn list_sql(q: &ListQuery, plan: &search::Plan) -> String {
    // With candidates, `+user_id` keeps SQLite from walking the whole inbox index: the few
    // candidate rows are looked up by `seq` and sorted.
    let user = match plan {
        search::Plan::Candidates(_) => "+user_id = :user",
        _ => "user_id = :user",
    };
    let mut sql = format!("SELECT {NOTIFICATION_COLUMNS}, unread FROM notifications WHERE {user}");
    if q.unread_only {
        sql.push_str(" AND unread = 1");
    }
    if q.after.is_some() {
        sql.push_str(" AND (unread, seq) < (:cursor_unread, :cursor_seq)");
    }
    if q.kind.is_some() {
        sql.push_str(" AND type = :kind");
    }
    if q.category.is_some() {
        sql.push_str(" AND category = :category");
    }
    if let search::Plan::Candidates(_) = plan {
        sql.push_str(" AND seq IN (SELECT value FROM json_each(:candidates))");
    }
    if plan != &search::Plan::All {
        sql.push_str(&search::condition(q.words.len()));
    }
    sql.push_str(" ORDER BY unread DESC, seq DESC LIMIT :limit");
    sql
}

/// Rows `since_seq` reads per call at most, whatever its caller asks: a replay is read in
/// bounded steps, each two range scans of the inbox index, so that one long replay cannot
/// hold a reader for long and other reads interleave with its steps.
pub const MAX_SINCE_ROWS: u32 = 64;

/// The statement `since_seq` runs: the read and the unread rows above `?2`, each an
/// ordered range of the inbox index (user_id, unread, seq), merged in sequence order.
pub(super) fn since_sql() -> String {
    let group = |unread: u8| {
        format!(
            "SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE user_id = ?1 AND unread = {unread} AND seq > ?2"
        )
    };
    format!("{} UNION ALL {} ORDER BY seq LIMIT ?3", group(0), group(1))
}

/// A user's notifications above `after` in sequence order, for stream resume; at most
/// `MAX_SINCE_ROWS` of them per call.
pub fn since_seq(
    conn: &Connection,
    user_id: &str,
    after: i64,
    limit: u32,
) -> Result<Vec<Notification>, StoreError> {
    let mut stmt = conn.prepare_cached(&since_sql())?;
    let limit = limit.min(MAX_SINCE_ROWS);
    let rows = stmt.query_map(params![user_id, after, limit], notification)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn preferences(conn: &Connection, user_id: &str) -> Result<Preferences, StoreError> {
    let mut prefs = conn
        .prepare_cached("SELECT in_app, email FROM preferences WHERE user_id = ?1")?
        .query_row([user_id], |r| {
            Ok(Preferences {
                in_app: r.get(0)?,
                email: r.get(1)?,
                ..Preferences::default()
            })
        })
        .optional()?
        .unwrap_or_default();
    let mut stmt = conn.prepare_cached(
        "SELECT category, in_app, email FROM category_preferences WHERE user_id = ?1",
    )?;
    let rows = stmt.query_map([user_id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            CategoryPreference {
                in_app: r.get(1)?,
                email: r.get(2)?,
            },
        ))
    })?;
    for row in rows {
        let (name, entry) = row?;
        prefs.categories.insert(name, entry);
    }
    Ok(prefs)
}

/// The statement `authenticate` runs.
pub(super) const AUTHENTICATE_SQL: &str =
    "SELECT id, scope, user_id, last_used_at FROM tokens WHERE hash = ?1 AND revoked_at IS NULL";

/// The live (unrevoked) token with this hash.
pub fn authenticate(conn: &Connection, hash: &[u8; 32]) -> Result<Option<Principal>, StoreError> {
    let principal = conn
        .prepare_cached(AUTHENTICATE_SQL)?
        .query_row([&hash[..]], |r| {
            let scope = match (r.get(1)?, r.get(2)?) {
                (TokenScope::User, Some(user)) => Scope::User(user),
                (TokenScope::Service, None) => Scope::Service,
                // The schema's CHECK ties a user to exactly the user scope.
                (scope, user) => {
                    let problem = format!("a {scope} token with user {user:?}");
                    return Err(rusqlite::Error::FromSqlConversionFailure(
                        1,
                        rusqlite::types::Type::Text,
                        problem.into(),
                    ));
                }
            };
            Ok(Principal {
                token_id: r.get(0)?,
                scope,
                last_used_at: r.get(3)?,
            })
        })
        .optional()?;
    Ok(principal)
}

/// The highest sequence number `user_id` has had (0 if none): the newest of the unread and
/// of the read group, each one step down the inbox index.
pub fn user_max_seq(conn: &Connection, user_id: &str) -> Result<i64, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT max(coalesce((SELECT max(seq) FROM notifications WHERE user_id = ?1 AND unread = 0), 0), \
                        coalesce((SELECT max(seq) FROM notifications WHERE user_id = ?1 AND unread = 1), 0))",
        )?
        .query_row([user_id], |r| r.get(0))?)
}
