//! `notif-server backup PATH` (issue 11, point 11): a consistent copy of the live database,
//! taken while notifications keep arriving, restores to a server that has every notification
//! acknowledged before the backup began.

use std::sync::{Arc, Mutex};

use serde_json::json;

use crate::support::http::id_of;
use crate::support::{FLAGS, TestServer, with_sqlite_users};

#[tokio::test]
async fn issue11_point11_a_backup_under_write_load_restores_everything_acknowledged() {
    let (server, [alice]) = with_sqlite_users(["alice"]);
    let server = Arc::new(server);
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = tokio_util::sync::CancellationToken::new();
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (server, alice, acked, stop) = (
                Arc::clone(&server),
                alice.clone(),
                Arc::clone(&acked),
                stop.clone(),
            );
            tokio::spawn(async move {
                let mut i = 0;
                while !stop.is_cancelled() {
                    let title = format!("w{w} n{i}");
                    let n = server.notify(&alice, &json!({ "title": title })).await;
                    acked.lock().unwrap().push(id_of(&n));
                    i += 1;
                }
            })
        })
        .collect();
    while acked.lock().unwrap().len() < 50 {
        tokio::task::yield_now().await;
    }
    let before: Vec<String> = acked.lock().unwrap().clone();
    let copy = server.dir().join("copy.db");
    server
        .admin_async(&["backup", copy.to_str().unwrap()])
        .await;
    let during = acked.lock().unwrap().len();
    stop.cancel();
    for writer in writers {
        writer.await.unwrap();
    }
    assert!(
        acked.lock().unwrap().len() > before.len(),
        "the server kept writing ({} before, {during} when the backup ended)",
        before.len()
    );

    // Restore as README says: the copy in place of the database of a stopped server.
    let restored_dir = tempfile::tempdir().unwrap();
    std::fs::copy(&copy, restored_dir.path().join("notif.db")).unwrap();
    let restored = TestServer::start_in(restored_dir, FLAGS);
    let ids = restored.list_all_ids(&alice, "limit=200", 1000).await;
    let missing: Vec<_> = before.iter().filter(|id| !ids.contains(id)).collect();
    assert!(missing.is_empty(), "lost in the backup: {missing:?}");
}
