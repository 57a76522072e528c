-- One-time login codes for the web inbox (POST /api/session/links), as in
-- migrations/sqlite/0006_login_codes.sql: a code is traded once, within 5 minutes, for a
-- session token. Only its SHA-256 is stored; trading it deletes it in the same statement.

CREATE TABLE login_codes (
    hash        BYTEA PRIMARY KEY,                      -- SHA-256 of the code
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at  BIGINT NOT NULL                         -- Unix milliseconds
);
