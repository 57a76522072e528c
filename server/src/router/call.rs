//! What a handler is handed: [`Call`], holding the server, the request, the caller the router
//! established, and the path's `{id}` in the type the handler asks for.

use std::future::Future;
use std::pin::Pin;

use hyper::body::Incoming;
use hyper::{Request, Response};

use crate::error::ApiError;
use crate::response::Body;
use crate::state::AppState;

/// The id of the user a user token speaks for.
pub type UserId = String;

/// A notification's id, as the path's `{id}` segment gave it (percent-decoded).
pub type NotificationId = String;

/// An ntfy topic, as the path's `{topic}` segment gave it (its characters need no decoding).
pub type TopicName = String;

/// A handler's answer as the table holds it: boxed, so that every row has one type.
pub type Answer = Pin<Box<dyn Future<Output = Result<Response<Body>, ApiError>> + Send>>;

/// One call of a handler. `C` is who calls, as the route's access established it: `()` on a
/// public route, the [`UserId`] on a user route, the [`Principal`](crate::model::Principal)
/// on a route any token may call. `I` is the path's id: `()`, or a [`NotificationId`] on a
/// route whose pattern has `{id}`.
pub struct Call<C = (), I = ()> {
    pub state: AppState,
    pub req: Request<Incoming>,
    pub caller: C,
    pub id: I,
}

impl<C> Call<C> {
    /// A call with no id yet.
    pub fn new(state: AppState, req: Request<Incoming>, caller: C) -> Call<C> {
        Call {
            state,
            req,
            caller,
            id: (),
        }
    }

    /// This call with the path's captured `{id}` as the type its handler takes. An `Internal`
    /// error when the route's pattern and its handler disagree on having an id, which the
    /// table's tests rule out.
    pub fn with_id<I: PathId>(self, captured: Option<String>) -> Result<Call<C, I>, ApiError> {
        let id = I::from_path(captured).ok_or_else(|| {
            ApiError::Internal("the route's pattern and its handler disagree on {id}".to_owned())
        })?;
        Ok(Call {
            state: self.state,
            req: self.req,
            caller: self.caller,
            id,
        })
    }
}

/// What a handler may take as the path's id.
pub trait PathId: Sized {
    /// The id from what the pattern captured; `None` when the two do not fit.
    fn from_path(captured: Option<String>) -> Option<Self>;
}

/// No id: the pattern must not have one.
impl PathId for () {
    fn from_path(captured: Option<String>) -> Option<()> {
        captured.is_none().then_some(())
    }
}

/// The `{id}` (or `{topic}`) segment: the pattern must have one.
impl PathId for String {
    fn from_path(captured: Option<String>) -> Option<NotificationId> {
        captured
    }
}
