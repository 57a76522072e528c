//! The JSON shapes of notif's HTTP API, version 1, exactly as `API.md` names them.
//!
//! Every type serialises with camelCase field names; [`NotificationType`] uses the
//! upper-case names of the contract (`"INFO"`, `"SUCCESS"`, …). Optional fields that the
//! client sends are skipped when `None`, so the server applies its own defaults.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One notification in a user's inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    /// Collision-resistant id (cuid2 style), never reused.
    pub id: String,
    /// The user whose inbox holds it.
    pub user_id: String,
    /// Severity, which drives colours and toast urgency.
    #[serde(rename = "type")]
    pub kind: NotificationType,
    /// One line, 1 to 200 characters.
    pub title: String,
    /// Free text, up to 10,000 characters.
    #[serde(default)]
    pub body: Option<String>,
    /// An absolute `http`, `https` or `mailto` URL.
    #[serde(default)]
    pub link: Option<String>,
    /// Selects the per-category preference (`[a-z0-9._-]{1,64}`).
    #[serde(default)]
    pub category: Option<String>,
    /// When it was first read; `None` while unread.
    #[serde(default)]
    pub read_at: Option<DateTime<Utc>>,
    /// When the server committed it.
    pub created_at: DateTime<Utc>,
}

impl Notification {
    /// Whether the notification has not been read yet.
    pub fn is_unread(&self) -> bool {
        self.read_at.is_none()
    }
}

/// The severity of a notification; `Info` is the server's default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum NotificationType {
    /// Neutral information.
    #[default]
    Info,
    /// Something went well.
    Success,
    /// Something needs attention soon.
    Warning,
    /// Something failed.
    Error,
}

impl NotificationType {
    /// All types, in order of increasing severity.
    pub const ALL: [NotificationType; 4] = [Self::Info, Self::Success, Self::Warning, Self::Error];

    /// The wire name, as used in JSON bodies and the `type` query parameter.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "INFO",
            Self::Success => "SUCCESS",
            Self::Warning => "WARNING",
            Self::Error => "ERROR",
        }
    }
}

impl fmt::Display for NotificationType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing a [`NotificationType`] from text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown notification type {0:?} (expected info, success, warning or error)")]
pub struct UnknownType(pub String);

impl FromStr for NotificationType {
    type Err = UnknownType;

    /// Accepts the wire names in any case (`info`, `INFO`, `Info`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownType(s.to_owned()))
    }
}

/// One page of `GET /api/notifications`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page {
    /// Unread first, newest first within each group.
    pub notifications: Vec<Notification>,
    /// All of the user's unread notifications, not just this page's.
    pub unread_count: u64,
    /// Opaque cursor of the next page; `None` on the last page.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// The scope of a token, as `GET /api/me` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Acts as one user on the inbox routes.
    User,
    /// May only call `/api/internal/notify`, for any user.
    Service,
}

/// `GET /api/me`: who the token belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    /// The user, or `None` for a service token.
    pub user_id: Option<String>,
    /// What the token may do.
    pub scope: Scope,
}

/// A user's delivery preferences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Preferences {
    /// Global in-app flag, used when no category entry decides.
    pub in_app: bool,
    /// Global email flag, used when no category entry decides.
    pub email: bool,
    /// Per-category overrides, by category name.
    #[serde(default)]
    pub categories: BTreeMap<String, CategoryPreferences>,
}

/// The overrides for one category; a `None` flag falls back to the global one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CategoryPreferences {
    /// In-app delivery for this category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_app: Option<bool>,
    /// Email delivery for this category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<bool>,
}

/// Body of `PUT /api/notifications/preferences`: omitted fields keep their value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreferencesPatch {
    /// New global in-app flag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_app: Option<bool>,
    /// New global email flag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<bool>,
    /// Category changes: `Some(prefs)` sets the given flags, `None` (JSON `null`) removes
    /// the category's entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categories: Option<BTreeMap<String, Option<CategoryPreferences>>>,
}

/// Body of `POST /api/internal/notify`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotifyRequest {
    /// Recipient; a user token may omit it to notify itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Severity; the server defaults to `INFO` when omitted.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<NotificationType>,
    /// One line, 1 to 200 characters.
    pub title: String,
    /// Free text, up to 10,000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// An absolute `http`, `https` or `mailto` URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// Category, which selects the per-category preference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
}

