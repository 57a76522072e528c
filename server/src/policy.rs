//! The server's protective limits, set once at start-up: per-token rate limiting (applied by
//! the router to the routes whose row asks for it), CORS (applied by the middleware and by
//! cookie authentication), and the time a request may take (applied by the middleware).

use std::time::Duration;

use crate::cors::Cors;
use crate::error::ApiError;
use crate::model::Principal;
use crate::ratelimit::RateLimiter;

/// What protects the server from its clients, shared by every request.
pub struct Policy {
    pub limiter: RateLimiter,
    pub cors: Cors,
    /// The longest a request may take before it is answered `503`, on the routes whose row
    /// says the time limit applies.
    pub request_timeout: Duration,
}

impl Policy {
    /// `429` with `Retry-After` when the caller's token is over its rate.
    pub fn rate_limit(&self, principal: &Principal) -> Result<(), ApiError> {
        self.limiter
            .check(principal.token_id)
            .map_err(|wait| ApiError::RateLimited {
                retry_after_secs: wait.as_secs_f64().ceil().max(1.0) as u64,
                message: "too many requests for this token; retry after the time in Retry-After"
                    .to_owned(),
            })
    }
}
