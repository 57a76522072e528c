//! Preferences (API.md `GET`/`PUT /api/notifications/preferences` and notify's channel
//! decision): defaults, partial updates, per-category entries, and in-app delivery switched off.

use serde_json::{Map, Value, json};

use crate::support::http::{id_of, ids_of};
use crate::support::{FLAGS, TestServer};

/// The preferences of a user who never changed them.
fn defaults() -> Value {
    json!({"inApp": true, "email": true, "categories": {}})
}

/// `n` categories named `c0…`, each turning email off.
fn categories(n: usize, prefix: &str) -> Value {
    let map: Map<String, Value> = (0..n)
        .map(|i| (format!("{prefix}{i}"), json!({"email": false})))
        .collect();
    Value::Object(map)
}

#[tokio::test]
async fn preferences_default_to_both_channels_on_and_no_categories() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    assert_eq!(server.preferences(&alice).await, defaults());
}

#[tokio::test]
async fn put_changes_only_the_fields_it_names() {
    let (server, [alice, bob]) = TestServer::with_users(FLAGS, ["alice", "bob"]);
    let stored = server
        .set_preferences(&alice, &json!({"email": false}))
        .await;
    assert_eq!(
        stored,
        json!({"inApp": true, "email": false, "categories": {}})
    );
    let stored = server
        .set_preferences(&alice, &json!({"inApp": false}))
        .await;
    assert_eq!(
        stored,
        json!({"inApp": false, "email": false, "categories": {}})
    );
    let stored = server.set_preferences(&alice, &json!({})).await;
    assert_eq!(
        stored,
        json!({"inApp": false, "email": false, "categories": {}})
    );
    assert_eq!(server.preferences(&alice).await, stored);
    assert_eq!(
        server.preferences(&bob).await,
        defaults(),
        "bob keeps his defaults"
    );
}

#[tokio::test]
async fn categories_are_added_merged_and_removed_with_null() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let two_categories = json!({
        "categories": {"deploy": {"inApp": true, "email": false}, "ci": {"inApp": false}}
    });
    let stored = server.set_preferences(&alice, &two_categories).await;
    assert_eq!(
        stored["categories"]["deploy"],
        json!({"inApp": true, "email": false})
    );
    assert_eq!(stored["categories"]["ci"]["inApp"], false);
    assert!(
        !stored["categories"]["ci"]["email"].is_string(),
        "an unset channel is absent, null or a bool: {stored}"
    );
    let stored = server
        .set_preferences(&alice, &json!({"categories": {"billing": {"email": true}}}))
        .await;
    let names: Vec<&String> = stored["categories"].as_object().unwrap().keys().collect();
    assert_eq!(
        names.len(),
        3,
        "adding one category keeps the others: {stored}"
    );
    let stored = server
        .set_preferences(&alice, &json!({"email": false}))
        .await;
    assert_eq!(
        stored["categories"].as_object().unwrap().len(),
        3,
        "omitted categories kept"
    );
    let stored = server
        .set_preferences(&alice, &json!({"categories": {"deploy": null}}))
        .await;
    let categories = stored["categories"].as_object().unwrap();
    assert!(!categories.contains_key("deploy"), "null removes: {stored}");
    assert!(categories.contains_key("ci") && categories.contains_key("billing"));
    assert_eq!(server.preferences(&alice).await, stored);
    server
        .set_preferences(&alice, &json!({"categories": {"never-set": null}}))
        .await;
}

#[tokio::test]
async fn at_most_100_categories() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    server
        .put_preferences(&alice, &json!({"categories": categories(101, "c")}))
        .await
        .expect_invalid("categories");
    assert_eq!(server.preferences(&alice).await["categories"], json!({}));
    let stored = server
        .set_preferences(&alice, &json!({"categories": categories(100, "c")}))
        .await;
    assert_eq!(stored["categories"].as_object().unwrap().len(), 100);
    server
        .put_preferences(
            &alice,
            &json!({"categories": {"one-more": {"inApp": false}}}),
        )
        .await
        .expect_invalid("categories");
    server
        .set_preferences(
            &alice,
            &json!({"categories": {"c0": null, "one-more": {"inApp": false}}}),
        )
        .await;
}

