//! What travels on the `notif_events` channel: one small JSON payload per committed inbox
//! event, sent with `pg_notify` inside the write's transaction (so PostgreSQL delivers it
//! only once committed, and in commit order) and turned back into an `InboxEvent` by every
//! node's listener. A payload must stay under PostgreSQL's 8,000 bytes: a notification too
//! large to travel whole travels as a reference the listener reads back, and a `read` event
//! with many ids is split into several.

use serde::{Deserialize, Serialize};

use crate::model::{InboxEvent, Kind, Notification};

/// The channel every node listens on.
pub const CHANNEL: &str = "notif_events";
/// The largest payload sent (PostgreSQL refuses 8,000 bytes and more).
const MAX_PAYLOAD: usize = 7_800;

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "k", rename_all = "lowercase")]
enum Wire {
    /// A new notification, whole.
    Created {
        u: String,
        n: WireNotification,
    },
    /// A new notification too large for a payload: read it back by `(user, seq)`.
    Reference {
        u: String,
        s: i64,
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
    seq: i64,
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
        InboxEvent::Created(n) => {
            let whole = json(&Wire::Created {
                u: user.to_owned(),
                n: WireNotification {
                    seq: n.seq,
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
            if whole.len() <= MAX_PAYLOAD {
                vec![whole]
            } else {
                vec![json(&Wire::Reference {
                    u: user.to_owned(),
                    s: n.seq,
                })]
            }
        }
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

/// The payload that ends batch `batch` of node `node`.
pub fn end_marker(node: u64, batch: u64) -> String {
    serde_json::to_string(&Wire::End { n: node, b: batch }).unwrap_or_default()
}

/// What a payload says, or `None` for one this version does not understand (a newer node's).
pub fn decode(payload: &str) -> Option<Heard> {
    let heard = match serde_json::from_str::<Wire>(payload).ok()? {
        Wire::Created { u, n } => Heard::Event(InboxEvent::Created(Notification {
            seq: n.seq,
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
        Wire::Reference { u, s } => Heard::Reference { user: u, seq: s },
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
    fn an_unknown_payload_is_ignored() {
        assert!(decode(r#"{"k":"future","u":"alice"}"#).is_none());
        assert!(decode("not json").is_none());
    }
}
