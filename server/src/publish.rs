//! Publishing from tools that speak Gotify or ntfy (`API.md`, "Publishing from tools that
//! speak Gotify or ntfy"): thin translators in front of the notify path.
//!
//! Each format's module parses a request's parts into a [`Draft`]; [`adapt`] turns a draft
//! into the same `NewNotification` that `POST /api/internal/notify` creates, and the format
//! renders its answer from a [`Receipt`]. Nothing here does I/O, so every reading of the
//! formats is tested byte for byte.

pub mod adapt;
pub mod credentials;
pub mod gotify;
pub mod ntfy;
pub mod priority;
pub mod rfc2047;

use crate::model::{Kind, NewNotification, Notification, Principal};

/// Who publishes, and for whom: what the router hands a publishing route's handler once
/// the token is known and the recipient settled (`credentials::recipient`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    pub principal: Principal,
    /// The user the notification is for.
    pub recipient: String,
}

/// What a Gotify or ntfy request asks for, in notif's terms but before notif's rules:
/// the title may be missing and the texts too long, the click URL may be unusable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub title: Option<String>,
    pub message: Option<String>,
    pub kind: Kind,
    pub click: Option<String>,
    /// The ntfy topic, lower-cased; Gotify has none.
    pub category: Option<String>,
}

/// What became of a publication, for the answer in the sender's format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The stream sequence number (Gotify's numeric `id`); `None` when in-app delivery is
    /// off and nothing was stored.
    pub seq: Option<i64>,
    /// The notification's id (ntfy's `id`); `None` when nothing was stored.
    pub id: Option<String>,
    /// The title notif gave it (which may come from the message's first line).
    pub title: String,
    /// When it was created, Unix milliseconds.
    pub created_at: i64,
}

#[cfg(test)]
impl Receipt {
    /// A stored notification's receipt with sequence number `seq` and `title`, created at
    /// 2026-11-24T06:19:55.123Z, for the answer tests of both protocols.
    pub fn stored(seq: i64, title: &str) -> Receipt {
        Receipt {
            seq: Some(seq),
            id: Some("tz4a98xxat96iws9zmbrgj3a".into()),
            title: title.into(),
            created_at: 1_795_501_195_123,
        }
    }
}

impl Receipt {
    /// The receipt for `sent`, stored as `stored` (if in-app delivery was on) at `now_ms`.
    pub fn new(sent: &NewNotification, stored: Option<&Notification>, now_ms: i64) -> Receipt {
        Receipt {
            seq: stored.map(|n| n.seq),
            id: stored.map(|n| n.id.clone()),
            title: stored.map_or_else(|| sent.title.clone(), |n| n.title.clone()),
            created_at: stored.map_or(now_ms, |n| n.created_at),
        }
    }
}

/// A request's query parameters in order, percent-decoded; the first of a name counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query(Vec<(String, String)>);

impl Query {
    /// The parameters of a URI's query string (`None` when it has none).
    pub fn parse(query: Option<&str>) -> Query {
        Query(
            query
                .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
                .unwrap_or_default(),
        )
    }

    /// The first value of `name`, if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_keeps_the_first_value_and_decodes() {
        let q = Query::parse(Some("t=A+b%C3%A9&t=second&to=bob"));
        assert_eq!(q.get("t"), Some("A bé"));
        assert_eq!(q.get("to"), Some("bob"));
        assert_eq!(q.get("x"), None);
        assert_eq!(Query::parse(None), Query::default());
    }

    #[test]
    fn receipts_fall_back_to_what_was_sent_when_nothing_was_stored() {
        let sent = NewNotification {
            user_id: "alice".into(),
            kind: Kind::Info,
            title: "t".into(),
            body: None,
            link: None,
            category: None,
        };
        let receipt = Receipt::new(&sent, None, 42);
        assert_eq!(
            (receipt.seq, receipt.id, receipt.created_at),
            (None, None, 42)
        );
        let stored = Notification {
            created_at: 1000,
            ..Notification::sample(7, "n1", "alice")
        };
        let receipt = Receipt::new(&sent, Some(&stored), 42);
        assert_eq!(
            (receipt.seq, receipt.id.as_deref(), receipt.created_at),
            (Some(7), Some("n1"), 1000)
        );
    }
}
