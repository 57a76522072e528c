-- notif's schema on PostgreSQL, version 1: the same tables as migrations/sqlite/0001-0003,
-- for several nodes sharing one database. Times are Unix milliseconds (UTC).

CREATE TABLE users (
    id          TEXT PRIMARY KEY,                   -- the API's userId
    email       TEXT,
    created_at  BIGINT NOT NULL
);

-- Each user's counters, one row per user: the row every write to that user's inbox locks.
-- `last_seq` is the user's last stream sequence number: taken by the insert trigger below
-- inside the notification's transaction, the row lock held until commit, so a user's
-- sequence numbers follow commit order on every node (a global sequence would not: a
-- transaction holding 41 may commit after one holding 42 was delivered). The counts spare
-- every page and stream a scan of the user's notifications.
CREATE TABLE user_counters (
    user_id             TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    last_seq            BIGINT NOT NULL DEFAULT 0,
    unread_count        BIGINT NOT NULL DEFAULT 0,
    notification_count  BIGINT NOT NULL DEFAULT 0
);

CREATE FUNCTION users_add_counters() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO user_counters (user_id) VALUES (NEW.id);
    RETURN NEW;
END $$;

CREATE TRIGGER users_add_counters AFTER INSERT ON users
    FOR EACH ROW EXECUTE FUNCTION users_add_counters();

CREATE TABLE tokens (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hash         BYTEA NOT NULL UNIQUE,             -- SHA-256 of the token; the token itself is never stored
    scope        TEXT NOT NULL CHECK (scope IN ('user', 'service')),
    user_id      TEXT REFERENCES users(id) ON DELETE CASCADE,
    label        TEXT,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT,
    CHECK ((scope = 'user') = (user_id IS NOT NULL))
);

-- seq is the stream sequence number (SSE id), per user: set by the trigger below.
CREATE TABLE notifications (
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    seq         BIGINT NOT NULL,
    id          TEXT NOT NULL UNIQUE,
    type        TEXT NOT NULL CHECK (type IN ('INFO', 'SUCCESS', 'WARNING', 'ERROR')),
    title       TEXT NOT NULL,
    body        TEXT,
    link        TEXT,
    category    TEXT,
    unread      BOOLEAN NOT NULL DEFAULT true,
    read_at     BIGINT,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (user_id, seq)
);

-- "Unread first, newest first" for one user is a backward range scan of this index.
CREATE INDEX notifications_inbox ON notifications (user_id, unread, seq);
CREATE INDEX notifications_read_age ON notifications (read_at) WHERE NOT unread;

-- Takes the user's next sequence number and counts the new notification, in one update of
-- the user's counter row (locked until the transaction ends).
CREATE FUNCTION notifications_take_seq() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE user_counters
       SET last_seq = last_seq + 1,
           notification_count = notification_count + 1,
           unread_count = unread_count + NEW.unread::int
     WHERE user_id = NEW.user_id
    RETURNING last_seq INTO NEW.seq;
    IF NEW.seq IS NULL THEN
        RAISE foreign_key_violation USING MESSAGE = 'no user ' || NEW.user_id;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER notifications_take_seq BEFORE INSERT ON notifications
    FOR EACH ROW EXECUTE FUNCTION notifications_take_seq();

CREATE FUNCTION notifications_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE user_counters
           SET notification_count = notification_count - 1,
               unread_count = unread_count - OLD.unread::int
         WHERE user_id = OLD.user_id;
        RETURN OLD;
    END IF;
    IF OLD.unread <> NEW.unread THEN
        UPDATE user_counters
           SET unread_count = unread_count + NEW.unread::int - OLD.unread::int
         WHERE user_id = NEW.user_id;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER notifications_count_change AFTER DELETE OR UPDATE OF unread ON notifications
    FOR EACH ROW EXECUTE FUNCTION notifications_count_change();

CREATE TABLE preferences (
    user_id     TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    in_app      BOOLEAN NOT NULL DEFAULT true,
    email       BOOLEAN NOT NULL DEFAULT true
);

-- A NULL channel means "no override: the global flag decides".
CREATE TABLE category_preferences (
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    category    TEXT NOT NULL,
    in_app      BOOLEAN,
    email       BOOLEAN,
    PRIMARY KEY (user_id, category)
);

-- The first answer to a notify with an Idempotency-Key, replayed to retries for 24 hours.
-- The key is inserted first in the notify's transaction, so the same key sent through two
-- nodes at once waits on the unique key and creates one notification.
CREATE TABLE idempotency_keys (
    token_id      BIGINT NOT NULL REFERENCES tokens(id) ON DELETE CASCADE,
    key           TEXT NOT NULL,
    request_hash  BYTEA NOT NULL,
    status        INTEGER NOT NULL,
    response      TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (token_id, key)
);

CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at);

-- The email channel, written in the notification's own transaction. Workers on every node
-- claim due rows with FOR UPDATE SKIP LOCKED and push next_attempt_at past a lease, so each
-- email is sent by one worker.
CREATE TABLE email_outbox (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
    next_attempt_at  BIGINT NOT NULL,
    last_error       TEXT,
    created_at       BIGINT NOT NULL,
    sent_at          BIGINT
);

CREATE INDEX email_outbox_due ON email_outbox (next_attempt_at) WHERE status = 'pending';
