//! Search inside an inbox (`GET /api/notifications?q=`): only notifications whose title,
//! body or category contains every word, ignoring case.
//!
//! Two ways to find a page, chosen per request:
//! - **candidates**: the full-text index (`notifications_search`, trigram, migration 0005,
//!   made again without column sizes by 0010) names the notifications that contain the
//!   words of three or more characters, and the rows not indexed yet (`search_pending`)
//!   join them; when they are few (at most `MAX_CANDIDATES`, all users together), the page
//!   is chosen among those rows alone, whatever the inbox's size;
//! - **walk**: otherwise (only short words, or words found everywhere) the inbox is read in
//!   its own order and each row checked, which stops as soon as the page is full — quick
//!   exactly when matches are many.
//!
//! Either way every row is checked against every word with `notif_contains`, so the index
//! only narrows and words of one or two characters (which trigrams cannot find) are exact.

use rusqlite::Connection;
use rusqlite::functions::FunctionFlags;

use super::StoreError;

/// Words at least this long (in characters) can be found by the trigram index.
const INDEXED_WORD: usize = 3;
/// The most candidates the index may name for the page to be chosen among them.
pub const MAX_CANDIDATES: usize = 2000;
/// Notes gathered in `search_pending` before the writer indexes them ([`index_pending`]).
pub const INDEX_EVERY: u64 = 64;
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

/// Notes a notification just inserted at `seq` for [`index_pending`].
pub fn note_pending(conn: &Connection, seq: i64) -> Result<(), StoreError> {
    conn.prepare_cached("INSERT INTO search_pending (seq) VALUES (?1)")?
        .execute([seq])?;
    Ok(())
}

/// Indexes the notifications inserted since the last call (noted in `search_pending`,
/// migration 0007, by [`note_pending`]) in one statement. The writer calls it just before
/// a commit, once [`INDEX_EVERY`] notes have gathered: each call writes a segment of the
/// full-text index and merges older ones, work that depends little on how many rows it
/// indexes. Until then a search takes the noted rows as candidates ([`plan`]).
pub fn index_pending(conn: &Connection) -> Result<(), StoreError> {
    // Even an insert of no rows has the index write to the disk at the commit.
    let pending: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM search_pending)")?
        .query_row([], |r| r.get(0))?;
    if !pending {
        return Ok(());
    }
    conn.prepare_cached(
        "INSERT INTO notifications_search (rowid, title, body, category)
         SELECT n.seq, n.title, n.body, n.category
         FROM search_pending p JOIN notifications n ON n.seq = p.seq",
    )?
    .execute([])?;
    conn.prepare_cached("DELETE FROM search_pending")?
        .execute([])?;
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
    // The rows still waiting in `search_pending` are not in the index yet: they are
    // candidates whatever their words (at most a few batches' worth, see `index_pending`).
    let mut stmt = conn.prepare_cached(
        "SELECT rowid FROM notifications_search WHERE notifications_search MATCH ?1
         UNION ALL SELECT seq FROM search_pending
         LIMIT ?2",
    )?;
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
        // FTS5 reads a query only up to a NUL: such a word is checked on the rows alone.
        .filter(|w| w.chars().count() >= INDEXED_WORD && !w.contains('\0'))
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
mod tests {
    use super::*;
    use crate::cursor::Cursor;
    use crate::store::NotifyCommand;
    use crate::store::queries::list;
    use crate::store::sqlite::migrations;
    use crate::store::testing::{add_user, database, insert_noted, search_index_is_whole};
    use crate::store::writes::{delete, notify};
    use crate::store::{ListQuery, NotifyOutcome, Page};

    #[test]
    fn only_long_words_reach_the_index_and_quotes_are_literal() {
        let words = words("Disk  is \"FULL\" on web-1");
        assert_eq!(words, ["disk", "is", "\"full\"", "on", "web-1"]);
        assert_eq!(
            index_query(&words).as_deref(),
            Some("\"disk\" AND \"\"\"full\"\"\" AND \"web-1\"")
        );
        assert_eq!(index_query(&["is".into(), "é".into()]), None);
    }

