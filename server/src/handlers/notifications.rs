//! The inbox: list, read, unread, read-all, delete.

use hyper::{Response, StatusCode};
use serde::Serialize;

use crate::cursor::Cursor;
use crate::error::ApiError;
use crate::model::Notification;
use crate::request;
use crate::response::{self, Body};
use crate::router::{Call, NotificationId, UserId};
use crate::store::ListQuery;
use crate::validate;

const DEFAULT_LIMIT: u32 = 50;
/// The largest page a list may ask for.
pub const MAX_LIMIT: u32 = 200;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PageBody {
    notifications: Vec<Notification>,
    unread_count: u64,
    next_cursor: Option<String>,
}

/// `GET /api/notifications?limit&cursor&unread&type&category`.
pub async fn list(call: Call<UserId>) -> Result<Response<Body>, ApiError> {
    let query = list_query(call.caller, &request::query(&call.req))?;
    let page = call.state.store.list(query).await?;
    Ok(response::json(
        StatusCode::OK,
        &PageBody {
            notifications: page.notifications,
            unread_count: page.unread_count,
            next_cursor: page.next.map(Cursor::encode),
        },
    ))
}

/// Reads the list's query parameters; `400` for any that is malformed or out of range.
fn list_query(
    user_id: String,
    params: &std::collections::HashMap<String, String>,
) -> Result<ListQuery, ApiError> {
    let bad =
        |name: &str, what: &str| ApiError::BadRequest(format!("query parameter {name}: {what}"));
    let limit = match params.get("limit") {
        None => DEFAULT_LIMIT,
        Some(raw) => raw
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                bad(
                    "limit",
                    &format!("must be a whole number from 1 to {MAX_LIMIT}"),
                )
            })?,
    };
    let after = match params.get("cursor") {
        None => None,
        Some(raw) => Some(
            Cursor::decode(raw).ok_or_else(|| bad("cursor", "is not a cursor this server gave"))?,
        ),
    };
    let unread_only = match params.get("unread").map(String::as_str) {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(bad("unread", "must be true or false")),
    };
    let kind = match params.get("type") {
        None => None,
        Some(raw) => Some(validate::kind(raw).map_err(|e| bad("type", &e))?),
    };
    let category = match params.get("category") {
        None => None,
        Some(raw) => Some(validate::category(raw).map_err(|e| bad("category", &e))?),
    };
    Ok(ListQuery {
        user_id,
        limit,
        after,
        unread_only,
        kind,
        category,
    })
}

/// `POST /api/notifications/{id}/read`.
pub async fn read(call: Call<UserId, NotificationId>) -> Result<Response<Body>, ApiError> {
    set_read(call, true).await
}

/// `POST /api/notifications/{id}/unread`.
pub async fn unread(call: Call<UserId, NotificationId>) -> Result<Response<Body>, ApiError> {
    set_read(call, false).await
}

async fn set_read(
    call: Call<UserId, NotificationId>,
    read: bool,
) -> Result<Response<Body>, ApiError> {
    let notification = call
        .state
        .store
        .set_read(call.caller, call.id, read)
        .await?;
    Ok(response::json(StatusCode::OK, &notification))
}

/// `POST /api/notifications/read-all`.
pub async fn read_all(call: Call<UserId>) -> Result<Response<Body>, ApiError> {
    let outcome = call.state.store.read_all(call.caller).await?;
    Ok(response::json(
        StatusCode::OK,
        &serde_json::json!({"updated": outcome.updated, "unreadCount": outcome.unread_count}),
    ))
}

/// `DELETE /api/notifications/{id}`.
pub async fn delete(call: Call<UserId, NotificationId>) -> Result<Response<Body>, ApiError> {
    call.state.store.delete(call.caller, call.id).await?;
    Ok(response::empty(StatusCode::NO_CONTENT))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn parse(pairs: &[(&str, &str)]) -> Result<ListQuery, ApiError> {
        let params: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        list_query("alice".into(), &params)
    }

    #[test]
    fn defaults() {
        let q = parse(&[]).unwrap();
        assert_eq!(
            (q.limit, q.after, q.unread_only, q.kind, q.category),
            (50, None, false, None, None)
        );
    }

    #[test]
    fn rejects_out_of_range_and_malformed_parameters() {
        let too_many = (MAX_LIMIT + 1).to_string();
        for pairs in [
            [("limit", "0")],
            [("limit", too_many.as_str())],
            [("limit", "ten")],
            [("cursor", "nope")],
            [("unread", "yes")],
            [("type", "info")],
            [("category", "Bad Category")],
        ] {
            assert!(
                matches!(parse(&pairs), Err(ApiError::BadRequest(_))),
                "{pairs:?}"
            );
        }
    }
}
