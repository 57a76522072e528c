//! Search inside an inbox (`GET /api/notifications?q=`): only notifications whose title,
//! body or category contains every word, ignoring case.
//!
//! Two ways to find a page, chosen per request:
//! - **candidates**: the full-text index (`notifications_search`, trigram, migration 0005,
//!   made again without column sizes by 0010) names the notifications that contain the
//!   words of three or more characters, and the rows not indexed yet (above the index's
//!   watermark, `search_indexed`, migration 0012) join them; when they are few (at most
//!   `MAX_CANDIDATES`, all users together), the page is chosen among those rows alone,
//!   whatever the inbox's size;
//! - **walk**: otherwise (only short words, or words found everywhere) the inbox is read in
//!   its own order and each row checked, which stops as soon as the page is full — quick
//!   exactly when matches are many.
//!
//! Either way every row is checked against every word with `notif_contains`, so the index
//! only narrows and words of one or two characters (which trigrams cannot find) are exact.

mod folding;

use rusqlite::Connection;
use rusqlite::functions::FunctionFlags;

use super::StoreError;

/// Words at least this long (in characters) can be found by the trigram index.
const INDEXED_WORD: usize = 3;
/// The most candidates the index may name for the page to be chosen among them.
pub const MAX_CANDIDATES: usize = 2000;
/// The writer's notifications committed before its next batch indexes the rows waiting
/// ([`index_pending`]). Each indexing writes a segment of the index and merges older ones;
/// every 256 rather than every 64 took 4.5% fewer of the server's instructions per
/// notification at full ingest (callgrind), while a search then checks up to 256 rows more
/// (and one batch) among its candidates, which `notif-bench list` did not show.
pub const INDEX_EVERY: u64 = 256;
/// The SQL function `notif_contains(text, folded_word)`: whether `text` contains the word,
/// ignoring case (Unicode lower case, unlike SQLite's ASCII-only `LIKE`).
const CONTAINS: &str = "notif_contains";

/// How a search finds its page.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    /// No search: every notification of the inbox qualifies.
    All,
    /// Only these notifications (by `seq`, as a JSON array) can match.
    Candidates(String),
    /// Read the inbox in order, checking each row.
    Walk,
}

/// The folded form of a text or word: what `notif_contains` compares.
pub fn fold(text: &str) -> String {
    text.to_lowercase()
}

/// Makes `notif_contains` available on `conn`; every connection that lists needs it.
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        CONTAINS,
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let text = ctx.get_raw(0).as_str_or_null()?;
            let word = ctx.get_raw(1).as_str()?;
            Ok(text.is_some_and(|t| fold(t).contains(word)))
        },
    )
}

/// The notifications waiting for the index: those above the watermark (migration 0012),
/// every one inserted since the last indexing, by the writer or anything else.
pub(super) const WAITING: &str = "seq > (SELECT seq FROM search_indexed WHERE id = 1)";

/// Indexes the notifications inserted since the last call (those above the watermark,
/// migration 0012) in one statement, and moves the watermark up to the last of them. The
/// writer calls it just before a commit, in the batch after [`INDEX_EVERY`] of its
/// notifications were committed (not before each commit, as migration 0007's comment
/// tells): each call writes a segment of the full-text index and merges older ones, work
/// that depends little on how many rows it indexes. Until then a search takes the waiting
/// rows as candidates ([`plan`]).
pub fn index_pending(conn: &Connection) -> Result<(), StoreError> {
    let last: Option<i64> = conn
        .prepare_cached(&format!(
            "SELECT max(seq) FROM notifications WHERE {WAITING}"
        ))?
        .query_row([], |r| r.get(0))?;
    // Even an insert of no rows has the index write to the disk at the commit.
    let Some(last) = last else {
        return Ok(());
    };
    conn.prepare_cached(&format!(
        "INSERT INTO notifications_search (rowid, title, body, category)
         SELECT seq, title, body, category FROM notifications WHERE {WAITING} AND seq <= ?1"
    ))?
    .execute([last])?;
    conn.prepare_cached("UPDATE search_indexed SET seq = ?1 WHERE id = 1")?
        .execute([last])?;
    Ok(())
}

/// Chooses how to search for `words` (already split; empty: no search).
pub fn plan(conn: &Connection, words: &[String]) -> Result<Plan, StoreError> {
    if words.is_empty() {
        return Ok(Plan::All);
    }
    let Some(query) = index_query(words) else {
        return Ok(Plan::Walk);
    };
    // The rows waiting for the index are not in it yet: they are candidates whatever their
    // words: the writer's own, at most `INDEX_EVERY` and one batch (see `index_pending`),
    // and any another process added since its last indexing.
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT rowid FROM notifications_search WHERE notifications_search MATCH ?1
         UNION ALL SELECT seq FROM notifications WHERE {WAITING}
         LIMIT ?2"
    ))?;
    let seqs = stmt
        .query_map(rusqlite::params![query, MAX_CANDIDATES as i64 + 1], |r| {
            r.get::<_, i64>(0)
        })?
        .collect::<Result<Vec<_>, _>>()?;
    if seqs.len() > MAX_CANDIDATES {
        return Ok(Plan::Walk);
    }
    let list: Vec<String> = seqs.iter().map(i64::to_string).collect();
    Ok(Plan::Candidates(format!("[{}]", list.join(","))))
}

/// The full-text query for the words the index can find: each a quoted phrase (so that no
/// character is an operator), all required. `None` when every word is too short.
fn index_query(words: &[String]) -> Option<String> {
    let phrases: Vec<String> = words
        .iter()
        // FTS5 reads a query only up to a NUL: such a word is checked on the rows alone,
        // as is one whose letters SQLite folds otherwise (`folding`).
        .filter(|w| !w.contains('\0'))
        .filter_map(|w| folding::index_form(w))
        .filter(|w| w.chars().count() >= INDEXED_WORD)
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect();
    (!phrases.is_empty()).then(|| phrases.join(" AND "))
}

/// The SQL condition that a row contains each of `count` words, bound as `:w0`, `:w1`, …
/// (folded with `fold`).
pub fn condition(count: usize) -> String {
    (0..count)
        .map(|i| {
            format!(
                " AND ({CONTAINS}(title, :w{i}) OR {CONTAINS}(body, :w{i}) OR {CONTAINS}(category, :w{i}))"
            )
        })
        .collect()
}

/// Splits a search into its words (runs of non-blank characters), folded.
pub fn words(q: &str) -> Vec<String> {
    q.split_whitespace().map(fold).collect()
}

#[cfg(test)]
mod upgrade_tests;

#[cfg(test)]
mod tests;
