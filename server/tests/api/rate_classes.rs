//! Issue 11, point 6: every route that takes a token is in a rate class (writes have a bucket
//! of their own), and failed authentication is limited per client address without refusing
//! anyone else.

use std::net::IpAddr;

use reqwest::Method;

use crate::support::http::{Reply, id_of};
use crate::support::{FLAGS, TestServer};

/// `token` marks `id` read until it is refused `429`; the number of calls answered before.
async fn writes_until_limited(
    server: &TestServer,
    token: &str,
    id: &str,
    most: usize,
) -> Option<usize> {
    let path = format!("/api/notifications/{id}/read");
    for done in 0..most {
        let reply = server.post_empty(&path, token).await;
        if reply.status == 429 {
            reply.expect_error(429, "rate_limited");
            return Some(done);
        }
        reply.expect(200);
    }
    None
}

#[tokio::test]
async fn point6_writes_count_against_a_write_bucket_of_their_own() {
    // A generous token rate, so only the write class's bucket (default burst 200) can refuse.
    let server = TestServer::start(&["--rate-limit", "100000", "--rate-burst", "100000"]);
    let alice = server.add_user("alice");
    let id = id_of(&server.notify_title(&alice, "toggled").await);
    let answered = writes_until_limited(&server, &alice, &id, 1000)
        .await
        .expect("marking read is rate-limited");
    assert!(
        (200..400).contains(&answered),
        "limited after {answered} writes"
    );
    // Reads are another class: the same token still lists.
    server.get("/api/notifications", &alice).await.expect(200);
}

#[tokio::test]
async fn point6_the_write_rate_is_configurable() {
    let server = TestServer::start(&[
        "--rate-limit",
        "1000",
        "--write-rate-limit",
        "1",
        "--write-rate-burst",
        "3",
    ]);
    let alice = server.add_user("alice");
    let id = id_of(&server.notify_title(&alice, "toggled").await);
    let answered = writes_until_limited(&server, &alice, &id, 10).await;
    assert!(matches!(answered, Some(3..=4)), "{answered:?}");
    let reply = server
        .call(Method::DELETE, &format!("/api/notifications/{id}"), &alice)
        .await;
    let retry_after: u64 = reply.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry_after), "{retry_after}");
    reply.expect_error(429, "rate_limited");
}

/// `GET /api/me` with `token`, sent from the loopback address `from`.
async fn me_from(server: &TestServer, from: IpAddr, token: &str) -> Reply {
    let client = reqwest::Client::builder()
        .no_proxy()
        .local_address(from)
        .build()
        .unwrap();
    server
        .send(
            client
                .get(format!("{}/api/me", server.url()))
                .bearer_auth(token),
        )
        .await
}

#[tokio::test]
async fn point6_failed_authentication_is_limited_per_client_address() {
    let (server, [alice]) = TestServer::with_users(FLAGS, ["alice"]);
    let here: IpAddr = "127.0.0.1".parse().unwrap();
    let elsewhere: IpAddr = "127.0.0.2".parse().unwrap();
    // Alice authenticated from here before the guessing starts.
    me_from(&server, here, &alice).await.expect(200);
    // The default: 30 unknown tokens per address per minute, then 429 with Retry-After.
    let mut answered = 0;
    let refused = loop {
        let reply = me_from(&server, here, &format!("ntf_guess-{answered}")).await;
        if reply.status != 401 {
            break reply;
        }
        answered += 1;
        assert!(answered <= 30, "31 unknown tokens were all looked up");
    };
    assert_eq!(answered, 30);
    let retry_after: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    refused.expect_error(429, "rate_limited");

    // Never because of others' failures: alice, known good, still gets in from this
    // address; another address is not refused, neither for a new token nor a bad one.
    me_from(&server, here, &alice).await.expect(200);
    let bob = server.add_user("bob");
    me_from(&server, elsewhere, &bob).await.expect(200);
    me_from(&server, elsewhere, "ntf_another-guess")
        .await
        .expect_error(401, "unauthorized");
    // A request without a token is no failure: answered 401, not limited.
    let no_token = server.get_anonymous("/api/me").await;
    no_token.expect_error(401, "unauthorized");
}

#[tokio::test]
async fn point6_the_failed_authentication_limit_is_configurable() {
    let server = TestServer::start(&["--auth-failure-limit", "2"]);
    let here: IpAddr = "127.0.0.1".parse().unwrap();
    for guess in ["a", "b"] {
        me_from(&server, here, guess)
            .await
            .expect_error(401, "unauthorized");
    }
    me_from(&server, here, "c")
        .await
        .expect_error(429, "rate_limited");
    let off = TestServer::start(&["--auth-failure-limit", "0"]);
    for i in 0..40 {
        me_from(&off, here, &format!("guess-{i}"))
            .await
            .expect_error(401, "unauthorized");
    }
}
