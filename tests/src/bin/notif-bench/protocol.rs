//! How the bench speaks to the server it measures: notif's API, or nchan's publisher and
//! subscriber locations. Everything else — connections, timing, counting — is the same
//! client code for both, so their figures compare.

use bytes::Bytes;
use hyper::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::http::{self, Conn};
use crate::server::User;

/// The server under test's HTTP interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// `POST /api/internal/notify` with a service token; `GET /api/notifications/stream`
    /// with the user's token.
    Notif,
    /// `POST /pub/<user>` and `GET /sub/<user>` (EventSource): one nchan channel per user,
    /// no tokens.
    Nchan,
}

/// One publish request: where it goes and what it carries.
#[derive(Debug, Clone)]
pub struct Publish {
    pub path: String,
    pub body: Bytes,
}

impl Protocol {
    /// The name the results use.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Notif => "notif",
            Protocol::Nchan => "nchan",
        }
    }

    /// A notification for `user` with the JSON `fields` (`title`, `body`…): the same body
    /// for both servers (nchan passes it through untouched), sent where each expects it.
    pub fn publish(self, user: &str, fields: Value) -> Publish {
        let mut body = json!({ "userId": user });
        if let (Some(body), Value::Object(fields)) = (body.as_object_mut(), fields) {
            body.extend(fields);
        }
        let path = match self {
            Protocol::Notif => http::NOTIFY.to_owned(),
            Protocol::Nchan => format!("/pub/{user}"),
        };
        Publish {
            path,
            body: Bytes::from(body.to_string()),
        }
    }

    /// Whether a publish was taken: notif answers `201` once committed; nchan `201` when
    /// the channel had subscribers and `202` when it only queued the message.
    pub fn accepted(self, status: StatusCode) -> bool {
        match self {
            Protocol::Notif => status == StatusCode::CREATED,
            Protocol::Nchan => matches!(status, StatusCode::CREATED | StatusCode::ACCEPTED),
        }
    }

    /// The path of `user`'s event stream.
    pub fn stream_path(self, user: &str) -> String {
        match self {
            Protocol::Notif => String::from("/api/notifications/stream"),
            Protocol::Nchan => format!("/sub/{user}"),
        }
    }

    /// The event after which a stream is subscribed: notif's `unread` (sent once the
    /// stream is registered); none for nchan, which answers only once it has subscribed.
    pub fn ready_event(self) -> Option<&'static str> {
        match self {
            Protocol::Notif => Some("unread"),
            Protocol::Nchan => None,
        }
    }

    /// The event name a published notification arrives under.
    pub fn delivery_event(self) -> &'static str {
        match self {
            Protocol::Notif => "notification",
            Protocol::Nchan => "message",
        }
    }

    /// How many notifications `user` holds: notif's unread count, or how many messages
    /// nchan's channel has queued (its publisher location answers `GET` with that).
    pub async fn stored(self, conn: &mut Conn, user: &User) -> anyhow::Result<u64> {
        match self {
            Protocol::Notif => {
                #[derive(Deserialize)]
                #[serde(rename_all = "camelCase")]
                struct Page {
                    unread_count: u64,
                }
                let page: Page = conn
                    .get_json("/api/notifications?limit=1", &user.token)
                    .await?;
                Ok(page.unread_count)
            }
            Protocol::Nchan => {
                let path = format!("/pub/{}", user.id);
                let reply = conn.send(hyper::Method::GET, &path, "", None).await?;
                // A channel nobody published to yet is 404 Not Found: it holds nothing.
                if reply.status == StatusCode::NOT_FOUND {
                    return Ok(0);
                }
                let text =
                    String::from_utf8_lossy(&reply.expect(StatusCode::OK)?.body).into_owned();
                queued_messages(&text)
                    .ok_or_else(|| anyhow::anyhow!("nchan's channel info lacks a count: {text}"))
            }
        }
    }
}

/// The `queued messages: N` line of nchan's plain-text channel info.
fn queued_messages(info: &str) -> Option<u64> {
    info.lines()
        .find_map(|line| line.strip_prefix("queued messages:"))
        .and_then(|n| n.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_body_goes_where_each_server_expects_it() {
        let fields = json!({"title": "t", "body": "b"});
        let notif = Protocol::Notif.publish("u-1", fields.clone());
        let nchan = Protocol::Nchan.publish("u-1", fields);
        assert_eq!(notif.path, "/api/internal/notify");
        assert_eq!(nchan.path, "/pub/u-1");
        assert_eq!(notif.body, nchan.body);
        let body: Value = serde_json::from_slice(&notif.body).unwrap();
        assert_eq!(body, json!({"userId": "u-1", "title": "t", "body": "b"}));
    }

    #[test]
    fn reads_nchans_channel_info() {
        let info = "queued messages: 42\nlast requested: 0 sec. ago\nactive subscribers: 1\n\
                    last message id: 1796145643:1";
        assert_eq!(queued_messages(info), Some(42));
        assert_eq!(queued_messages("active subscribers: 1"), None);
    }
}
