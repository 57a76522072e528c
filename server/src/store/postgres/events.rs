//! What travels on the `notif_events` channel: one small JSON payload per committed inbox
//! event, sent with `pg_notify` inside the write's transaction (so PostgreSQL delivers it
//! only once committed, and in commit order) and turned back into an `InboxEvent` by every
//! node's listener. A payload must stay under PostgreSQL's 8,000 bytes: a notification too
//! large to travel whole travels as a reference the listener reads back, and a `read` event
//! with many ids is split into several.
//!
//! A new notification's payload is written here without its sequence number, which only the
//! insert takes: the database puts `"s":<seq>,` first in the object (`with_seq` here, the
//! same in `notif_notify` of migration V5), so a notify needs no second statement.

use serde::{Deserialize, Serialize};

use crate::model::{InboxEvent, Kind, Notification};

/// The channel every node listens on.
pub const CHANNEL: &str = "notif_events";
/// The largest payload sent (PostgreSQL refuses 8,000 bytes and more).
const MAX_PAYLOAD: usize = 7_800;
/// Room kept in a payload for the sequence number put in by the database: `"s":`, at most
/// 20 digits and a comma.
const SEQ_ROOM: usize = 25;

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "k", rename_all = "lowercase")]
enum Wire {
    /// A new notification, whole (`s`: its sequence number, put in by the database).
    Created {
        #[serde(skip_serializing)]
        s: i64,
        u: String,
        n: WireNotification,
    },
    /// A new notification too large for a payload: read it back by `(user, s)`.
    Reference {
        #[serde(skip_serializing)]
        s: i64,
        u: String,
    },
    /// The last payload of a batch of node `n` (see `echo`).
    End {
        n: u64,
        b: u64,
    },
    Read {
        u: String,
        ids: Vec<String>,
        c: u64,
    },
    Deleted {
        u: String,
        id: String,
        c: u64,
    },
}

#[derive(Debug, Serialize, Deserialize)]
struct WireNotification {
    id: String,
    kind: Kind,
    title: String,
    body: Option<String>,
    link: Option<String>,
    category: Option<String>,
    read_at: Option<i64>,
    created_at: i64,
}

/// A payload heard on the channel.
#[derive(Debug, Clone)]
pub enum Heard {
    /// Ready to publish.
    Event(InboxEvent),
    /// The end of batch `batch` of node `node`.
    End { node: u64, batch: u64 },
    /// Notification `seq` of `user` was created; it must be read from the table.
    Reference { user: String, seq: i64 },
}

/// The payloads that carry `event`.
pub fn encode(event: &InboxEvent) -> Vec<String> {
    let json = |wire: &Wire| serde_json::to_string(wire).unwrap_or_default();
    let user = event.user_id();
    match event {
        InboxEvent::Created(n) => vec![with_seq(&created(n), n.seq)],
        InboxEvent::ReadChanged {
            ids, unread_count, ..
        } => {
            // Ids are at most a few dozen bytes (cuid2), so a few hundred fit each payload.
            let room = MAX_PAYLOAD.saturating_sub(user.len() + 64);
            let mut payloads = Vec::new();
            let mut chunk: Vec<String> = Vec::new();
            let mut size = 0;
            for id in ids {
                if !chunk.is_empty() && size + id.len() + 3 > room {
                    payloads.push(json(&Wire::Read {
                        u: user.to_owned(),
                        ids: std::mem::take(&mut chunk),
                        c: *unread_count,
                    }));
                    size = 0;
                }
                size += id.len() + 3;
                chunk.push(id.clone());
            }
            payloads.push(json(&Wire::Read {
                u: user.to_owned(),
                ids: chunk,
                c: *unread_count,
            }));
            payloads
        }
        InboxEvent::Deleted {
            id, unread_count, ..
        } => vec![json(&Wire::Deleted {
            u: user.to_owned(),
            id: id.clone(),
            c: *unread_count,
        })],
    }
}

/// The payload of new notification `n` without its sequence number (`n.seq` is ignored),
/// for the database to complete with `with_seq`: whole when it fits, else a reference.
pub fn created(n: &Notification) -> String {
    let json = |wire: &Wire| serde_json::to_string(wire).unwrap_or_default();
    let whole = json(&Wire::Created {
        s: 0,
        u: n.user_id.clone(),
        n: WireNotification {
            id: n.id.clone(),
            kind: n.kind,
            title: n.title.clone(),
            body: n.body.clone(),
            link: n.link.clone(),
            category: n.category.clone(),
            read_at: n.read_at,
            created_at: n.created_at,
        },
    });
    if whole.len() + SEQ_ROOM <= MAX_PAYLOAD {
        whole
    } else {
        json(&Wire::Reference {
            s: 0,
            u: n.user_id.clone(),
        })
    }
}

