//! SIGKILL in the middle of a sustained notify load: after a restart on the same
//! database, every acknowledged (`201`) notification is there, and none is there twice.
//!
//! Long run: `NOTIF_FAULT_KILL_ITERATIONS=20` (kill and restart 20 times on one database).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{Api, env_usize, runtime};
use crate::util::Alice;

/// Concurrent notifying clients.
const CLIENTS: usize = 8;
/// How long the load runs before the kill.
const LOAD: Duration = Duration::from_secs(2);

/// What the clients learnt: acknowledged ids by title, and every title they sent.
#[derive(Default)]
struct Ledger {
    acked: HashMap<String, String>,
    sent: HashSet<String>,
    other_statuses: Vec<u16>,
}

#[test]
fn sigkill_under_load_loses_no_acknowledged_notification() {
    let iterations = env_usize("NOTIF_FAULT_KILL_ITERATIONS", 1);
    let mut server = Alice::start();
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let rt = runtime();
    let started = Instant::now();
    for round in 0..iterations {
        let api = Api::new(&server.url(), &server.token);
        let clients: Vec<_> = (0..CLIENTS)
            .map(|c| {
                rt.spawn(send_until_refused(
                    api.clone(),
                    round,
                    c,
                    Arc::clone(&ledger),
                ))
            })
            .collect();
        // The load itself is the thing being measured: it runs for a fixed time.
        rt.block_on(async { tokio::time::sleep(LOAD).await });
        server.kill(); // SIGKILL, while the clients are still sending
        rt.block_on(async {
            for client in clients {
                tokio::time::timeout(crate::util::TIMEOUT, client)
                    .await
                    .expect("a client hung after the kill")
                    .unwrap();
            }
        });
        server.restart();
        let inbox = rt.block_on(Api::new(&server.url(), &server.token).inbox());
        check(&inbox, &ledger.lock().unwrap(), round);
    }
    let ledger = ledger.lock().unwrap();
    eprintln!(
        "sigkill: {iterations} kills, {} acknowledged, {} sent, {:.1}s, other statuses {:?}",
        ledger.acked.len(),
        ledger.sent.len(),
        started.elapsed().as_secs_f64(),
        ledger.other_statuses
    );
    assert!(
        ledger.acked.len() >= iterations * CLIENTS,
        "too little load to prove anything: {} acknowledged",
        ledger.acked.len()
    );
}

/// Sends notifications one after another until the server stops answering.
async fn send_until_refused(api: Api, round: usize, client: usize, ledger: Arc<Mutex<Ledger>>) {
    for i in 0.. {
        let title = format!("r{round}-c{client}-n{i}");
        ledger.lock().unwrap().sent.insert(title.clone());
        match api.notify(&title, "under load").await {
            Ok((201, body)) => {
                let id = body["notification"]["id"].as_str().unwrap().to_owned();
                ledger.lock().unwrap().acked.insert(title, id);
            }
            Ok((status, _)) => ledger.lock().unwrap().other_statuses.push(status),
            Err(_) => return, // the server is gone
        }
    }
}

/// Every acknowledged notification is present with its id; no notification is present
/// twice; nothing is present that was never sent.
fn check(inbox: &[serde_json::Value], ledger: &Ledger, round: usize) {
    let mut ids = HashSet::new();
    let mut titles = HashMap::new();
    for n in inbox {
        let id = n["id"].as_str().unwrap().to_owned();
        let title = n["title"].as_str().unwrap().to_owned();
        assert!(
            ids.insert(id.clone()),
            "round {round}: id {id} listed twice"
        );
        assert!(
            ledger.sent.contains(&title),
            "round {round}: {title:?} was never sent"
        );
        if let Some(first) = titles.insert(title.clone(), id.clone()) {
            panic!("round {round}: {title:?} stored twice ({first} and {id})");
        }
    }
    let lost: Vec<_> = ledger
        .acked
        .iter()
        .filter(|(title, id)| titles.get(*title) != Some(*id))
        .collect();
    assert!(
        lost.is_empty(),
        "round {round}: {} acknowledged notifications lost after SIGKILL, e.g. {:?}",
        lost.len(),
        &lost[..lost.len().min(5)]
    );
}
