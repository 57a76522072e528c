//! Notifications for the output tests.

use chrono::{DateTime, TimeZone, Utc};

use crate::api::types::{Notification, NotificationType};

/// A fixed instant plus `secs`.
pub fn at(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_800_000_000 + secs, 0)
        .single()
        .expect("a valid timestamp")
}

/// A notification of alice's, created at `at(created)`.
pub fn note(
    id: &str,
    kind: NotificationType,
    title: &str,
    unread: bool,
    created: i64,
) -> Notification {
    Notification {
        id: id.into(),
        user_id: "alice".into(),
        kind,
        title: title.into(),
        body: None,
        link: None,
        category: None,
        read_at: if unread { None } else { Some(at(created)) },
        created_at: at(created),
    }
}