/// `payload` (from `created`) with sequence number `seq` put first, as `notif_notify` does.
pub fn with_seq(payload: &str, seq: i64) -> String {
    format!("{{\"s\":{seq},{}", payload.get(1..).unwrap_or_default())
}

/// The payload that ends batch `batch` of node `node`.
pub fn end_marker(node: u64, batch: u64) -> String {
    serde_json::to_string(&Wire::End { n: node, b: batch }).unwrap_or_default()
}

/// What a payload says, or `None` for one this version does not understand (a newer node's).
pub fn decode(payload: &str) -> Option<Heard> {
    let heard = match serde_json::from_str::<Wire>(payload).ok()? {
        Wire::Created { s, u, n } => Heard::Event(InboxEvent::Created(Notification {
            seq: s,
            id: n.id,
            user_id: u,
            kind: n.kind,
            title: n.title,
            body: n.body,
            link: n.link,
            category: n.category,
            read_at: n.read_at,
            created_at: n.created_at,
        })),
        Wire::Reference { s, u } => Heard::Reference { user: u, seq: s },
        Wire::End { n, b } => Heard::End { node: n, batch: b },
        Wire::Read { u, ids, c } => Heard::Event(InboxEvent::ReadChanged {
            user_id: u,
            ids,
            unread_count: c,
        }),
        Wire::Deleted { u, id, c } => Heard::Event(InboxEvent::Deleted {
            user_id: u,
            id,
            unread_count: c,
        }),
    };
    Some(heard)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notification(body: Option<String>) -> Notification {
        Notification {
            seq: 42,
            id: "n1".into(),
            user_id: "alice".into(),
            kind: Kind::Warning,
            title: "Disk".into(),
            body,
            link: Some("https://example.com".into()),
            category: Some("ops".into()),
            read_at: None,
            created_at: 1_700_000_000_000,
        }
    }

    #[test]
    fn a_small_notification_travels_whole() {
        let n = notification(Some("line\nline".into()));
        let payloads = encode(&InboxEvent::Created(n.clone()));
        assert_eq!(payloads.len(), 1);
        match decode(&payloads[0]) {
            Some(Heard::Event(InboxEvent::Created(back))) => assert_eq!(back, n),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_large_notification_travels_as_a_reference() {
        let n = notification(Some("é".repeat(10_000)));
        let payloads = encode(&InboxEvent::Created(n));
        assert!(payloads[0].len() <= MAX_PAYLOAD);
        assert!(matches!(
            decode(&payloads[0]),
            Some(Heard::Reference { seq: 42, .. })
        ));
    }

    #[test]
    fn many_read_ids_are_split_into_payloads_that_fit() {
        let ids: Vec<String> = (0..2_000)
            .map(|i| format!("tz4a98xxat96iws9zmbrg{i:04}"))
            .collect();
        let payloads = encode(&InboxEvent::ReadChanged {
            user_id: "alice".into(),
            ids: ids.clone(),
            unread_count: 0,
        });
        assert!(payloads.len() > 1);
        let mut back = Vec::new();
        for p in &payloads {
            assert!(p.len() <= MAX_PAYLOAD, "{}", p.len());
            match decode(p) {
                Some(Heard::Event(InboxEvent::ReadChanged {
                    ids,
                    unread_count: 0,
                    ..
                })) => back.extend(ids),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(back, ids);
    }

    #[test]
    fn the_largest_whole_payload_still_fits_with_the_largest_sequence_number() {
        let mut n = notification(Some(String::new()));
        let bare = created(&n).len();
        n.body = Some("x".repeat(MAX_PAYLOAD - SEQ_ROOM - bare));
        let payload = created(&n);
        assert_eq!(payload.len() + SEQ_ROOM, MAX_PAYLOAD);
        let full = with_seq(&payload, i64::MAX);
        assert!(full.len() <= MAX_PAYLOAD, "{}", full.len());
        match decode(&full) {
            Some(Heard::Event(InboxEvent::Created(back))) => assert_eq!(back.seq, i64::MAX),
            other => panic!("{other:?}"),
        }
        n.body = Some("x".repeat(MAX_PAYLOAD - SEQ_ROOM - bare + 1));
        assert!(matches!(
            decode(&with_seq(&created(&n), 7)),
            Some(Heard::Reference { seq: 7, .. })
        ));
    }

    #[test]
    fn a_payload_without_its_sequence_number_is_ignored() {
        assert!(decode(&created(&notification(None))).is_none());
    }

    #[test]
    fn an_unknown_payload_is_ignored() {
        assert!(decode(r#"{"k":"future","u":"alice"}"#).is_none());
        assert!(decode("not json").is_none());
    }
}
