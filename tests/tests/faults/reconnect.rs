//! 1,000 stream reconnects with `Last-Event-ID` while notifications are being sent: across
//! all of them the client sees every notification exactly once, in order.
//!
//! The client drops each connection after a pseudo-random number of events (sometimes
//! none, sometimes mid-replay, sometimes after catching up with the live stream), then
//! resumes from the last id it saw. Long run: `NOTIF_FAULT_RECONNECTS=10000`.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::{Api, Event, env_usize, runtime};
use crate::util::{Alice, TIMEOUT};

/// Concurrent senders.
const SENDERS: usize = 2;

/// What the client has seen, across connections.
#[derive(Default)]
struct Seen {
    ids: Vec<String>,
    last_seq: Option<i64>,
    replayed: usize,
    live: usize,
}

impl Seen {
    /// Records a `notification` event; the sequence numbers must only grow.
    fn record(&mut self, event: &Event, live: bool) {
        let seq = event.id.expect("notification events carry an id");
        if let Some(last) = self.last_seq {
            assert!(
                seq > last,
                "event {seq} after {last}: out of order or repeated (after {} events)",
                self.ids.len()
            );
        }
        self.last_seq = Some(seq);
        self.ids
            .push(event.json()["id"].as_str().unwrap().to_owned());
        if live {
            self.live += 1;
        } else {
            self.replayed += 1;
        }
    }
}

#[test]
fn a_thousand_resumes_under_load_miss_nothing_and_repeat_nothing() {
    let reconnects = env_usize("NOTIF_FAULT_RECONNECTS", 1_000);
    let server = Alice::start();
    let api = Api::new(&server.url(), &server.token);
    let rt = runtime();
    let started = Instant::now();
    let (seen, acked) = rt.block_on(async {
        let done = Arc::new(AtomicBool::new(false));
        let senders: Vec<_> = (0..SENDERS)
            .map(|s| tokio::spawn(send_until(api.clone(), s, Arc::clone(&done))))
            .collect();
        // Resuming after 0 from the start: a first connection without `Last-Event-ID`
        // rightly gets only what comes after it, which would hide the first few sends.
        let mut seen = Seen {
            last_seq: Some(0),
            ..Seen::default()
        };
        let mut rng = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..reconnects {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let catch_up = rng % 4 == 0;
            let take = (rng >> 8) % 4;
            one_connection(&api, &mut seen, take, catch_up).await;
        }
        done.store(true, Ordering::SeqCst);
        let mut acked = Vec::new();
        for sender in senders {
            acked.extend(sender.await.unwrap());
        }
        catch_up_with(&api, &mut seen, &acked).await;
        (seen, acked)
    });
    let expected: HashSet<&String> = acked.iter().collect();
    let got: HashSet<&String> = seen.ids.iter().collect();
    let missing: Vec<_> = expected.difference(&got).collect();
    assert!(missing.is_empty(), "never seen: {missing:?}");
    assert_eq!(seen.ids.len(), got.len(), "some notification seen twice");
    assert_eq!(got.len(), expected.len(), "seen notifications never sent");
    assert!(
        seen.replayed > 0 && seen.live > 0,
        "both paths must be exercised"
    );
    eprintln!(
        "reconnect: {reconnects} reconnects, {} notifications ({} replayed, {} live), {:.1}s",
        acked.len(),
        seen.replayed,
        seen.live,
        started.elapsed().as_secs_f64()
    );
}

/// Sends numbered notifications until told to stop; the ids acknowledged.
async fn send_until(api: Api, sender: usize, done: Arc<AtomicBool>) -> Vec<String> {
    let mut acked = Vec::new();
    for i in 0.. {
        if done.load(Ordering::SeqCst) {
            break;
        }
        let (status, body) = api.notify(&format!("s{sender}-{i}"), "").await.unwrap();
        assert_eq!(status, 201, "{body}");
        acked.push(body["notification"]["id"].as_str().unwrap().to_owned());
    }
    acked
}

/// One connection: resume after the last id seen, read `take` notifications (and, if
/// `catch_up`, past the replay into the live stream), then hang up.
async fn one_connection(api: &Api, seen: &mut Seen, take: u64, catch_up: bool) {
    let mut stream = api.stream(seen.last_seq).await;
    let mut live = false;
    let mut taken = 0;
    let read = async {
        while taken < take || (catch_up && !live) {
            let event = stream
                .next()
                .await
                .unwrap_or_else(|end| panic!("stream ended: {end}"));
            match event.name.as_str() {
                "notification" => {
                    seen.record(&event, live);
                    taken += 1;
                }
                "unread" => live = true,
                _ => {}
            }
        }
    };
    tokio::time::timeout(TIMEOUT, read)
        .await
        .expect("no events within the timeout");
}

/// Reads on until every id in `acked` has been seen; on timeout, says which are missing
/// and whether the inbox has them.
async fn catch_up_with(api: &Api, seen: &mut Seen, acked: &[String]) {
    let mut stream = api.stream(seen.last_seq).await;
    let mut live = false;
    let read = async {
        while seen.ids.len() < acked.len() {
            let event = stream
                .next()
                .await
                .unwrap_or_else(|end| panic!("stream ended: {end}"));
            match event.name.as_str() {
                "notification" => seen.record(&event, live),
                "unread" => live = true,
                _ => {}
            }
        }
    };
    if tokio::time::timeout(Duration::from_secs(10), read)
        .await
        .is_err()
    {
        let got: HashSet<&String> = seen.ids.iter().collect();
        let inbox: HashSet<String> = api
            .inbox()
            .await
            .iter()
            .map(|n| n["id"].as_str().unwrap().to_owned())
            .collect();
        let missing: Vec<_> = acked
            .iter()
            .enumerate()
            .filter(|(_, id)| !got.contains(id))
            .map(|(i, id)| format!("{id} (acked #{i}, in inbox: {})", inbox.contains(id)))
            .collect();
        panic!(
            "{} of {} notifications never arrived on any stream (last id seen {:?}): {missing:?}",
            missing.len(),
            acked.len(),
            seen.last_seq
        );
    }
}
