//! One step of a stream's replay, read and rendered in one go.
//!
//! A client resuming with `Last-Event-ID` may ask for a whole inbox again; a hundred of
//! them at once is a lot of reading and rendering. A step reads at most
//! `queries::MAX_SINCE_ROWS` notifications and renders them into the bytes the stream
//! sends, so that the async runtime's workers — which every other request needs — only
//! copy finished bytes to sockets. The SQLite store runs steps on a pool of its own at a
//! lower CPU priority (`reader::Priority::Background`), so that under load interactive
//! requests come first and replays take what CPU is left.

use bytes::{Bytes, BytesMut};

use super::StoreError;
use crate::model::Notification;

/// Renders one replayed notification as the stream sends it: `sse::events::notification`,
/// passed in by the stream so that the store need not know the wire format.
pub type RenderFrame = fn(&Notification) -> Result<Bytes, serde_json::Error>;

/// What one step of a replay produced.
#[derive(Debug)]
pub struct ReplayStep {
    /// The frames of the notifications read, in sequence order, ready to send.
    pub frames: Bytes,
    /// The sequence number of the last notification in `frames` (`after` when none).
    pub last_seq: i64,
    /// Fewer notifications than asked for were left: the replay is over.
    pub done: bool,
}

/// Renders `batch` — the notifications above `after`, read with a limit of `asked` — into
/// one step.
pub fn render_step(
    batch: &[Notification],
    after: i64,
    asked: u32,
    render: RenderFrame,
) -> Result<ReplayStep, StoreError> {
    let mut frames = BytesMut::new();
    let mut last_seq = after;
    for notification in batch {
        let frame = render(notification).map_err(|err| StoreError::Render(err.to_string()))?;
        frames.extend_from_slice(&frame);
        last_seq = notification.seq;
    }
    Ok(ReplayStep {
        frames: frames.freeze(),
        last_seq,
        done: batch.len() < asked as usize,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notification(seq: i64) -> Notification {
        Notification {
            title: format!("title {seq}"),
            ..Notification::sample(seq, &format!("n{seq}"), "alice")
        }
    }

    fn titles(n: &Notification) -> Result<Bytes, serde_json::Error> {
        Ok(Bytes::from(format!("{};", n.title)))
    }

    #[test]
    fn a_step_renders_in_order_and_ends_at_its_last_sequence() {
        let batch = [notification(3), notification(7)];
        let step = render_step(&batch, 1, 2, titles).unwrap();
        assert_eq!(&step.frames[..], b"title 3;title 7;");
        assert_eq!(step.last_seq, 7);
        assert!(!step.done, "a full step may have more after it");
    }

    #[test]
    fn a_short_step_is_the_last_and_an_empty_one_keeps_the_position() {
        let step = render_step(&[notification(9)], 8, 64, titles).unwrap();
        assert!(step.done);
        let empty = render_step(&[], 9, 64, titles).unwrap();
        assert!(empty.done);
        assert_eq!(empty.last_seq, 9);
        assert!(empty.frames.is_empty());
    }

    #[test]
    fn a_notification_that_cannot_be_rendered_fails_the_step() {
        fn broken(_: &Notification) -> Result<Bytes, serde_json::Error> {
            Err(serde::de::Error::custom("no"))
        }
        let err = render_step(&[notification(1)], 0, 64, broken).unwrap_err();
        assert!(matches!(err, StoreError::Render(_)), "{err:?}");
    }
}
