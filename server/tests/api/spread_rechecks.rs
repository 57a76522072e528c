//! Issue 11, point 9c: the streams' token re-checks (each followed by that stream's ping)
//! are spread over the ping interval, not all made at the same instant.

use std::time::Duration;

use tokio::task::JoinSet;

use crate::support::TestServer;

/// How far apart, around the circle of one interval, `phases` (in ms, within `interval`)
/// reach: the interval less the widest gap between neighbours.
fn circular_spread(mut phases: Vec<i64>, interval: i64) -> i64 {
    phases.sort_unstable();
    let wrap = phases[0] + interval - phases[phases.len() - 1];
    let widest = phases
        .windows(2)
        .map(|w| w[1] - w[0])
        .chain([wrap])
        .max()
        .unwrap();
    interval - widest
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stream_token_rechecks_are_spread_over_the_ping_interval() {
    let interval: i64 = 1600;
    let server = TestServer::start(&["--ping-interval", "1600ms"]);
    let alice = server.add_user("alice");
    let mut streams = Vec::new();
    for _ in 0..16 {
        streams.push(server.subscribed_stream(&alice).await.0);
    }
    // Each stream's first ping, by the server's clock: the moment its token was re-checked.
    let mut pinged = JoinSet::new();
    for mut stream in streams {
        pinged.spawn(async move {
            loop {
                let frame = stream.next_frame(Duration::from_secs(5)).await;
                if frame.kind() == Some("ping") {
                    let time = frame.json()["time"].as_str().unwrap().to_owned();
                    return chrono::DateTime::parse_from_rfc3339(&time)
                        .unwrap()
                        .timestamp_millis();
                }
            }
        });
    }
    let mut phases = Vec::new();
    while let Some(at) = pinged.join_next().await {
        phases.push(at.unwrap().rem_euclid(interval));
    }
    let spread = circular_spread(phases.clone(), interval);
    assert!(
        spread >= interval / 2,
        "16 streams had their tokens re-checked within {spread} ms of each other in a \
         {interval} ms ping interval (phases {phases:?})"
    );
}
