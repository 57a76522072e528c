//! The route table: every URL the server answers, one row each, and the one step between a
//! matched row and its handler.
//!
//! A row names the method and path pattern, who may call the route (its [`Handler`] variant:
//! public, user token, or any token), the rate class it counts against and whether the
//! request time limit applies; its metrics label is built from the method and pattern.
//! [`resolve`] (pure, in `matching`) finds the row for a request; [`dispatch`] authenticates
//! and rate-limits as the row says and hands the handler its caller and, for a path with
//! `{id}`, the id. What wraps every request whatever its row (415, the time limit, headers,
//! CORS, metrics) is [`crate::middleware`].
//!
//! The publishing routes of tools that speak ntfy take any one-segment path as a topic
//! (`POST /{topic}`). Such a row only catches what no other row has: a `{topic}` is never
//! the first segment of another route nor one of the names `API.md` keeps for the server
//! (see `matching`), and a wrong method on a topic-shaped path is `404`, not `405`.
//!
//! Adding a route is one `route!` row in [`ROUTES`] plus its handler, an
//! `async fn(Call<Caller, Id>) -> Result<Response<Body>, ApiError>` (see [`Call`]).

mod call;
mod dispatch;
mod matching;

use hyper::Method;

pub use call::{Answer, Call, NotificationId, PathId, TopicName, UserId};
pub use dispatch::dispatch;
pub use matching::{is_kept_name, is_topic, resolve};

use crate::handlers::{me, notifications, notify, ops, preferences, publish, stream};
use crate::model::Principal;
use crate::publish::Sender;

/// One row of [`ROUTES`]: `route!(METHOD "/pattern", Access handler, RateClass, TimeLimit)`.
/// The label is the method and pattern; the table's entry to the handler hands it the
/// `{id}` in the type the handler takes (none, or a [`NotificationId`]).
macro_rules! route {
    ($method:ident $pattern:literal, $access:ident $handler:path, $rate:ident, $time:ident) => {
        Route {
            method: Method::$method,
            pattern: $pattern,
            label: concat!(stringify!($method), " ", $pattern),
            handler: Handler::$access(|call, id| {
                Box::pin(async move { $handler(call.with_id(id)?).await })
            }),
            rate: RateClass::$rate,
            time_limit: TimeLimit::$time,
        }
    };
}

/// Every route. A path segment `{id}` matches any one non-empty segment, `{topic}` any one
/// that is an ntfy topic and not a name of the server's own; where a literal route and an
/// `{id}` route both match a path, the literal one decides (so `/api/notifications/stream`
/// is never an id).
#[rustfmt::skip]
pub static ROUTES: &[Route] = &[
    //     method pattern                            access handler                   rate    time limit
    route!(GET    "/healthz",                        Public ops::health,              Public, Applies),
    route!(GET    "/metrics",                        Public ops::metrics,             Public, Applies),
    route!(GET    "/api/openapi.json",               Public ops::openapi,             Public, Applies),
    route!(GET    "/api/me",                         Either me::get,                  Read,   Applies),
    route!(GET    "/api/notifications",              User   notifications::list,      Read,   Applies),
    route!(GET    "/api/notifications/stream",       User   stream::open,             Stream, Exempt),
    route!(GET    "/api/notifications/preferences",  User   preferences::get,         Read,   Applies),
    route!(PUT    "/api/notifications/preferences",  User   preferences::put,         Write,  Applies),
    route!(POST   "/api/notifications/read-all",     User   notifications::read_all,  Write,  Applies),
    route!(POST   "/api/notifications/{id}/read",    User   notifications::read,      Write,  Applies),
    route!(POST   "/api/notifications/{id}/unread",  User   notifications::unread,    Write,  Applies),
    route!(DELETE "/api/notifications/{id}",         User   notifications::delete,    Write,  Applies),
    route!(POST   "/api/internal/notify",            Either notify::create,           Notify, Exempt),
    route!(POST   "/message",                        Sender publish::gotify,          Notify, Exempt),
    route!(POST   "/",                               Sender publish::ntfy_json,       Notify, Exempt),
    route!(PUT    "/",                               Sender publish::ntfy_json,       Notify, Exempt),
    route!(POST   "/{topic}",                        Sender publish::ntfy_topic,      Notify, Exempt),
    route!(PUT    "/{topic}",                        Sender publish::ntfy_topic,      Notify, Exempt),
];

/// One route: what it matches, who may call it, and which limits it is under.
#[derive(Debug)]
pub struct Route {
    pub method: Method,
    /// The path, with `{id}` for a segment handed to the handler.
    pub pattern: &'static str,
    /// `"METHOD /pattern"`: the route's name in metrics and logs.
    pub label: &'static str,
    /// Who may call the route, and its handler, typed by what the router hands it.
    pub handler: Handler,
    /// What a call counts against, checked after authentication and before the handler.
    pub rate: RateClass,
    /// Whether `--request-timeout` cuts the call short.
    pub time_limit: TimeLimit,
}

