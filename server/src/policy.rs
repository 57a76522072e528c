//! The server's protective limits, set once at start-up: rate limiting by the route's rate
//! class (applied by the router), failed authentication per client address and cross-site
//! protection (applied by authentication), CORS (applied by the middleware), and the time a
//! request may take (applied by the middleware).

use std::time::Duration;

use hyper::header::{self, HeaderMap};

use crate::args::LimitArgs;
use crate::cors::Cors;
use crate::cross_site::OwnOrigins;
use crate::error::ApiError;
use crate::failed_auth::FailedAuth;
use crate::ids::token_hash;
use crate::model::Principal;
use crate::ratelimit::RateLimiter;
use crate::router::RateClass;

/// What protects the server from its clients, shared by every request.
pub struct Policy {
    /// Every token's bucket, which every call of a route with a token counts against
    /// (`--rate-limit`, `--rate-burst`).
    pub limiter: RateLimiter,
    /// Each token's bucket for [`RateClass::Write`] calls, counted as well as `limiter`.
    pub writes: RateLimiter,
    /// Each token's bucket for [`RateClass::Stream`] calls, counted as well as `limiter`.
    pub streams: RateLimiter,
    /// Unknown or revoked tokens per client address.
    pub failed_auth: FailedAuth,
    pub cors: Cors,
    /// The origins of the server's own pages, for cross-site protection.
    pub own_origins: OwnOrigins,
    /// The longest a request may take before it is answered `503`, on the routes whose row
    /// says the time limit applies.
    pub request_timeout: Duration,
    /// The SHA-256 of `--metrics-token`: `/metrics` then needs it as a bearer token.
    pub metrics_token: Option<[u8; 32]>,
}

impl Policy {
    /// The policy the command line asks for. `--rate-limit 0` turns off every per-token limit,
    /// the classes' too.
    pub fn new(limits: &LimitArgs, own_origins: OwnOrigins) -> Policy {
        let class = |rate: u32, burst: u32| {
            let rate = if limits.rate_limit == 0 { 0 } else { rate };
            RateLimiter::new(rate, burst)
        };
        Policy {
            limiter: RateLimiter::new(limits.rate_limit, limits.rate_burst),
            writes: class(limits.write_rate_limit, limits.write_rate_burst),
            streams: class(limits.stream_rate_limit, limits.stream_rate_burst),
            failed_auth: FailedAuth::new(limits.auth_failure_limit, limits.auth_failure_window),
            cors: Cors::new(limits.cors_origin.clone()),
            own_origins,
            request_timeout: limits.request_timeout,
            metrics_token: limits.metrics_token.as_deref().map(token_hash),
        }
    }

    /// Whether a request with these headers may read `/metrics`: always without
    /// `--metrics-token`, else only with it as the bearer token.
    pub fn may_read_metrics(&self, headers: &HeaderMap) -> bool {
        let Some(expected) = self.metrics_token else {
            return true;
        };
        headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .is_some_and(|(_, token)| token_hash(token.trim()) == expected)
    }

    /// `429` with `Retry-After` when the caller's token is over its rate, or over its class's.
    pub fn rate_limit(&self, class: RateClass, principal: &Principal) -> Result<(), ApiError> {
        let token = principal.token_id;
        let class_bucket = match class {
            RateClass::Public => return Ok(()),
            RateClass::Read | RateClass::Notify => None,
            RateClass::Write => Some(&self.writes),
            RateClass::Stream => Some(&self.streams),
        };
        self.limiter
            .check(&token)
            .and_then(|()| class_bucket.map_or(Ok(()), |bucket| bucket.check(&token)))
            .map_err(|wait| rate_limited(wait, "for this token"))
    }
}

/// `429` with `Retry-After`: the wait, in whole seconds, at least one.
pub fn rate_limited(wait: Duration, whose: &str) -> ApiError {
    ApiError::RateLimited {
        retry_after_secs: wait.as_secs_f64().ceil().max(1.0) as u64,
        message: format!("too many requests {whose}; retry after the time in Retry-After"),
    }
}
