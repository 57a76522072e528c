//! One write waiting for the writer, and where its answer goes. A job keeps what it needs
//! to run until it is answered: the writer may apply it twice, when its batch has to be
//! redone with each write in a savepoint of its own (see `writer`), and answers it once,
//! after the commit.

use rusqlite::Connection;
use tokio::sync::oneshot;

use crate::model::InboxEvent;
use crate::store::writes::{self, Recipients, Written};
use crate::store::{NotifyCommand, NotifyOutcome, StoreError};

/// Where a write's answer goes.
pub type Reply<T> = oneshot::Sender<Result<T, StoreError>>;

/// What the writes of one batch share besides its transaction.
#[derive(Debug, Default)]
pub struct BatchState {
    /// Whether the email channel is on.
    pub email: bool,
    /// What the batch's notifications know of their recipients; the writer writes its
    /// counts and empties it before every other write, which may read or change users or
    /// preferences.
    pub recipients: Recipients,
}

/// What the writer needs of a write, whatever its answer's type.
pub trait Job: Send {
    /// Applies the write on `conn` at `now` with what its batch shares, and keeps its
    /// result; says whether it succeeded. Undoing a failed write is the caller's.
    fn apply(&mut self, conn: &Connection, batch: &mut BatchState, now: i64) -> bool;
    /// Whether this is a notify, the one write that uses `BatchState::recipients`.
    fn is_notify(&self) -> bool;
    /// The events of the kept result, taken once its batch is committed.
    fn take_events(&mut self) -> Vec<InboxEvent>;
    /// Whether the kept result queued an email.
    fn queued_email(&self) -> bool;
    /// Answers with the kept result, or with `commit_error` in its place (its batch was not
    /// committed, or with `--sync full` not flushed to the disk; also the answer of a write
    /// that never ran).
    fn settle(self: Box<Self>, commit_error: Option<&str>);
}

/// A write as a function of the write connection, its reply, and its last result.
struct Pending<T, F> {
    write: F,
    reply: Reply<T>,
    result: Option<Result<Written<T>, StoreError>>,
    /// Whether a successful answer says an email was queued.
    queues_email: fn(&T) -> bool,
    /// Whether this is a notify.
    notify: bool,
}

/// The write `write`, answered on `reply`.
pub fn job<T, F>(write: F, reply: Reply<T>) -> Box<dyn Job>
where
    T: Send + 'static,
    F: Fn(&Connection, i64) -> Result<Written<T>, StoreError> + Send + 'static,
{
    Box::new(Pending {
        write: move |conn: &Connection, _batch: &mut BatchState, now: i64| write(conn, now),
        reply,
        result: None,
        queues_email: |_| false,
        notify: false,
    })
}

/// The notify of `command`, answered on `reply`: the one write that may queue an email.
pub fn notify(command: NotifyCommand, reply: Reply<NotifyOutcome>) -> Box<dyn Job> {
    Box::new(Pending {
        write: move |conn: &Connection, batch: &mut BatchState, now: i64| {
            writes::notify_with(conn, &mut batch.recipients, &command, batch.email, now)
        },
        reply,
        result: None,
        queues_email: |outcome| matches!(outcome, NotifyOutcome::Created(response) if response.delivered.email),
        notify: true,
    })
}

impl<T, F> Job for Pending<T, F>
where
    T: Send + 'static,
    F: Fn(&Connection, &mut BatchState, i64) -> Result<Written<T>, StoreError> + Send,
{
    fn apply(&mut self, conn: &Connection, batch: &mut BatchState, now: i64) -> bool {
        let result = (self.write)(conn, batch, now).map_err(StoreError::classify);
        let applied = result.is_ok();
        self.result = Some(result);
        applied
    }

    fn is_notify(&self) -> bool {
        self.notify
    }

    fn take_events(&mut self) -> Vec<InboxEvent> {
        match &mut self.result {
            Some(Ok(written)) => std::mem::take(&mut written.events),
            _ => Vec::new(),
        }
    }

    fn queued_email(&self) -> bool {
        matches!(&self.result, Some(Ok(written)) if (self.queues_email)(&written.value))
    }

    fn settle(self: Box<Self>, commit_error: Option<&str>) {
        let answer = match (commit_error, self.result) {
            (Some(message), _) => Err(StoreError::Commit(message.to_owned())),
            (None, Some(result)) => result.map(|written| written.value),
            (None, None) => Err(StoreError::Commit("the write was not applied".to_owned())),
        };
        let _ = self.reply.send(answer);
    }
}
