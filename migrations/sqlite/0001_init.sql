-- notif's schema, version 1. Times are Unix milliseconds (UTC).

CREATE TABLE users (
    id          TEXT PRIMARY KEY NOT NULL,          -- the API's userId
    email       TEXT,
    created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    hash         BLOB NOT NULL UNIQUE,              -- SHA-256 of the token; the token itself is never stored
    scope        TEXT NOT NULL CHECK (scope IN ('user', 'service')),
    user_id      TEXT REFERENCES users(id) ON DELETE CASCADE,
    label        TEXT,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER,
    CHECK ((scope = 'user') = (user_id IS NOT NULL))
) STRICT;

-- seq is the stream sequence number (SSE id): AUTOINCREMENT so it only grows, even after deletes.
CREATE TABLE notifications (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    type        TEXT NOT NULL CHECK (type IN ('INFO', 'SUCCESS', 'WARNING', 'ERROR')),
    title       TEXT NOT NULL,
    body        TEXT,
    link        TEXT,
    category    TEXT,
    unread      INTEGER NOT NULL DEFAULT 1 CHECK (unread IN (0, 1)),
    read_at     INTEGER,
    created_at  INTEGER NOT NULL
) STRICT;

-- "Unread first, newest first" for one user is a backward range scan of this index.
CREATE INDEX notifications_inbox ON notifications (user_id, unread, seq);

CREATE TABLE preferences (
    user_id     TEXT PRIMARY KEY NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    in_app      INTEGER NOT NULL DEFAULT 1,
    email       INTEGER NOT NULL DEFAULT 1
) STRICT;

-- A NULL channel means "no override: the global flag decides".
CREATE TABLE category_preferences (
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    category    TEXT NOT NULL,
    in_app      INTEGER,
    email       INTEGER,
    PRIMARY KEY (user_id, category)
) STRICT, WITHOUT ROWID;

-- The first answer to a notify with an Idempotency-Key, replayed to retries for 24 hours.
CREATE TABLE idempotency_keys (
    token_id      INTEGER NOT NULL REFERENCES tokens(id) ON DELETE CASCADE,
    key           TEXT NOT NULL,
    request_hash  BLOB NOT NULL,
    status        INTEGER NOT NULL,
    response      TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (token_id, key)
) STRICT, WITHOUT ROWID;

CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at);
