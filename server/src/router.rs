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
//! Adding a route is one `route!` row in [`ROUTES`] plus its handler, an
//! `async fn(Call<Caller, Id>) -> Result<Response<Body>, ApiError>` (see [`Call`]).

mod call;
mod dispatch;
mod matching;

use hyper::Method;

pub use call::{Answer, Call, NotificationId, PathId, UserId};
pub use dispatch::dispatch;
pub use matching::resolve;

use crate::handlers::{me, notifications, notify, ops, preferences, stream};
use crate::model::Principal;

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

/// Every route. A path segment `{id}` matches any one non-empty segment; where a literal
/// route and an `{id}` route both match a path, the literal one decides (so
/// `/api/notifications/stream` is never an id).
#[rustfmt::skip]
pub static ROUTES: &[Route] = &[
    //     method pattern                            access handler                   rate       time limit
    route!(GET    "/healthz",                        Public ops::health,              Unlimited, Applies),
    route!(GET    "/metrics",                        Public ops::metrics,             Unlimited, Applies),
    route!(GET    "/api/openapi.json",               Public ops::openapi,             Unlimited, Applies),
    route!(GET    "/api/me",                         Either me::get,                  Unlimited, Applies),
    route!(GET    "/api/notifications",              User   notifications::list,      PerToken,  Applies),
    route!(GET    "/api/notifications/stream",       User   stream::open,             PerToken,  Exempt),
    route!(GET    "/api/notifications/preferences",  User   preferences::get,         Unlimited, Applies),
    route!(PUT    "/api/notifications/preferences",  User   preferences::put,         Unlimited, Applies),
    route!(POST   "/api/notifications/read-all",     User   notifications::read_all,  Unlimited, Applies),
    route!(POST   "/api/notifications/{id}/read",    User   notifications::read,      Unlimited, Applies),
    route!(POST   "/api/notifications/{id}/unread",  User   notifications::unread,    Unlimited, Applies),
    route!(DELETE "/api/notifications/{id}",         User   notifications::delete,    Unlimited, Applies),
    route!(POST   "/api/internal/notify",            Either notify::create,           PerToken,  Exempt),
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
        }
    }
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
}

/// [`Handler`]'s variants as plain values, for tests and documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Public,
    User,
    Either,
}

/// What a call counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateClass {
    /// The caller's token bucket (`--rate-limit`, `--rate-burst`): `429` when it is empty.
    PerToken,
    /// Nothing: the route is cheap, or has a cap of its own.
    Unlimited,
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

    /// A public route has no token whose bucket it could count against.
    #[test]
    fn public_routes_are_unlimited() {
        for route in ROUTES.iter().filter(|r| r.access() == Access::Public) {
            assert_eq!(route.rate, RateClass::Unlimited, "{}", route.label);
        }
    }
}
