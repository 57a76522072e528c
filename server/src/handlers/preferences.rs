//! `GET` and `PUT /api/notifications/preferences`: channels per user and per category.

use std::collections::BTreeMap;

use hyper::{Response, StatusCode};
use serde::Serialize;
use serde_json::Value;

use crate::error::ApiError;
use crate::fields::FieldErrors;
use crate::model::{CategoryPreference, Preferences, PreferencesPatch};
use crate::request;
use crate::response::{self, Body};
use crate::router::{Call, UserId};
use crate::validate::{self, MAX_CATEGORIES};

/// The preferences as the API shows them: each category entry with both channels, an
/// unset override shown as the global flag it falls back to.
#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
struct PreferencesBody {
    in_app: bool,
    email: bool,
    categories: BTreeMap<String, ChannelsBody>,
}

#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
struct ChannelsBody {
    in_app: bool,
    email: bool,
}

impl From<&Preferences> for PreferencesBody {
    fn from(p: &Preferences) -> Self {
        PreferencesBody {
            in_app: p.in_app,
            email: p.email,
            categories: p
                .categories
                .keys()
                .map(|name| {
                    let channels = p.channels_for(Some(name));
                    (
                        name.clone(),
                        ChannelsBody {
                            in_app: channels.in_app,
                            email: channels.email,
                        },
                    )
                })
                .collect(),
        }
    }
}

/// `GET /api/notifications/preferences`.
pub async fn get(call: Call<UserId>) -> Result<Response<Body>, ApiError> {
    let prefs = call.state.store.preferences(call.caller).await?;
    Ok(response::json(
        StatusCode::OK,
        &PreferencesBody::from(&prefs),
    ))
}

/// `PUT /api/notifications/preferences`: omitted fields keep their value, a category set
/// to `null` is removed.
pub async fn put(call: Call<UserId>) -> Result<Response<Body>, ApiError> {
    let body = request::json_body(call.req).await?;
    let patch = parse_patch(&body)?;
    let prefs = call
        .state
        .store
        .update_preferences(call.caller, patch)
        .await?;
    Ok(response::json(
        StatusCode::OK,
        &PreferencesBody::from(&prefs),
    ))
}

/// Reads a preferences change; `422` naming every field that breaks a rule.
pub fn parse_patch(body: &Value) -> Result<PreferencesPatch, ApiError> {
    let object = body.as_object().ok_or_else(ApiError::not_an_object)?;
    let mut errors = FieldErrors::default();
    let mut patch = PreferencesPatch {
        in_app: errors.optional_bool(object, "inApp", "inApp"),
        email: errors.optional_bool(object, "email", "email"),
        ..PreferencesPatch::default()
    };
    match object.get("categories") {
        None => {}
        Some(Value::Object(categories)) => {
            if categories.len() > MAX_CATEGORIES {
                errors.add(
                    "categories",
                    format!("must hold at most {MAX_CATEGORIES} categories"),
                );
            }
            for (name, entry) in categories {
                let field = format!("categories.{name}");
                if let Err(problem) = validate::category(name) {
                    errors.add(
                        &field,
                        format!("is not a valid category name: it {problem}"),
                    );
                    continue;
                }
                let entry = match entry {
                    Value::Null => None,
                    Value::Object(channels) => Some(CategoryPreference {
                        in_app: errors.optional_bool(channels, "inApp", &format!("{field}.inApp")),
                        email: errors.optional_bool(channels, "email", &format!("{field}.email")),
                    }),
                    _ => {
                        errors.add(&field, "must be an object or null");
                        continue;
                    }
                };
                patch.categories.insert(name.clone(), entry);
            }
        }
        Some(_) => errors.add("categories", "must be an object"),
    }
    errors.into_result(patch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn omitted_fields_stay_unset_and_null_removes_a_category() {
        let patch = parse_patch(
            &json!({"email": false, "categories": {"deploy": {"inApp": false}, "old": null}}),
        )
        .unwrap();
        assert_eq!(patch.in_app, None);
        assert_eq!(patch.email, Some(false));
        assert_eq!(
            patch.categories["deploy"],
            Some(CategoryPreference {
                in_app: Some(false),
                email: None
            })
        );
        assert_eq!(patch.categories["old"], None);
    }

    #[test]
    fn wrong_types_are_named() {
        let err =
            parse_patch(&json!({"inApp": "yes", "categories": {"Bad": {}, "ok": {"email": 1}}}))
                .unwrap_err();
        let ApiError::Validation { fields, .. } = err else {
            panic!("{err:?}")
        };
        assert!(fields.contains_key("inApp"));
        assert!(fields.contains_key("categories.Bad"));
        assert!(fields.contains_key("categories.ok.email"));
    }

    #[test]
    fn too_many_categories() {
        let categories: serde_json::Map<String, Value> = (0..=MAX_CATEGORIES)
            .map(|i| (format!("c{i}"), json!({})))
            .collect();
        assert!(parse_patch(&json!({"categories": categories})).is_err());
    }

    #[test]
    fn shown_entries_fall_back_to_global_flags() {
        let mut prefs = Preferences {
            email: false,
            ..Preferences::default()
        };
        prefs.categories.insert(
            "deploy".into(),
            CategoryPreference {
                in_app: Some(false),
                email: None,
            },
        );
        let body = serde_json::to_value(PreferencesBody::from(&prefs)).unwrap();
        assert_eq!(
            body,
            json!({"inApp": true, "email": false, "categories": {"deploy": {"inApp": false, "email": false}}})
        );
    }
}
