//! The server's protective limits as handlers see them: per-token rate limiting, CORS, and
//! the time a request may take.

use std::time::Duration;

use crate::cors::Cors;
use crate::error::ApiError;
use crate::model::Principal;
use crate::ratelimit::RateLimiter;

/// What protects the server from its clients, shared by every request.
pub struct Policy {
    pub limiter: RateLimiter,
    pub cors: Cors,
    /// The longest a non-stream request may take before it is answered `503`.
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

impl Default for Policy {
    /// No limits beyond a generous timeout: for tests and embedding.
    fn default() -> Self {
        Policy {
            limiter: RateLimiter::new(0, 1),
            cors: Cors::default(),
            request_timeout: Duration::from_secs(30),
        }
    }
}
