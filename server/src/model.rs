//! The domain: notifications, their types, preferences and who is calling. These are the
//! shapes handlers, the store and the hub exchange; their `Serialize` is the API's JSON.

mod event;

pub use event::InboxEvent;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::timestamp;

/// `INFO`, `SUCCESS`, `WARNING` or `ERROR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Kind {
    Info,
    Success,
    Warning,
    Error,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Info => "INFO",
            Kind::Success => "SUCCESS",
            Kind::Warning => "WARNING",
            Kind::Error => "ERROR",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Kind {
    type Err = ();

    /// Exactly the contract's spelling: upper case.
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "INFO" => Ok(Kind::Info),
            "SUCCESS" => Ok(Kind::Success),
            "WARNING" => Ok(Kind::Warning),
            "ERROR" => Ok(Kind::Error),
            _ => Err(()),
        }
    }
}

/// A stored notification. `seq` is its stream sequence number (the SSE `id:`), internal to
/// the server and never part of the JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    #[serde(skip)]
    pub seq: i64,
    pub id: String,
    pub user_id: String,
    #[serde(rename = "type")]
    pub kind: Kind,
    pub title: String,
    pub body: Option<String>,
    pub link: Option<String>,
    pub category: Option<String>,
    #[serde(serialize_with = "timestamp::serialize_opt")]
    pub read_at: Option<i64>,
    #[serde(serialize_with = "timestamp::serialize")]
    pub created_at: i64,
}

#[cfg(test)]
impl Notification {
    /// An unread `INFO` notification titled `t`, for unit tests.
    pub fn sample(seq: i64, id: &str, user_id: &str) -> Notification {
        Notification {
            seq,
            id: id.into(),
            user_id: user_id.into(),
            kind: Kind::Info,
            title: "t".into(),
            body: None,
            link: None,
            category: None,
            read_at: None,
            created_at: 0,
        }
    }
}

/// What a notify request asks to create, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct NewNotification {
    pub user_id: String,
    pub kind: Kind,
    pub title: String,
    pub body: Option<String>,
    pub link: Option<String>,
    pub category: Option<String>,
}

impl NewNotification {
    /// The notification as stored: with its `id`, stream sequence number `seq`, unread, created
    /// at `created_at` (both stores build it this way once the row is written).
    pub fn stored(&self, id: String, seq: i64, created_at: i64) -> Notification {
        Notification {
            seq,
            id,
            user_id: self.user_id.clone(),
            kind: self.kind,
            title: self.title.clone(),
            body: self.body.clone(),
            link: self.link.clone(),
            category: self.category.clone(),
            read_at: None,
            created_at,
        }
    }
}

/// Which channels a notification went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivered {
    pub in_app: bool,
    pub email: bool,
}

/// The `201` body of a notify.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NotifyResponse {
    pub notification: Option<Notification>,
    pub delivered: Delivered,
}

/// A user's channel preferences. Category entries hold overrides: `None` means the global
/// flag decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preferences {
    pub in_app: bool,
    pub email: bool,
    pub categories: BTreeMap<String, CategoryPreference>,
}

impl Default for Preferences {
    fn default() -> Self {
        Preferences {
            in_app: true,
            email: true,
            categories: BTreeMap::new(),
        }
    }
}

/// One category's overrides.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CategoryPreference {
    pub in_app: Option<bool>,
    pub email: Option<bool>,
}

impl Preferences {
    /// The channels for a notification of `category`: the category entry first, then the
    /// global flag.
    pub fn channels_for(&self, category: Option<&str>) -> Delivered {
        let entry = category
            .and_then(|c| self.categories.get(c))
            .copied()
            .unwrap_or_default();
        Delivered {
            in_app: entry.in_app.unwrap_or(self.in_app),
            email: entry.email.unwrap_or(self.email),
        }
    }
}

/// A change to preferences: omitted fields keep their value; a category set to `None`
/// is removed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PreferencesPatch {
    pub in_app: Option<bool>,
    pub email: Option<bool>,
    pub categories: BTreeMap<String, Option<CategoryPreference>>,
}

/// Who a token speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub token_id: i64,
    pub scope: Scope,
    pub last_used_at: Option<i64>,
}

/// A token's scope: a user's own inbox, or a service that may only notify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    User(String),
    Service,
}

/// The kind of a token, without its user: what `tokens.scope` stores and `token list` shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenScope {
    User,
    Service,
}

impl TokenScope {
    /// The stored spelling (the schema's `CHECK` allows exactly these).
    pub fn as_str(self) -> &'static str {
        match self {
            TokenScope::User => "user",
            TokenScope::Service => "service",
        }
    }
}

impl fmt::Display for TokenScope {
    /// Pads like a string, so that tables line up.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for TokenScope {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "user" => Ok(TokenScope::User),
            "service" => Ok(TokenScope::Service),
            _ => Err(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_entry_wins_over_global_flag() {
        let mut prefs = Preferences {
            in_app: false,
            ..Preferences::default()
        };
        prefs.categories.insert(
            "deploy".into(),
            CategoryPreference {
                in_app: Some(true),
                email: None,
            },
        );
        let deploy = prefs.channels_for(Some("deploy"));
        assert!(deploy.in_app && deploy.email);
        let other = prefs.channels_for(Some("other"));
        assert!(!other.in_app && other.email);
        assert!(!prefs.channels_for(None).in_app);
    }

    #[test]
    fn notification_json_is_camel_case_without_seq() {
        let n = Notification {
            kind: Kind::Success,
            ..Notification::sample(7, "a", "alice")
        };
        let v = serde_json::to_value(&n).unwrap();
        assert_eq!(v["type"], "SUCCESS");
        assert_eq!(v["userId"], "alice");
        assert_eq!(v["readAt"], serde_json::Value::Null);
        assert_eq!(v["createdAt"], "1970-01-01T00:00:00.000Z");
        assert!(v.get("seq").is_none());
    }

    #[test]
    fn token_scopes_round_trip_their_stored_spelling() {
        for scope in [TokenScope::User, TokenScope::Service] {
            assert_eq!(scope.as_str().parse(), Ok(scope));
        }
        assert_eq!("admin".parse::<TokenScope>(), Err(()));
        assert_eq!(format!("{:<8}|", TokenScope::User), "user    |");
    }
}