    /// Adds a notification for alice; returns its id.
    fn add(conn: &Connection, title: &str, body: Option<&str>, cat: Option<&str>) -> String {
        let mut cmd = NotifyCommand::plain("alice", title);
        cmd.notification.body = body.map(str::to_owned);
        cmd.notification.category = cat.map(str::to_owned);
        let written = notify(conn, &cmd, false, 0).unwrap();
        index_pending(conn).unwrap();
        match written.value {
            NotifyOutcome::Created(r) => r.notification.unwrap().id,
            NotifyOutcome::Replayed(body) => panic!("{body}"),
        }
    }

    fn search(conn: &Connection, q: &str, limit: u32, after: Option<Cursor>) -> Page {
        let query = ListQuery {
            user_id: "alice".into(),
            limit,
            after,
            unread_only: false,
            kind: None,
            category: None,
            words: words(q),
        };
        list(conn, &query).unwrap()
    }

    fn titles(page: &Page) -> Vec<&str> {
        page.notifications
            .iter()
            .map(|n| n.title.as_str())
            .collect()
    }

    fn inbox() -> Connection {
        let conn = database();
        add_user(&conn, "alice", None);
        add_user(&conn, "bob", None);
        add(&conn, "Disk FULL on web-1", Some("clean /var"), Some("ops"));
        add(
            &conn,
            "Deploy finished",
            Some("web-2 is on v2.3"),
            Some("deploy"),
        );
        add(&conn, "École fermée", None, None);
        notify(
            &conn,
            &NotifyCommand::plain("bob", "disk full too"),
            false,
            0,
        )
        .unwrap();
        conn
    }

    #[test]
    fn issue16_search_finds_every_word_in_title_body_or_category_ignoring_case() {
        let conn = inbox();
        assert_eq!(
            titles(&search(&conn, "DISK", 50, None)),
            ["Disk FULL on web-1"]
        );
        assert_eq!(
            titles(&search(&conn, "web on", 50, None)),
            ["Deploy finished", "Disk FULL on web-1"]
        );
        assert_eq!(
            titles(&search(&conn, "ops full", 50, None)),
            ["Disk FULL on web-1"]
        );
        assert_eq!(
            titles(&search(&conn, "v2.3 DEPLOY", 50, None)),
            ["Deploy finished"]
        );
        assert_eq!(
            titles(&search(&conn, "FERMÉE éc", 50, None)),
            ["École fermée"]
        );
        assert_eq!(titles(&search(&conn, "2", 50, None)), ["Deploy finished"]);
        assert!(search(&conn, "disk zz", 50, None).notifications.is_empty());
        assert!(search(&conn, "\"; DROP", 50, None).notifications.is_empty());
        for odd in [
            "NEAR(disk full)",
            "disk*",
            "a\u{0}bc",
            "^disk",
            "OR AND NOT",
            "{title}: x",
        ] {
            assert!(
                search(&conn, odd, 50, None).notifications.is_empty(),
                "{odd:?}"
            );
        }
        assert_eq!(
            search(&conn, "disk", 50, None).unread_count,
            3,
            "all unread, not the page's"
        );
    }

    #[test]
    fn issue16_search_pages_in_the_list_order_whichever_the_plan() {
        let conn = inbox();
        for q in ["on", "web"] {
            let first = search(&conn, q, 1, None);
            assert_eq!(titles(&first), ["Deploy finished"], "{q}");
            let second = search(&conn, q, 1, first.next);
            assert_eq!(titles(&second), ["Disk FULL on web-1"], "{q}");
            assert_eq!(second.next, None, "{q}");
        }
        assert_eq!(plan(&conn, &words("on")).unwrap(), Plan::Walk);
        assert!(matches!(
            plan(&conn, &words("web")).unwrap(),
            Plan::Candidates(_)
        ));
        for i in 0..=MAX_CANDIDATES {
            add(&conn, &format!("web {i}"), None, None);
        }
        assert_eq!(
            plan(&conn, &words("web")).unwrap(),
            Plan::Walk,
            "too many candidates"
        );
        assert_eq!(
            titles(&search(&conn, "web 7", 2, None)),
            ["web 1997", "web 1987"]
        );
    }

