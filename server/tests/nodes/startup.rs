//! A node that cannot use its database says why in one line and exits 1.

use notif_tests::postgres::PgCluster;
use notif_tests::server::admin_on;
use tokio::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_notif-server");

async fn serve_fails(db: &str) -> String {
    let out = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--db", db])
        .env_remove("NOTIF_DB")
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "one error line: {stderr}");
    assert_eq!(
        stderr.lines().last(),
        Some(errors[0]),
        "and it ends: {stderr}"
    );
    errors[0].to_owned()
}

#[tokio::test]
async fn an_unreachable_postgresql_is_one_line() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let line = serve_fails(&format!("postgres://notif:secret@127.0.0.1:{port}/notif")).await;
    assert!(
        line.starts_with(&format!(
            "error: cannot reach PostgreSQL at 127.0.0.1:{port}/notif"
        )),
        "{line}"
    );
    assert!(!line.contains("secret"), "{line}");
}

#[tokio::test]
async fn a_schema_newer_than_the_binary_is_one_line() {
    let db = PgCluster::shared().database();
    admin_on(&db, &["user", "add", "alice"]);
    PgCluster::shared().record_newer_migration(&db);
    let line = serve_fails(&db).await;
    assert!(
        line.contains("schema is newer than this notif-server"),
        "{line}"
    );
}