impl NotifyRequest {
    /// A request with only a title; set the other public fields as needed.
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            user_id: None,
            kind: None,
            title: title.into(),
            body: None,
            link: None,
            category: None,
        }
    }
}

/// Response of `POST /api/internal/notify` (`201`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotifyResponse {
    /// The stored notification, or `None` when in-app delivery is off for it.
    pub notification: Option<Notification>,
    /// Which channels the preferences selected.
    pub delivered: Delivered,
}

/// The channels a notification went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivered {
    /// Stored in the inbox and pushed to open streams.
    pub in_app: bool,
    /// Queued for email.
    pub email: bool,
}

/// Response of `POST /api/notifications/read-all`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadAll {
    /// How many notifications changed from unread to read.
    pub updated: u64,
    /// Unread notifications left (normally 0).
    pub unread_count: u64,
}

/// Response of `POST /api/session/links`: a one-time sign-in URL for the web inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginLink {
    /// `<server>/login#<code>`; the code works once, until `expires_at`.
    pub url: String,
    /// RFC 3339.
    pub expires_at: String,
}

/// One event of `GET /api/notifications/stream`, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamEvent {
    /// Sent on connect, after any replay: the current unread count.
    Unread {
        /// All of the user's unread notifications.
        unread_count: u64,
    },
    /// A new notification; `seq` is its stream sequence number (the SSE `id:`), the value
    /// to resume from with `Last-Event-ID`.
    Notification {
        /// Stream sequence number.
        seq: u64,
        /// The notification itself.
        notification: Notification,
    },
    /// Notifications marked read or unread elsewhere.
    Read {
        /// The ids that changed.
        ids: Vec<String>,
        /// The new unread count.
        unread_count: u64,
    },
    /// A notification deleted elsewhere.
    Deleted {
        /// The deleted id.
        id: String,
        /// The new unread count.
        unread_count: u64,
    },
    /// Keep-alive, so a client can detect a dead link.
    Ping,
}

/// The `data` of `unread` events.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UnreadData {
    pub unread_count: u64,
}

/// The `data` of `read` events.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReadData {
    pub ids: Vec<String>,
    pub unread_count: u64,
}

/// The `data` of `deleted` events.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DeletedData {
    pub id: String,
    pub unread_count: u64,
}

/// The body of every error response: `{"error": {"code", "message", "fields"?}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The error itself.
    pub error: ErrorDetail,
}

/// The inside of [`ErrorBody`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// Machine-readable code, such as `not_found` or `validation_failed`.
    pub code: String,
    /// A human sentence.
    pub message: String,
    /// On `422`: field name → what is wrong with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<BTreeMap<String, String>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn notification_round_trips_the_contract_example() {
        let wire = json!({
            "id": "tz4a98xxat96iws9zmbrgj3a",
            "userId": "alice",
            "type": "SUCCESS",
            "title": "Deploy finished",
            "body": "web-1 is on v2.3.1",
            "link": "https://ci.example.com/runs/42",
            "category": "deploy",
            "readAt": null,
            "createdAt": "2026-11-24T06:19:55.123Z"
        });
        let n: Notification = serde_json::from_value(wire.clone()).unwrap();
        assert_eq!(n.kind, NotificationType::Success);
        assert!(n.is_unread());
        assert_eq!(serde_json::to_value(&n).unwrap(), wire);
    }

    #[test]
    fn type_parses_in_any_case() {
        assert_eq!("warning".parse(), Ok(NotificationType::Warning));
        assert_eq!("ERROR".parse(), Ok(NotificationType::Error));
        assert!("fatal".parse::<NotificationType>().is_err());
    }

    #[test]
    fn notify_request_skips_unset_fields() {
        let mut req = NotifyRequest::new("hi");
        req.kind = Some(NotificationType::Error);
        assert_eq!(
            serde_json::to_value(&req).unwrap(),
            json!({"title": "hi", "type": "ERROR"})
        );
    }

    #[test]
    fn preferences_patch_sends_null_to_remove_a_category() {
        let patch = PreferencesPatch {
            categories: Some([("deploy".to_owned(), None)].into_iter().collect()),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_value(&patch).unwrap(),
            json!({"categories": {"deploy": null}})
        );
    }

    #[test]
    fn preferences_parse_with_categories() {
        let p: Preferences = serde_json::from_value(json!({
            "inApp": true, "email": false,
            "categories": {"deploy": {"inApp": true, "email": false}}
        }))
        .unwrap();
        assert_eq!(p.categories["deploy"].email, Some(false));
    }
}
