//! `notif rm` with the same notification named twice: deleted once, listed, exit 0.

use crate::util::AliceApi;
use notif_tests::Alice;

#[test]
fn rm_treats_a_repeated_id_once_and_says_what_it_deleted() {
    let server = Alice::start();
    let a = server.seed("first");
    let b = server.seed("second");
    let run = server.notif(&["rm", &a, &a[..8], &a]).run().success();
    assert_eq!(run.stdout, format!("{a}\n"));
    let run = server.notif(&["rm", &b, &b, "--json"]).run().success();
    assert_eq!(run.json()["deleted"], serde_json::json!([b]));
    assert!(server.inbox().is_empty());
}
