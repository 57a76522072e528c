//! Every way a Gotify or ntfy tool carries its token, who the notification is for (a user
//! token's own user; the user a service token names), and what is refused.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use reqwest::{Method, RequestBuilder};
use serde_json::json;

use super::Setup;

/// `Authorization: Basic base64(user:token)`.
fn basic(user: &str, token: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{user}:{token}")))
}

impl Setup {
    /// `POST /creds` (an ntfy topic) with `message` as the body.
    fn ntfy(&self, query: &str, message: &str) -> RequestBuilder {
        self.req(Method::POST, &format!("/creds{query}"))
            .body(message.to_owned())
    }

    /// Whether the newest notification of `token`'s user has the title `title`.
    async fn got(&self, token: &str, title: &str) -> bool {
        let page = self.server.list(token, "").await;
        page["notifications"][0]["title"] == title
    }
}

#[tokio::test]
async fn every_form_of_credentials_works() {
    let setup = Setup::start();
    let alice = setup.alice.as_str();
    let auth_bearer = URL_SAFE_NO_PAD.encode(format!("Bearer {alice}"));
    let auth_basic = URL_SAFE_NO_PAD.encode(basic("alice", alice));
    let cases: Vec<(&str, RequestBuilder)> = vec![
        ("bearer", setup.ntfy("", "bearer").bearer_auth(alice)),
        (
            "basic, empty user",
            setup
                .ntfy("", "basic, empty user")
                .header("authorization", basic("", alice)),
        ),
        (
            "basic, own user",
            setup
                .ntfy("", "basic, own user")
                .header("authorization", basic("alice", alice)),
        ),
        (
            "x-gotify-key",
            setup.ntfy("", "x-gotify-key").header("X-Gotify-Key", alice),
        ),
        ("token", setup.ntfy(&format!("?token={alice}"), "token")),
        (
            "auth bearer",
            setup.ntfy(&format!("?auth={auth_bearer}"), "auth bearer"),
        ),
        (
            "auth basic",
            setup.ntfy(&format!("?auth={auth_basic}"), "auth basic"),
        ),
        (
            "to self",
            setup.ntfy(&format!("?token={alice}&to=alice"), "to self"),
        ),
    ];
    for (title, request) in cases {
        setup.send(request).await.expect(200);
        assert!(setup.got(alice, title).await, "{title} did not reach alice");
    }
    let gotify = setup
        .req(Method::POST, "/message")
        .basic_auth("", Some(alice))
        .header("content-type", "application/json")
        .body(json!({"message": "gotify, basic"}).to_string());
    setup.send(gotify).await.expect(200);
    assert!(setup.got(alice, "gotify, basic").await);
}

#[tokio::test]
async fn a_service_token_reaches_the_user_it_names_and_must_name_one() {
    let setup = Setup::start();
    let service = setup.service.as_str();
    let by_basic = setup
        .ntfy("", "to bob by Basic")
        .header("authorization", basic("bob", service));
    setup.send(by_basic).await.expect(200);
    assert!(setup.got(&setup.bob, "to bob by Basic").await);
    let by_query = setup.ntfy("?to=bob", "to bob by ?to=").bearer_auth(service);
    setup.send(by_query).await.expect(200);
    assert!(setup.got(&setup.bob, "to bob by ?to=").await);
    let gotify = setup
        .req(Method::POST, &format!("/message?token={service}&to=bob"))
        .header("content-type", "application/json")
        .body(json!({"message": "gotify to bob"}).to_string());
    setup.send(gotify).await.expect(200);
    assert!(setup.got(&setup.bob, "gotify to bob").await);
    assert_eq!(
        setup.count(&setup.alice).await,
        0,
        "alice got none of bob's"
    );

    let nobody = setup.ntfy("", "to nobody").bearer_auth(service);
    setup.send(nobody).await.expect_error(400, "bad_request");
    let unknown = setup.ntfy("?to=carol", "to carol").bearer_auth(service);
    setup.send(unknown).await.expect_error(404, "unknown_user");
    let two_names = setup
        .ntfy("?to=alice", "two names")
        .header("authorization", basic("bob", service));
    setup.send(two_names).await.expect_error(400, "bad_request");
    assert_eq!(setup.count(&setup.bob).await, 3);
}

#[tokio::test]
async fn a_user_token_may_not_name_another_user() {
    let setup = Setup::start();
    let alice = setup.alice.as_str();
    let as_bob = setup
        .ntfy("", "as bob")
        .header("authorization", basic("bob", alice));
    setup.send(as_bob).await.expect_error(403, "forbidden");
    let to_bob = setup.ntfy("?to=bob", "to bob").bearer_auth(alice);
    setup.send(to_bob).await.expect_error(403, "forbidden");
    assert_eq!(setup.count(&setup.bob).await, 0);
    assert_eq!(setup.count(alice).await, 0);
}

#[tokio::test]
async fn missing_unknown_and_malformed_credentials_are_refused() {
    let setup = Setup::start();
    let reply = setup.send(setup.ntfy("", "no token")).await;
    assert_eq!(reply.header("www-authenticate"), Some("Bearer"));
    reply.expect_error(401, "unauthorized");
    let unknown = setup.ntfy("?token=ntf_not-a-token", "unknown");
    setup.send(unknown).await.expect_error(401, "unauthorized");
    for malformed in ["Basic !!!not base64", "Basic bm8tY29sb24="] {
        let request = setup
            .ntfy("", "malformed")
            .header("authorization", malformed);
        setup.send(request).await.expect_error(400, "bad_request");
    }
    setup
        .send(setup.ntfy("?auth=%25%25", "bad auth"))
        .await
        .expect_error(400, "bad_request");
    // A session cookie is no credential here: a foreign page's form could post to these routes.
    let cookie = setup
        .ntfy("", "by cookie")
        .header("cookie", format!("notif_token={}", setup.alice));
    setup.send(cookie).await.expect_error(401, "unauthorized");
    assert_eq!(setup.count(&setup.alice).await, 0);
}

#[tokio::test]
async fn preferences_decide_as_for_notify() {
    let setup = Setup::start();
    let muted = json!({"categories": {"quiet": {"inApp": false}}});
    setup.server.set_preferences(&setup.alice, &muted).await;
    let answer = setup
        .send(setup.as_alice(Method::POST, "/quiet").body("shh"))
        .await
        .expect_json(200);
    assert_eq!(
        (answer["id"].as_str(), answer["title"].as_str()),
        (Some(""), Some("shh"))
    );
    assert_eq!(
        setup.count(&setup.alice).await,
        0,
        "in-app delivery is off for quiet"
    );
    setup
        .send(setup.as_alice(Method::POST, "/loud").body("hey"))
        .await
        .expect(200);
    assert_eq!(setup.count(&setup.alice).await, 1);
}
