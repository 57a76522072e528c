-- A notify in one statement (server/src/store/postgres/writes.rs): the user's address and
-- channels, the email outbox row, the notification (its trigger takes the user's sequence
-- number under the counter row's lock, as before) and its NOTIFY, in one call instead of
-- six round trips between node and database. The payload's text is the node's: it passes
-- the event without its sequence number (a JSON object), and the sequence number taken here
-- is put first in it as "s". `p_marker`, when given, is NOTIFYed after the event: the end of
-- the node's batch (server/src/store/postgres/echo.rs).
--
-- Returns `known` false (and does nothing else) for an unknown user; `seq` NULL when the
-- user's preferences keep the notification out of the inbox; `address` the email address
-- an outbox row was written for, if any; `notifications` the user's count afterwards (the
-- node trims users over the maximum).
CREATE FUNCTION notif_notify(
    p_channel   TEXT,
    p_user      TEXT,
    p_id        TEXT,
    p_type      TEXT,
    p_title     TEXT,
    p_body      TEXT,
    p_link      TEXT,
    p_category  TEXT,
    p_now       BIGINT,
    p_email     BOOLEAN,        -- the node's email channel is on
    p_event     TEXT,
    p_marker    TEXT,
    OUT known          BOOLEAN,
    OUT seq            BIGINT,
    OUT address        TEXT,
    OUT notifications  BIGINT
) LANGUAGE plpgsql AS $$
DECLARE
    v_in_app      BOOLEAN;
    v_email       BOOLEAN;
    v_cat_in_app  BOOLEAN;
    v_cat_email   BOOLEAN;
BEGIN
    SELECT u.email INTO address FROM users u WHERE u.id = p_user;
    known := FOUND;
    IF known THEN
        -- The category's entry first, then the global flag (Preferences::channels_for).
        SELECT p.in_app, p.email INTO v_in_app, v_email FROM preferences p WHERE p.user_id = p_user;
        IF p_category IS NOT NULL THEN
            SELECT c.in_app, c.email INTO v_cat_in_app, v_cat_email
              FROM category_preferences c WHERE c.user_id = p_user AND c.category = p_category;
        END IF;
        v_in_app := coalesce(v_cat_in_app, v_in_app, true);
        v_email := coalesce(v_cat_email, v_email, true);
        IF NOT (p_email AND v_email) OR address = '' THEN
            address := NULL;
        END IF;
        IF address IS NOT NULL THEN
            INSERT INTO email_outbox (notification_id, user_id, to_address, type, title, body, link,
                                      category, next_attempt_at, created_at)
            VALUES (p_id, p_user, address, p_type, p_title, p_body, p_link, p_category, p_now, p_now);
        END IF;
        IF v_in_app THEN
            INSERT INTO notifications AS n (id, user_id, type, title, body, link, category, created_at)
            VALUES (p_id, p_user, p_type, p_title, p_body, p_link, p_category, p_now)
            RETURNING n.seq INTO seq;
            PERFORM pg_notify(p_channel, '{"s":' || seq || ',' || substr(p_event, 2));
        END IF;
        SELECT uc.notification_count INTO notifications FROM user_counters uc WHERE uc.user_id = p_user;
    ELSE
        address := NULL;
    END IF;
    IF p_marker IS NOT NULL THEN
        PERFORM pg_notify(p_channel, p_marker);
    END IF;
END $$;