impl Route {
    /// Who may call the route.
    pub fn access(&self) -> Access {
        match self.handler {
            Handler::Public(_) => Access::Public,
            Handler::User(_) => Access::User,
            Handler::Either(_) => Access::Either,
            Handler::Sender(_) => Access::Sender,
        }
    }

    /// What the route's body may be: JSON (anything else is `415`), or, on the publishing
    /// routes, whatever the sending tools send, which the handler reads itself.
    pub fn body(&self) -> BodyFormat {
        match self.handler {
            Handler::Sender(_) => BodyFormat::Any,
            _ => BodyFormat::Json,
        }
    }
}

/// What a route's request body may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFormat {
    /// `Content-Type: application/json`, else `415`.
    Json,
    /// Any content type: the handler parses the formats it speaks.
    Any,
}

/// A handler as the table holds it: given the caller the router established and the
/// captured `{id}`, if the pattern has one.
pub type Endpoint<C> = fn(Call<C>, Option<String>) -> Answer;

/// Who may call a route, holding the handler that gets what checking it established. Which
/// variant a row uses decides what its handler may take, so the two cannot disagree.
#[derive(Debug, Clone, Copy)]
pub enum Handler {
    /// Anyone: no credentials are looked at.
    Public(Endpoint<()>),
    /// A user token (or cookie): `401` without one, `403` for a service token. The handler
    /// gets the user's id.
    User(Endpoint<UserId>),
    /// Any valid token, user or service: `401` without one. The handler gets the principal
    /// and applies any rule of its own (a user token notifying another user is `403`).
    Either(Endpoint<Principal>),
    /// A token carried any way a Gotify or ntfy tool carries it (bearer, Basic, `X-Gotify-Key`,
    /// `?token=`, `?auth=`): `401` without one, `400` for a malformed one or for a service
    /// token that names no recipient, `403` for a user token that names another user. The
    /// handler gets the [`Sender`]: the principal and the recipient.
    Sender(Endpoint<Sender>),
}

/// [`Handler`]'s variants as plain values, for tests and documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Public,
    User,
    Either,
    Sender,
}

/// What a call counts against. Every class but [`RateClass::Public`] counts against the
/// caller's token bucket (`--rate-limit`, `--rate-burst`); some classes also have a bucket of
/// their own per token. A client address is limited separately in the unknown tokens it may
/// present (`--auth-failure-limit`), on every route that takes a token. All `429` with
/// `Retry-After`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateClass {
    /// A route that takes no token: nothing to count against (it is cheap, and the
    /// connection limits bound it).
    Public,
    /// Reading: the token bucket only.
    Read,
    /// Changing the caller's inbox (read, unread, delete, preferences): each change is pushed
    /// to every open stream of the user, so it also counts against the token's write bucket
    /// (`--write-rate-limit`, `--write-rate-burst`).
    Write,
    /// Creating notifications: the token bucket only (a service token notifies for many
    /// users, and a notify is bounded by the writer's queue).
    Notify,
    /// Opening a stream: also the token's stream bucket (`--stream-rate-limit`,
    /// `--stream-rate-burst`), besides the per-user and total stream caps.
    Stream,
}

impl RateClass {
    /// Whether a call can be refused `429` by its token's rate.
    pub fn is_limited(self) -> bool {
        self != RateClass::Public
    }
}

/// Whether `--request-timeout` applies to a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeLimit {
    /// Answered `503` when the handler takes longer.
    Applies,
    /// Never cut short: a stream lives as long as its client, and a notify once queued may
    /// commit, so a `503` then would make a retry without an Idempotency-Key notify twice (the
    /// writer always answers, within SQLite's busy timeout when the database is locked).
    Exempt,
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn labels_are_the_method_and_pattern() {
        for route in ROUTES {
            assert_eq!(
                route.label,
                format!("{} {}", route.method, route.pattern),
                "{route:?}"
            );
        }
    }

    #[test]
    fn no_two_rows_answer_the_same_request() {
        let labels: BTreeSet<_> = ROUTES.iter().map(|r| r.label).collect();
        assert_eq!(labels.len(), ROUTES.len());
    }

    /// A public route has no token whose bucket it could count against; every other route
    /// counts against one, and every route that changes state is in a class with a bucket
    /// of its own or is a notify.
    #[test]
    fn every_route_is_in_the_rate_class_of_its_access_and_method() {
        for route in ROUTES {
            let public = route.access() == Access::Public;
            assert_eq!(route.rate == RateClass::Public, public, "{}", route.label);
            if !public && route.method != Method::GET {
                assert!(
                    matches!(route.rate, RateClass::Write | RateClass::Notify),
                    "{}",
                    route.label
                );
            }
        }
    }
}
