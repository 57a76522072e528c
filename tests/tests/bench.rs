//! `notif-bench` against a server it did not start (`--addr`): what it says when that
//! server refuses its load.

use std::process::Command;

use notif_tests::bins::bin;
use notif_tests::env::scrub;
use notif_tests::server::TestServer;

#[test]
fn a_rate_limited_server_is_named_with_the_flag_that_lifts_the_limit() {
    let server = TestServer::start(&["--rate-limit", "1", "--rate-burst", "1"]);
    let token = server.service_token();
    let db = server.db();
    let output = scrub(&mut Command::new(bin("notif-bench")))
        .args(["ingest", "--addr", &server.addr().to_string()])
        .args(["--service-token", &token])
        .arg("--db")
        .arg(&db)
        .args(["--connections", "2", "--duration", "1s"])
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!output.status.success(), "{said}");
    assert!(said.contains("429 Too Many Requests"), "{said}");
    assert!(said.contains("must run with --rate-limit 0"), "{said}");
}
