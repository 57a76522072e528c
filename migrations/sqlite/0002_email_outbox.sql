-- The email channel: notifications waiting to be (or already) sent by email. A row is
-- written in the same transaction as the notification it belongs to, so nothing
-- committed is lost when the relay is down or the server restarts.

CREATE TABLE email_outbox (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The notification's id, also when in-app delivery was off and nothing else was
    -- stored: the Message-ID derives from it, so a resend after a crash is recognisable.
    notification_id  TEXT NOT NULL UNIQUE,
    user_id          TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    to_address       TEXT NOT NULL,
    type             TEXT NOT NULL,
    title            TEXT NOT NULL,
    body             TEXT,
    link             TEXT,
    category         TEXT,
    status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    last_error       TEXT,
    created_at       INTEGER NOT NULL,
    sent_at          INTEGER
) STRICT;

CREATE INDEX email_outbox_due ON email_outbox (next_attempt_at) WHERE status = 'pending';
