//! Search's plans and results, on an in-memory database.

use super::*;
use crate::cursor::Cursor;
use crate::store::NotifyCommand;
use crate::store::queries::list;
use crate::store::sqlite::migrations;
use crate::store::testing::{add_user, database, insert_from_elsewhere, search_index_is_whole};
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
    let pending = |title: &str| match notify(&conn, &NotifyCommand::plain("alice", title), false, 0)
        .unwrap()
        .value
    {
        NotifyOutcome::Created(r) => r.notification.unwrap().id,
        NotifyOutcome::Replayed(body) => panic!("{body}"),
    };
    let gone = pending("pending then gone");
    pending("pending then kept");
    insert_from_elsewhere(&conn, "from-elsewhere", "pending from another process");
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

#[test]
fn letters_sqlite_folds_otherwise_are_found_before_and_after_indexing() {
    let conn = inbox();
    let titles_for = |q: &str| -> Vec<String> {
        titles(&search(&conn, q, 50, None))
            .into_iter()
            .map(str::to_owned)
            .collect()
    };
    for (title, q) in [
        ("İzmir deposu dolu", "İzmir"),
        ("ᏣᎳᎩ", "ᏣᎳᎩ"),
        ("ᲒᲐᲛᲐᲠᲯᲝᲑᲐ", "გამარჯობა"),
    ] {
        notify(&conn, &NotifyCommand::plain("alice", title), false, 0).unwrap();
        assert_eq!(titles_for(q), [title], "{q} waiting for the index");
        index_pending(&conn).unwrap();
        assert_eq!(titles_for(q), [title], "{q} indexed");
    }
}

#[test]
fn a_word_ending_where_a_dotted_capital_i_begins_is_found_after_indexing() {
    let conn = inbox();
    notify(
        &conn,
        &NotifyCommand::plain("alice", "TAKSİ ÇAĞRILDI"),
        false,
        0,
    )
    .unwrap();
    index_pending(&conn).unwrap();
    assert_eq!(
        titles(&search(&conn, "taksi", 50, None)),
        ["TAKSİ ÇAĞRILDI"]
    );
    assert!(matches!(
        plan(&conn, &words("taksi")).unwrap(),
        Plan::Candidates(_)
    ));
}
