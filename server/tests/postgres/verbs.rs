//! Each store verb on PostgreSQL, as the SQLite store answers it.

use notif_server::model::{CategoryPreference, PreferencesPatch};
use notif_server::store::{ListQuery, NotifyCommand, NotifyOutcome, Page, Store, StoreError};

use super::support::{Node, database_with, next, send};

fn page_of(user: &str, limit: u32) -> ListQuery {
    ListQuery {
        user_id: user.into(),
        limit,
        after: None,
        unread_only: false,
        kind: None,
        category: None,
        words: Vec::new(),
    }
}

/// The titles of a page's notifications, in order.
fn titles(page: &Page) -> Vec<&str> {
    page.notifications
        .iter()
        .map(|n| n.title.as_str())
        .collect()
}

#[tokio::test]
async fn the_inbox_verbs_work_and_publish_through_listen() {
    let url = database_with(&["alice", "bob"]).await;
    let node = Node::open(&url).await;
    let store = &node.store;
    let mut stream = node.hub.subscribe("alice").unwrap();
    let seqs = [
        send(store, "alice", "one").await,
        send(store, "alice", "two").await,
        send(store, "alice", "three").await,
    ];
    assert_eq!(
        seqs,
        [1, 2, 3],
        "per-user sequences start at 1 and follow commits"
    );
    assert_eq!(send(store, "bob", "b").await, 1, "bob has his own sequence");
    for seq in seqs {
        assert_eq!(next(&mut stream).await.seq, Some(seq));
    }

    let page = store.list(page_of("alice", 2)).await.unwrap();
    assert_eq!(titles(&page), ["three", "two"]);
    assert_eq!(page.unread_count, 3);
    let rest = store
        .list(ListQuery {
            after: page.next,
            ..page_of("alice", 2)
        })
        .await
        .unwrap();
    assert_eq!(rest.notifications.len(), 1);
    assert!(rest.next.is_none());

    let two = &page.notifications[1];
    let read = store
        .set_read("alice".into(), two.id.clone(), true)
        .await
        .unwrap();
    assert!(read.read_at.is_some());
    let frame = next(&mut stream).await;
    let text = std::str::from_utf8(&frame.bytes).unwrap();
    assert!(
        text.starts_with("event: read\n") && text.contains("\"unreadCount\":2"),
        "{text}"
    );
    let again = store
        .set_read("alice".into(), two.id.clone(), true)
        .await
        .unwrap();
    assert_eq!(
        again.read_at, read.read_at,
        "reading again keeps the first readAt"
    );

    let page = store.list(page_of("alice", 10)).await.unwrap();
    assert_eq!(
        titles(&page),
        ["three", "one", "two"],
        "unread first, newest first"
    );

    store
        .delete("alice".into(), page.notifications[0].id.clone())
        .await
        .unwrap();
    let frame = next(&mut stream).await;
    assert!(
        std::str::from_utf8(&frame.bytes)
            .unwrap()
            .starts_with("event: deleted\n")
    );
    assert!(matches!(
        store
            .delete("bob".into(), page.notifications[1].id.clone())
            .await,
        Err(StoreError::NotFound)
    ));

    let all = store.read_all("alice".into()).await.unwrap();
    assert_eq!((all.updated, all.unread_count), (1, 0));
    assert_eq!(store.unread_count("alice".into()).await.unwrap(), 0);
    let since = store.since_seq("alice".into(), 1, 10).await.unwrap();
    assert_eq!(since.iter().map(|n| n.seq).collect::<Vec<_>>(), [2]);
    assert_eq!(store.max_seq("alice".into()).await.unwrap(), 3);
    assert!(matches!(
        store.notify(NotifyCommand::plain("nobody", "x")).await,
        Err(StoreError::UnknownUser(_))
    ));
}

#[tokio::test]
async fn preferences_decide_the_channels() {
    let url = database_with(&["alice"]).await;
    let node = Node::open(&url).await;
    let store = &node.store;
    let mut patch = PreferencesPatch {
        in_app: Some(false),
        ..PreferencesPatch::default()
    };
    patch.categories.insert(
        "deploy".into(),
        Some(CategoryPreference {
            in_app: Some(true),
            email: None,
        }),
    );
    let prefs = store
        .update_preferences("alice".into(), patch)
        .await
        .unwrap();
    assert!(!prefs.in_app && prefs.email);
    assert_eq!(store.preferences("alice".into()).await.unwrap(), prefs);
    let outcome = store
        .notify(NotifyCommand::plain("alice", "quiet"))
        .await
        .unwrap();
    assert!(matches!(outcome, NotifyOutcome::Created(r) if r.notification.is_none()));
    let mut deploy = NotifyCommand::plain("alice", "loud");
    deploy.notification.category = Some("deploy".into());
    let outcome = store.notify(deploy).await.unwrap();
    assert!(matches!(outcome, NotifyOutcome::Created(r) if r.notification.is_some()));
}

#[tokio::test]
async fn an_idempotent_notify_replays_and_refuses_another_body() {
    let url = database_with(&["alice"]).await;
    let token = {
        let c = notif_server::store::postgres::admin_connection(&url)
            .await
            .unwrap();
        notif_server::store::postgres::admin::add_token(&c, Some("alice"), None)
            .await
            .unwrap()
            .0
    };
    let node = Node::open(&url).await;
    let keyed = |hash: u8| NotifyCommand {
        idempotency: Some((token, "k1".into(), [hash; 32])),
        ..NotifyCommand::plain("alice", "once")
    };
    let first = node.store.notify(keyed(1)).await.unwrap();
    let NotifyOutcome::Created(created) = first else {
        panic!("created first")
    };
    match node.store.notify(keyed(1)).await.unwrap() {
        NotifyOutcome::Replayed(body) => {
            let id = created.notification.unwrap().id;
            assert!(body.contains(&id), "{body}");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        node.store.notify(keyed(2)).await,
        Err(StoreError::IdempotencyConflict)
    ));
}
