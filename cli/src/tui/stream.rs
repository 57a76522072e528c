//! The live stream as TUI messages: drives a reconnecting
//! [`Subscription`](crate::api::Subscription) (back-off, `Last-Event-ID`, no
//! duplicates) and reports its state and events to the event loop.

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::app::{Msg, StreamMsg};
use crate::api::types::StreamEvent;
use crate::api::{Client, StreamUpdate, Subscription};

/// Starts the stream task; it ends when the loop's receiver is gone or the server
/// refuses the stream for good (reported as [`StreamMsg::Offline`]).
pub fn spawn(client: Client, tx: UnboundedSender<Msg>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut subscription = Subscription::new(client, None);
        loop {
            let msg = match subscription.next().await {
                Ok(StreamUpdate::Connected) => StreamMsg::Connected,
                Ok(StreamUpdate::Event(StreamEvent::Ping)) => continue,
                Ok(StreamUpdate::Event(event)) => StreamMsg::Event(event),
                Ok(StreamUpdate::Disconnected { error, retry_in }) => StreamMsg::Reconnecting {
                    retry_at: (Instant::now() + retry_in).into_std(),
                    reason: error.to_string(),
                },
                Err(error) => {
                    let _ = tx.send(Msg::Stream(StreamMsg::Offline(error.to_string())));
                    return;
                }
            };
            if tx.send(Msg::Stream(msg)).is_err() {
                return;
            }
        }
    })
}
