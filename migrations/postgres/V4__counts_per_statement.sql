-- The counts in user_counters follow changes once per statement instead of once per row.
-- A row-level trigger updated the user's counter row once for every notification a
-- statement changed: marking 50,000 notifications read made 50,000 versions of one row in
-- one transaction (29 s in notif-bench pg-list). Statement-level triggers see every
-- changed row at once (transition tables) and update each user's row once.
--
-- A trigger with transition tables serves one event and no column list, hence two
-- triggers, and the update one runs for every UPDATE (its delta is 0 when `unread` did not
-- change, and then it writes nothing).

DROP TRIGGER notifications_count_change ON notifications;
DROP FUNCTION notifications_count_change();

CREATE FUNCTION notifications_count_updates() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE user_counters c
       SET unread_count = c.unread_count + d.delta
      FROM (SELECT user_id, sum(delta) AS delta
              FROM (SELECT user_id, unread::int AS delta FROM changed_rows
                    UNION ALL
                    SELECT user_id, -(unread::int) FROM previous_rows) AS deltas
             GROUP BY user_id) AS d
     WHERE c.user_id = d.user_id AND d.delta <> 0;
    RETURN NULL;
END $$;

CREATE TRIGGER notifications_count_updates AFTER UPDATE ON notifications
    REFERENCING OLD TABLE AS previous_rows NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION notifications_count_updates();

CREATE FUNCTION notifications_count_deletes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE user_counters c
       SET notification_count = c.notification_count - d.gone,
           unread_count = c.unread_count - d.unread
      FROM (SELECT user_id, count(*) AS gone, sum(unread::int) AS unread
              FROM deleted_rows
             GROUP BY user_id) AS d
     WHERE c.user_id = d.user_id;
    RETURN NULL;
END $$;

CREATE TRIGGER notifications_count_deletes AFTER DELETE ON notifications
    REFERENCING OLD TABLE AS deleted_rows
    FOR EACH STATEMENT EXECUTE FUNCTION notifications_count_deletes();
