//! Issue 10: every row of the route table is enforced as it says. The tests walk
//! `notif_server::router::ROUTES`, so a new row is checked without editing this file: its
//! access rule (no token `401`, a service token on a user route `403`, the callers it admits
//! answered) and its rate class (a per-token route refuses a token over its rate, an
//! unlimited one does not).

use notif_server::router::{Access, ROUTES, Route};
use tokio::time::timeout;

use crate::support::http::{REQUEST_TIMEOUT, id_of};
use crate::support::{FLAGS, TestServer, routes};

/// Who sends a request.
#[derive(Debug, Clone, Copy)]
enum Who {
    Nobody,
    Service,
    User,
}

/// The status `access` gives `who`: `None` when it admits them (a `2xx`). Written as a
/// match over every `Access`, so a new kind of access does not compile until it is tested.
fn refusal(access: Access, who: Who) -> Option<u16> {
    match (access, who) {
        (Access::Public, _) => None,
        (Access::User | Access::Either | Access::Sender, Who::Nobody) => Some(401),
        (Access::User, Who::Service) => Some(403),
        // A service token publishing must name the recipient, which these requests do not.
        (Access::Sender, Who::Service) => Some(400),
        (Access::User | Access::Either | Access::Sender, Who::User) => None,
        (Access::Either, Who::Service) => None,
    }
}

/// Sends `route` (see [`routes::request`]) with `token` as the bearer token (none: no
/// credentials). Returns the status, and the body of anything but a success (a stream's
/// body never ends, so a success's is not read).
async fn send(
    server: &TestServer,
    route: &Route,
    id: &str,
    token: Option<&str>,
    signs_in: &str,
) -> (u16, String) {
    let mut request = routes::request(server, route, id, signs_in);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let what = route.label;
    let round_trip = async {
        let response = request.send().await?;
        let status = response.status();
        let body = if status.is_success() {
            String::new()
        } else {
            response.text().await?
        };
        Ok::<_, reqwest::Error>((status.as_u16(), body))
    };
    timeout(REQUEST_TIMEOUT, round_trip)
        .await
        .unwrap_or_else(|_| panic!("{what}: no answer within {REQUEST_TIMEOUT:?}"))
        .unwrap_or_else(|e| panic!("{what}: request failed: {e:?}"))
}

#[tokio::test]
async fn every_route_admits_exactly_the_callers_its_row_names() {
    let (server, [_]) = TestServer::with_users(FLAGS, ["alice"]);
    let service = server.service_token();
    let mut wrong = Vec::new();
    for route in ROUTES {
        // A token of alice's for this route alone: `DELETE /api/session` revokes the one it
        // is called with.
        let alice = server.user_token("alice", route.label);
        // A notification of alice's (or a file of the web inbox), so that her own call of
        // an `{id}` route succeeds; the user goes last, as her call may delete it.
        let id = match route.pattern {
            "/assets/{id}" => "app.js".to_owned(),
            "/embed/{id}" => "notif-bell.js".to_owned(),
            pattern if pattern.contains("{id}") => {
                id_of(&server.notify_title(&alice, route.label).await)
            }
            _ => String::new(),
        };
        for (who, token) in [
            (Who::Nobody, None),
            (Who::Service, Some(service.as_str())),
            (Who::User, Some(alice.as_str())),
        ] {
            let (status, body) = send(&server, route, &id, token, &alice).await;
            let as_expected = match refusal(route.access(), who) {
                None => (200..300).contains(&status),
                Some(refused) => status == refused,
            };
            if !as_expected {
                wrong.push(format!(
                    "{} ({:?}) as {who:?}: {status} {body}",
                    route.label,
                    route.access()
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "answers against the table:\n{}",
        wrong.join("\n")
    );
}

/// Sends `route` as `token` until it is refused with `429`; false if it never is.
async fn limited_within(server: &TestServer, route: &Route, token: &str, calls: usize) -> bool {
    for _ in 0..calls {
        let (status, body) = send(server, route, "x1", Some(token), token).await;
        if status == 429 {
            assert!(body.contains("rate_limited"), "{}: {body}", route.label);
            return true;
        }
    }
    false
}

#[tokio::test]
async fn every_route_is_rate_limited_exactly_as_its_row_says() {
    let server = TestServer::start(&["--rate-limit", "1", "--rate-burst", "1"]);
    server.add_user("alice");
    let limited: Vec<&Route> = ROUTES.iter().filter(|r| r.rate.is_limited()).collect();
    assert!(!limited.is_empty(), "the table limits some routes");
    // One call a second and no burst: a per-token route refuses a token's second call, or
    // a later one on a machine slow enough to refill the bucket in between.
    for route in &limited {
        // Logging out revokes the token it is called with, so its second call is a 401
        // whatever the rate; its class is checked with the table's (router unit tests).
        if route.label == "DELETE /api/session" {
            continue;
        }
        let token = server.user_token("alice", route.label);
        assert!(
            limited_within(&server, route, &token, 10).await,
            "{} was never rate-limited",
            route.label
        );
    }
    // A token over its rate still gets every unlimited route (an unknown id is a 404).
    let spent = server.user_token("alice", "spent");
    assert!(limited_within(&server, limited[0], &spent, 10).await);
    for route in ROUTES.iter().filter(|r| !r.rate.is_limited()) {
        for _ in 0..2 {
            let (status, body) = send(&server, route, "x1", Some(&spent), &spent).await;
            assert_ne!(status, 429, "{}: {body}", route.label);
        }
    }
}
