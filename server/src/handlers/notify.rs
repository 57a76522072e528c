//! `POST /api/internal/notify`: how other services, scripts and CI send a notification.

use hyper::{Response, StatusCode};
use serde_json::Value;

use crate::error::ApiError;
use crate::fields::FieldErrors;
use crate::ids::body_hash;
use crate::model::{Kind, NewNotification, Principal, Scope};
use crate::request;
use crate::response::{self, Body};
use crate::router::Call;
use crate::store::{NotifyCommand, NotifyOutcome};
use crate::validate;

/// Creates a notification for the caller (user token) or for `userId` (service token).
/// Answers `201` only once the notification is committed.
pub async fn create(call: Call<Principal>) -> Result<Response<Body>, ApiError> {
    let Call {
        state,
        req,
        caller: principal,
        ..
    } = call;
    let key = match request::header(&req, "idempotency-key") {
        Some(raw) => Some(validate::idempotency_key(raw).map_err(ApiError::BadRequest)?),
        None if req.headers().contains_key("idempotency-key") => {
            return Err(ApiError::BadRequest(
                "Idempotency-Key must be printable ASCII".to_owned(),
            ));
        }
        None => None,
    };
    let body = request::json_body(req).await?;
    let notification = parse(&body, &principal)?;
    // serde_json's map is ordered, so equal bodies serialise equally whatever their key order.
    let idempotency = key.map(|key| {
        (
            principal.token_id,
            key,
            body_hash(&format!("{}\n{}", notification.user_id, body)),
        )
    });
    let outcome = state
        .store
        .notify(NotifyCommand {
            notification,
            idempotency,
        })
        .await?;
    Ok(match outcome {
        NotifyOutcome::Created(created) => response::json(StatusCode::CREATED, &created),
        NotifyOutcome::Replayed(first) => response::raw_json(StatusCode::CREATED, first),
    })
}

/// The notification a body asks for: `422` naming every broken rule, `403` when a user
/// token names another user.
pub fn parse(body: &Value, principal: &Principal) -> Result<NewNotification, ApiError> {
    let object = body.as_object().ok_or_else(ApiError::not_an_object)?;
    let mut errors = FieldErrors::default();
    let user_id = errors.optional_str(object, "userId", validate::user_id);
    let user_id = match (&principal.scope, user_id) {
        (Scope::User(own), Some(named)) if *own != named => {
            return Err(ApiError::Forbidden(
                "a user token may only notify its own user".to_owned(),
            ));
        }
        (Scope::User(own), _) => Some(own.clone()),
        (Scope::Service, Some(named)) => Some(named),
        (Scope::Service, None) => {
            if !object.contains_key("userId") || object["userId"].is_null() {
                errors.add("userId", "is required with a service token");
            }
            None
        }
    };
    let title = match object.get("title") {
        None | Some(Value::Null) => {
            errors.add("title", "is required");
            None
        }
        Some(_) => errors.optional_str(object, "title", validate::title),
    };
    let kind = errors.optional_str(object, "type", validate::kind);
    let body_text = errors.optional_str(object, "body", validate::body);
    let link = errors.optional_str(object, "link", validate::link);
    let category = errors.optional_str(object, "category", validate::category);
    errors.into_result(())?;
    // A missing or invalid user or title was reported just above.
    let (Some(user_id), Some(title)) = (user_id, title) else {
        return Err(ApiError::not_an_object());
    };
    Ok(NewNotification {
        user_id,
        kind: kind.unwrap_or(Kind::Info),
        title,
        body: body_text,
        link,
        category,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user(name: &str) -> Principal {
        Principal {
            token_id: 1,
            scope: Scope::User(name.into()),
            last_used_at: None,
        }
    }

    fn service() -> Principal {
        Principal {
            token_id: 2,
            scope: Scope::Service,
            last_used_at: None,
        }
    }

    fn fields_of(err: ApiError) -> Vec<String> {
        match err {
            ApiError::Validation { fields, .. } => fields.into_keys().collect(),
            other => panic!("expected 422, got {other:?}"),
        }
    }

    #[test]
    fn a_user_token_notifies_itself() {
        let n = parse(
            &json!({"title": " Deploy ", "type": "SUCCESS"}),
            &user("alice"),
        )
        .unwrap();
        assert_eq!(
            (n.user_id.as_str(), n.title.as_str(), n.kind),
            ("alice", "Deploy", Kind::Success)
        );
        assert!(parse(&json!({"title": "x", "userId": "alice"}), &user("alice")).is_ok());
    }

    #[test]
    fn a_user_token_may_not_notify_others() {
        let err = parse(&json!({"title": "x", "userId": "bob"}), &user("alice")).unwrap_err();
        assert!(matches!(err, ApiError::Forbidden(_)));
    }

    #[test]
    fn a_service_token_must_name_the_user() {
        assert_eq!(
            fields_of(parse(&json!({"title": "x"}), &service()).unwrap_err()),
            ["userId"]
        );
        assert_eq!(
            parse(&json!({"title": "x", "userId": "bob"}), &service())
                .unwrap()
                .user_id,
            "bob"
        );
    }

    #[test]
    fn every_broken_rule_is_named() {
        let body = json!({"title": "", "type": "info", "body": 5, "link": "javascript:x", "category": "A B"});
        assert_eq!(
            fields_of(parse(&body, &user("alice")).unwrap_err()),
            ["body", "category", "link", "title", "type"]
        );
        assert!(fields_of(parse(&json!([1]), &user("alice")).unwrap_err()).is_empty());
        assert_eq!(
            fields_of(parse(&json!({}), &user("alice")).unwrap_err()),
            ["title"]
        );
    }
}
