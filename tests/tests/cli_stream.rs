//! A frozen server (SIGSTOP) is noticed from the pings that stop: after about twice
//! the ping interval, not after the 95 s a default server may be silent.

use std::time::{Duration, Instant};

use crate::util::Lines;
use notif_tests::Alice;

#[test]
fn a_frozen_server_is_noticed_after_two_missed_ping_intervals() {
    let server = Alice::start_with(&["--ping-interval", "1s"]);
    let mut child = server.notif(&["watch", "--verbose"]).spawn();
    let stderr = Lines::follow(child.stderr.take().unwrap());
    stderr.expect("the ping interval", |l| l.contains("pings every"));
    server.signal("STOP");
    let frozen = Instant::now();
    stderr.expect("the lost stream", |l| l.contains("stream lost"));
    let took = frozen.elapsed();
    server.signal("CONT");
    let _ = child.kill();
    let _ = child.wait();
    // 2 × 1 s + 5 s margin, with room for a slow machine.
    assert!(took < Duration::from_secs(20), "noticed after {took:?}");
}