#[tokio::test]
async fn preference_values_are_validated() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    server
        .put_preferences(&alice, &json!({"inApp": "yes"}))
        .await
        .expect_invalid("inApp");
    server
        .put_preferences(&alice, &json!({"email": 1}))
        .await
        .expect_invalid("email");
    server
        .put_preferences(&alice, &json!({"categories": ["deploy"]}))
        .await
        .expect_invalid("categories");
    for bad in [
        json!({"categories": {"Not Valid": {"inApp": false}}}),
        json!({"categories": {"": {"inApp": false}}}),
        json!({"categories": {"c".repeat(65): {"inApp": false}}}),
        json!({"categories": {"deploy": {"inApp": "no"}}}),
        json!({"categories": {"deploy": true}}),
    ] {
        let reply = server.put_preferences(&alice, &bad).await;
        let error = reply.expect_error(422, "validation_failed");
        assert!(error["fields"].is_object(), "422 names the field: {error}");
    }
    assert_eq!(
        server.preferences(&alice).await,
        defaults(),
        "rejected updates change nothing"
    );
}

#[tokio::test]
async fn in_app_off_answers_null_and_stores_and_streams_nothing() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let (mut stream, _) = server.subscribed_stream(&alice).await;
    server.set_in_app(&alice, false).await;
    let reply = server
        .notify_not_in_app(&alice, &json!({"title": "muted"}))
        .await;
    assert_eq!(reply["delivered"]["inApp"], false);
    assert!(reply["delivered"]["email"].is_boolean(), "{reply}");
    let page = server.list(&alice, "").await;
    assert_eq!(ids_of(&page).len(), 0);
    assert_eq!(page["unreadCount"], 0);
    server.set_in_app(&alice, true).await;
    let audible = id_of(&server.notify_title(&alice, "audible").await);
    let (_, streamed) = stream.expect_notification().await;
    assert_eq!(
        id_of(&streamed),
        audible,
        "the muted one was never streamed"
    );
}

#[tokio::test]
async fn category_entry_decides_before_the_global_flag() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    server
        .set_preferences(
            &alice,
            &json!({
                "inApp": false,
                "categories": {
                    "deploy": {"inApp": true},
                    "ci": {"email": false},
                }
            }),
        )
        .await;
    let deliver = |category: Option<&str>| {
        let body = match category {
            Some(c) => json!({"title": "t", "category": c}),
            None => json!({"title": "t"}),
        };
        let server = &server;
        let alice = &alice;
        async move { server.notify_raw(alice, &body).await.expect_json(201) }
    };
    let deploy = deliver(Some("deploy")).await;
    assert!(
        deploy["notification"].is_object(),
        "category on beats global off: {deploy}"
    );
    assert_eq!(deploy["delivered"]["inApp"], true);
    for category in [Some("ci"), Some("other"), None] {
        let reply = deliver(category).await;
        assert_eq!(
            reply["notification"],
            json!(null),
            "{category:?}: no in-app entry → the global flag (off) decides"
        );
    }
    server
        .set_preferences(
            &alice,
            &json!({"inApp": true, "categories": {"noisy": {"inApp": false}}}),
        )
        .await;
    assert_eq!(deliver(Some("noisy")).await["notification"], json!(null));
    assert!(deliver(Some("ci")).await["notification"].is_object());
    assert!(deliver(None).await["notification"].is_object());
    assert_eq!(ids_of(&server.list(&alice, "").await).len(), 3);
}

/// Issue 16: each problem reads as one sentence, the field first.
#[tokio::test]
async fn category_errors_read_as_sentences() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let error = server
        .put_preferences(&alice, &json!({"categories": {"Deploy": {"email": false}}}))
        .await
        .expect_invalid("categories.Deploy");
    let message = error["message"].as_str().unwrap();
    assert!(
        message.starts_with("categories.Deploy is not a valid category name: it must be"),
        "{message}"
    );
    let error = server
        .put_preferences(&alice, &json!({"categories": categories(101, "c")}))
        .await
        .expect_invalid("categories");
    let message = error["message"].as_str().unwrap();
    assert_eq!(message, "categories must hold at most 100 categories");
}
