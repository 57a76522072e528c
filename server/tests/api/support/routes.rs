//! A request for any row of the route table (`notif_server::router::ROUTES`), for the tests
//! that walk the table: who may call each route (`access.rs`), how each answers a missing or
//! unknown token (`auth.rs`).

use notif_server::router::{Access, Route};
use reqwest::RequestBuilder;
use serde_json::json;

use notif_tests::TestServer;

/// `route` on `server` with `{id}` as `id` and `{topic}` as a topic, no credentials. Every
/// PUT and POST carries a JSON body its route accepts (one for the API's routes, with
/// `signs_in`, a user token, for `POST /api/session`; one for the publishing routes), so
/// that the access rule and not validation decides.
pub fn request(server: &TestServer, route: &Route, id: &str, signs_in: &str) -> RequestBuilder {
    let path = route
        .pattern
        .replace("{id}", id)
        .replace("{topic}", "access-check");
    let request = server.req(route.method.clone(), &path);
    if !["PUT", "POST"].contains(&route.method.as_str()) {
        return request;
    }
    let body = match route.access() {
        Access::Sender => json!({"title": "access check", "topic": "access-check"}),
        _ => json!({"title": "access check", "userId": "alice", "token": signs_in}),
    };
    request
        .header("content-type", "application/json")
        .body(body.to_string())
}
