//! The hot queries' plans, as SQLite chooses them on the real schema: each must read an
//! index range, never scan a table or sort in a temporary B-tree (issue 11, point 3).
//! `EXPLAIN QUERY PLAN` says what SQLite will do, so a missing index fails here rather
//! than as a slow server on a big inbox.

use rusqlite::Connection;

use super::ListQuery;
use super::queries::{AUTHENTICATE_SQL, list_sql, since_sql};
use super::search::{Plan, WAITING};
use super::testing::database;
use crate::cursor::Cursor;
use crate::model::Kind;

/// The plan's lines (`detail` of each `EXPLAIN QUERY PLAN` row).
fn plan_of(conn: &Connection, sql: &str) -> Vec<String> {
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    let mut rows = stmt.raw_query();
    let mut lines = Vec::new();
    while let Some(row) = rows.next().unwrap() {
        lines.push(row.get::<_, String>(3).unwrap());
    }
    lines
}

/// Fails unless every table is reached through an index (virtual tables aside) and nothing
/// is sorted; `sorted_ok` allows a sort (of a bounded set of rows).
fn assert_indexed(conn: &Connection, what: &str, sql: &str, sorted_ok: bool) {
    let plan = plan_of(conn, sql);
    let full_scan = plan
        .iter()
        .any(|line| line.starts_with("SCAN ") && !line.contains("VIRTUAL TABLE"));
    let sorts = plan.iter().any(|line| line.contains("TEMP B-TREE"));
    assert!(
        !full_scan && (sorted_ok || !sorts),
        "{what}: {sql}\nplan: {plan:#?}"
    );
    assert!(
        plan.iter().any(|line| line.contains("USING")),
        "{what}: no index used\nplan: {plan:#?}"
    );
}

fn query() -> ListQuery {
    ListQuery {
        user_id: "alice".into(),
        limit: 50,
        after: None,
        unread_only: false,
        kind: None,
        category: None,
        words: Vec::new(),
    }
}

#[test]
fn issue11_point3_hot_queries_use_an_index_and_never_sort() {
    let conn = database();
    assert_indexed(&conn, "stream resume", &since_sql(), false);

    let cursor = Some(Cursor {
        unread: true,
        seq: 10,
    });
    let category = Some("deploy".to_owned());
    let lists = [
        ("inbox", query()),
        (
            "unread only",
            ListQuery {
                unread_only: true,
                ..query()
            },
        ),
        (
            "next page",
            ListQuery {
                after: cursor,
                ..query()
            },
        ),
        (
            "by type",
            ListQuery {
                kind: Some(Kind::Error),
                ..query()
            },
        ),
        (
            "by category",
            ListQuery {
                category: category.clone(),
                ..query()
            },
        ),
        (
            "by category and type, unread, next page",
            ListQuery {
                category: category.clone(),
                kind: Some(Kind::Info),
                unread_only: true,
                after: cursor,
                ..query()
            },
        ),
        (
            "unread by type, next page",
            ListQuery {
                kind: Some(Kind::Info),
                unread_only: true,
                after: cursor,
                ..query()
            },
        ),
    ];
    for (what, q) in &lists {
        assert_indexed(&conn, what, &list_sql(q, &Plan::All), false);
    }
    let search = || ListQuery {
        words: vec!["disk".into(), "is".into()],
        ..query()
    };
    assert_indexed(
        &conn,
        "search, walking the inbox",
        &list_sql(&search(), &Plan::Walk),
        false,
    );
    let walked_category = ListQuery {
        category,
        ..search()
    };
    assert_indexed(
        &conn,
        "search in a category",
        &list_sql(&walked_category, &Plan::Walk),
        false,
    );
    // Among candidates, the sort is of at most `search::MAX_CANDIDATES` rows.
    let among = list_sql(&search(), &Plan::Candidates("[1,2]".into()));
    assert_indexed(&conn, "search among candidates", &among, true);
    let what = "candidates are looked up by seq";
    assert_plan_mentions(&conn, what, &among, "INTEGER PRIMARY KEY");
}

#[test]
fn issue11_point3_authentication_uses_an_index() {
    assert_indexed(&database(), "authenticate", AUTHENTICATE_SQL, false);
}

/// Fails unless a line of `sql`'s plan mentions `needle` (an index, a kind of lookup).
fn assert_plan_mentions(conn: &Connection, what: &str, sql: &str, needle: &str) {
    let plan = plan_of(conn, sql);
    assert!(
        plan.iter().any(|line| line.contains(needle)),
        "{what}: no {needle}\nplan: {plan:#?}"
    );
}

#[test]
fn the_rows_waiting_for_the_search_index_are_a_range_of_sequence_numbers() {
    let conn = database();
    let sql = format!("SELECT max(seq) FROM notifications WHERE {WAITING}");
    assert_indexed(&conn, "rows waiting for the index", &sql, false);
    let what = "read from the watermark up";
    assert_plan_mentions(&conn, what, &sql, "INTEGER PRIMARY KEY (rowid>?)");
}

#[test]
fn a_list_by_type_reads_the_type_index() {
    let conn = database();
    for kind in [Kind::Info, Kind::Success, Kind::Warning, Kind::Error] {
        let by_type = ListQuery {
            kind: Some(kind),
            ..query()
        };
        let sql = list_sql(&by_type, &Plan::All);
        assert_plan_mentions(&conn, kind.as_str(), &sql, "notifications_by_type");
    }
}

#[test]
fn a_list_by_category_reads_the_category_index() {
    let conn = database();
    let by_category = ListQuery {
        category: Some("deploy".to_owned()),
        ..query()
    };
    let sql = list_sql(&by_category, &Plan::All);
    assert_plan_mentions(&conn, "by category", &sql, "notifications_by_category");
}
