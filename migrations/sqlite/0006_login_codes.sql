-- One-time login codes for the web inbox (POST /api/session/links): a code is traded once,
-- within 5 minutes, for a session token. Only its SHA-256 is stored, as for tokens; a used
-- or expired code is deleted (trading it deletes it in the same statement, so it cannot
-- be used twice).

CREATE TABLE login_codes (
    hash        BLOB PRIMARY KEY NOT NULL,              -- SHA-256 of the code
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at  INTEGER NOT NULL                        -- Unix milliseconds
) STRICT, WITHOUT ROWID;
