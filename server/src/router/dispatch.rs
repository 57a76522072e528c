//! From a matched row to its handler: establish the caller the row's access asks for
//! (`401`, `403`; on a publishing route also who the notification is for, `400`/`403`),
//! count the call against its rate class (`429`), then call the handler with the caller and
//! the path's id. Handlers never authenticate or rate-limit themselves.

use hyper::body::Incoming;
use hyper::{Request, Response};

use super::{Call, Handler, Route};
use crate::auth;
use crate::error::ApiError;
use crate::publish::{Query, Sender, credentials};
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
            state.policy.rate_limit(route.rate, &principal)?;
            handler(Call::new(state, req, user_id), id).await
        }
        Handler::Either(handler) => {
            let principal = auth::authenticate(&state, &req).await?;
            state.policy.rate_limit(route.rate, &principal)?;
            handler(Call::new(state, req, principal), id).await
        }
        Handler::Sender(handler) => {
            let query = Query::parse(req.uri().query());
            let credentials = credentials::from_request(req.headers(), &query)?;
            let principal = auth::principal_of(&state, &req, &credentials.token).await?;
            state.policy.rate_limit(route.rate, &principal)?;
            let recipient = credentials::recipient(&principal, credentials.named_user.as_deref())?;
            let sender = Sender {
                principal,
                recipient,
            };
            handler(Call::new(state, req, sender), id).await
        }
    }
}
