//! From a matched row to its handler: establish the caller the row's access asks for
//! (`401`, `403`), count the call against its rate class (`429`), then call the handler with
//! the caller and the path's id. Handlers never authenticate or rate-limit themselves.

use hyper::body::Incoming;
use hyper::{Request, Response};

use super::{Call, Handler, RateClass, Route};
use crate::auth;
use crate::error::ApiError;
use crate::model::Principal;
use crate::response::Body;
use crate::state::AppState;

/// Answers `req` by `route`, `id` being what its pattern captured.
pub async fn dispatch(
    route: &'static Route,
    state: AppState,
    req: Request<Incoming>,
    id: Option<String>,
) -> Result<Response<Body>, ApiError> {
    match route.handler {
        Handler::Public(handler) => handler(Call::new(state, req, ()), id).await,
        Handler::User(handler) => {
            let principal = auth::authenticate(&state, &req).await?;
            let user_id = auth::user_of(&principal)?;
            count(&state, route.rate, &principal)?;
            handler(Call::new(state, req, user_id), id).await
        }
        Handler::Either(handler) => {
            let principal = auth::authenticate(&state, &req).await?;
            count(&state, route.rate, &principal)?;
            handler(Call::new(state, req, principal), id).await
        }
    }
}

/// Takes one call from what `rate` counts against; `429` when that is used up.
fn count(state: &AppState, rate: RateClass, principal: &Principal) -> Result<(), ApiError> {
    match rate {
        RateClass::PerToken => state.policy.rate_limit(principal),
        RateClass::Unlimited => Ok(()),
    }
}