    #[test]
    fn issue16_search_index_follows_deletes_and_indexes_rows_from_before_it() {
        let conn = inbox();
        let id = add(&conn, "gone soon", None, None);
        assert_eq!(titles(&search(&conn, "gone", 50, None)), ["gone soon"]);
        delete(&conn, "alice", &id).unwrap();
        assert!(search(&conn, "gone", 50, None).notifications.is_empty());

        let mut old = Connection::open_in_memory().unwrap();
        migrations().to_version(&mut old, 4).unwrap();
        add_user(&old, "alice", None);
        old.execute(
            "INSERT INTO notifications (id, user_id, type, title, created_at)
             VALUES ('before', 'alice', 'INFO', 'from before search', 0)",
            [],
        )
        .unwrap();
        migrations().to_latest(&mut old).unwrap();
        register(&old).unwrap();
        assert_eq!(
            titles(&search(&old, "BEFORE", 50, None)),
            ["from before search"]
        );
    }

    #[test]
    fn rows_waiting_for_the_index_are_found_and_one_gone_before_leaves_the_index_whole() {
        let conn = inbox();
        let pending =
            |title: &str| match notify(&conn, &NotifyCommand::plain("alice", title), false, 0)
                .unwrap()
                .value
            {
                NotifyOutcome::Created(r) => r.notification.unwrap().id,
                NotifyOutcome::Replayed(body) => panic!("{body}"),
            };
        let gone = pending("pending then gone");
        pending("pending then kept");
        insert_noted(&conn, "from-elsewhere", "pending from another process");
        assert_eq!(
            titles(&search(&conn, "pending", 50, None)),
            [
                "pending from another process",
                "pending then kept",
                "pending then gone"
            ],
            "found while waiting, among the candidates"
        );
        assert!(matches!(
            plan(&conn, &words("pending")).unwrap(),
            Plan::Candidates(_)
        ));
        assert!(
            search(&conn, "pending zzz", 50, None)
                .notifications
                .is_empty()
        );
        delete(&conn, "alice", &gone).unwrap();
        conn.execute(
            "UPDATE notifications SET title = 'pending, retitled' WHERE id = 'from-elsewhere'",
            [],
        )
        .unwrap();
        assert_eq!(
            titles(&search(&conn, "pending", 50, None)),
            ["pending, retitled", "pending then kept"]
        );
        index_pending(&conn).unwrap();
        assert_eq!(
            titles(&search(&conn, "pending", 50, None)),
            ["pending, retitled", "pending then kept"]
        );
        assert!(search_index_is_whole(&conn));
        delete(&conn, "alice", "from-elsewhere").unwrap();
        assert_eq!(
            titles(&search(&conn, "pending", 50, None)),
            ["pending then kept"]
        );
        assert!(search_index_is_whole(&conn));
    }

    #[test]
    fn contains_ignores_case_beyond_ascii() {
        let conn = Connection::open_in_memory().unwrap();
        register(&conn).unwrap();
        let check = |text: Option<&str>, word: &str| -> bool {
            conn.query_row("SELECT notif_contains(?1, ?2)", (text, fold(word)), |r| {
                r.get(0)
            })
            .unwrap()
        };
        assert!(check(Some("École FERMÉE"), "fermée"));
        assert!(check(Some("École"), "éc"));
        assert!(!check(Some("École"), "ecole"));
        assert!(!check(None, "a"));
    }
}
