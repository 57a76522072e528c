//! Start-up: migrations applied once whoever starts first, and the two ways a node refuses
//! to start.

use notif_server::store::Listeners;
use notif_server::store::postgres::schema::{self, SchemaError};
use notif_server::store::postgres::{OpenError, PostgresStore};

use notif_tests::postgres::PgCluster;

use super::support::{Node, client, database_with};

#[tokio::test]
async fn nodes_starting_together_migrate_once() {
    let url = notif_tests::postgres::PgCluster::shared().database();
    let (a, b, c) = tokio::join!(Node::open(&url), Node::open(&url), Node::open(&url));
    let rows = client(&url)
        .await
        .query("SELECT version FROM refinery_schema_history", &[])
        .await
        .unwrap();
    assert_eq!(rows.len(), schema::migrations().unwrap().len());
    drop((a, b, c));
}

#[tokio::test]
async fn a_schema_newer_than_the_binary_is_refused() {
    let url = database_with(&[]).await;
    PgCluster::shared().record_newer_migration(&url);
    let config = notif_server::store::postgres::connect::config(&url).unwrap();
    let err = schema::migrate(&config).await.unwrap_err();
    assert!(matches!(err, SchemaError::TooNew { .. }), "{err}");
    let line = err.to_string();
    assert!(
        line.contains("newer than this notif-server") && !line.contains('\n'),
        "{line}"
    );
}

#[tokio::test]
async fn an_unreachable_database_is_one_clear_line() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://postgres@127.0.0.1:{port}/notif");
    let metrics = std::sync::Arc::default();
    let listeners = Listeners {
        publisher: std::sync::Arc::new(super::support::Tap::default()),
        metrics,
        outbox: None,
    };
    let started = std::time::Instant::now();
    let err = PostgresStore::open(&url, listeners, super::support::KEEP_ALL)
        .await
        .err()
        .expect("no database there");
    assert!(
        matches!(err, OpenError::Schema(SchemaError::Unreachable { .. })),
        "{err}"
    );
    let line = err.to_string();
    assert!(
        line.starts_with("cannot reach PostgreSQL at 127.0.0.1:"),
        "{line}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}
