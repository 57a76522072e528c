//! What happens to an inbox, as the store commits it: the domain events that streams show.
//! No JSON here: `sse::events` renders them for the wire, once per event.

use super::Notification;

/// Something that happened to one user's inbox, committed. The store's writes return the
/// events they cause; the writer hands them on (in commit order, after the commit) to a
/// `store::Publisher`, which a PostgreSQL backend could equally feed from `LISTEN`.
#[derive(Debug, Clone, PartialEq)]
pub enum InboxEvent {
    /// A notification was created; it carries its user and its stream sequence number.
    Created(Notification),
    /// Notifications were marked read or unread.
    ReadChanged {
        user_id: String,
        ids: Vec<String>,
        unread_count: u64,
    },
    /// A notification was deleted.
    Deleted {
        user_id: String,
        id: String,
        unread_count: u64,
    },
}

impl InboxEvent {
    /// The user whose inbox changed: only their streams hear of it.
    pub fn user_id(&self) -> &str {
        match self {
            InboxEvent::Created(n) => &n.user_id,
            InboxEvent::ReadChanged { user_id, .. } | InboxEvent::Deleted { user_id, .. } => {
                user_id
            }
        }
    }

    /// The stream sequence number of a created notification, which a stream uses to skip
    /// what its replay already sent; `None` for the events that carry no `id:`.
    pub fn seq(&self) -> Option<i64> {
        match self {
            InboxEvent::Created(n) => Some(n.seq),
            InboxEvent::ReadChanged { .. } | InboxEvent::Deleted { .. } => None,
        }
    }
}
