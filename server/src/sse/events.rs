//! The five events of `GET /api/notifications/stream` (API.md), rendered to their exact
//! wire frames: the one place that knows their names and their data. Each function is
//! named after the event it renders. Pure: the hub calls `render` once per committed event
//! for all of its user's streams; the stream handler and the ping ticker call the rest.

use bytes::Bytes;
use serde::Serialize;

use super::Event;
use crate::model::{InboxEvent, Notification};
use crate::timestamp::format_ms;

/// The frame of a committed inbox event. Fails only if its data cannot be serialised.
pub fn render(event: &InboxEvent) -> Result<Bytes, serde_json::Error> {
    match event {
        InboxEvent::Created(n) => notification(n),
        InboxEvent::ReadChanged {
            ids, unread_count, ..
        } => read(ids, *unread_count),
        InboxEvent::Deleted {
            id, unread_count, ..
        } => deleted(id, *unread_count),
    }
}

/// `notification`: the notification as JSON, with its sequence number as the `id:`.
pub fn notification(n: &Notification) -> Result<Bytes, serde_json::Error> {
    let data = serde_json::to_string(n)?;
    Ok(Event::new("notification", &data).id(n.seq).to_bytes())
}

/// `read`: notifications marked read or unread, and the unread count after.
pub fn read(ids: &[String], unread_count: u64) -> Result<Bytes, serde_json::Error> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Data<'a> {
        ids: &'a [String],
        unread_count: u64,
    }
    let data = serde_json::to_string(&Data { ids, unread_count })?;
    Ok(Event::new("read", &data).to_bytes())
}

/// `deleted`: a deleted notification's id, and the unread count after.
pub fn deleted(id: &str, unread_count: u64) -> Result<Bytes, serde_json::Error> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Data<'a> {
        id: &'a str,
        unread_count: u64,
    }
    let data = serde_json::to_string(&Data { id, unread_count })?;
    Ok(Event::new("deleted", &data).to_bytes())
}

/// `unread`: the unread count a stream starts from (after any replay). A number needs no
/// escaping, so this cannot fail.
pub fn unread(unread_count: u64) -> Bytes {
    let data = format!(r#"{{"unreadCount":{unread_count}}}"#);
    Event::new("unread", &data).to_bytes()
}

/// `ping`: the server's time, so clients can tell a live link from a dead one. A formatted
/// timestamp holds only digits and `-:.TZ`, so this cannot fail.
pub fn ping(now_ms: i64) -> Bytes {
    let data = format!(r#"{{"time":"{}"}}"#, format_ms(now_ms));
    Event::new("ping", &data).to_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(bytes: &Bytes) -> &str {
        std::str::from_utf8(bytes).unwrap()
    }

    #[test]
    fn a_created_notification_is_a_notification_event_with_its_seq() {
        let n = Notification {
            title: "two\nlines".into(),
            ..Notification::sample(42, "n1", "alice")
        };
        let frame = render(&InboxEvent::Created(n.clone())).unwrap();
        let json = serde_json::to_string(&n).unwrap();
        assert_eq!(
            text(&frame),
            format!("event: notification\nid: 42\ndata: {json}\n\n")
        );
        assert!(!json.contains('\n'), "JSON escapes line breaks");
    }

    #[test]
    fn read_and_deleted_carry_the_unread_count() {
        let read = render(&InboxEvent::ReadChanged {
            user_id: "alice".into(),
            ids: vec!["a".into(), "b".into()],
            unread_count: 3,
        })
        .unwrap();
        assert_eq!(
            text(&read),
            "event: read\ndata: {\"ids\":[\"a\",\"b\"],\"unreadCount\":3}\n\n"
        );
        let deleted = render(&InboxEvent::Deleted {
            user_id: "alice".into(),
            id: "a\"b".into(),
            unread_count: 0,
        })
        .unwrap();
        assert_eq!(
            text(&deleted),
            "event: deleted\ndata: {\"id\":\"a\\\"b\",\"unreadCount\":0}\n\n"
        );
    }

    #[test]
    fn unread_and_ping_are_exact() {
        assert_eq!(
            text(&unread(7)),
            "event: unread\ndata: {\"unreadCount\":7}\n\n"
        );
        assert_eq!(
            text(&ping(1_795_501_195_123)),
            "event: ping\ndata: {\"time\":\"2026-11-24T06:19:55.123Z\"}\n\n"
        );
    }
}
