-- Each user's notification and unread counts, kept by triggers in the same transaction as
-- every change to a notification, so reading them is one primary-key lookup instead of a
-- scan of the user's notifications (every page, every read/unread and every stream asks
-- for the unread count; the per-user cap asks for the total).

ALTER TABLE users ADD COLUMN unread_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN notification_count INTEGER NOT NULL DEFAULT 0;

UPDATE users SET
    unread_count = (SELECT count(*) FROM notifications n WHERE n.user_id = users.id AND n.unread = 1),
    notification_count = (SELECT count(*) FROM notifications n WHERE n.user_id = users.id);

CREATE TRIGGER notifications_count_after_insert AFTER INSERT ON notifications
BEGIN
    UPDATE users SET notification_count = notification_count + 1, unread_count = unread_count + NEW.unread
    WHERE id = NEW.user_id;
END;

CREATE TRIGGER notifications_count_after_delete AFTER DELETE ON notifications
BEGIN
    UPDATE users SET notification_count = notification_count - 1, unread_count = unread_count - OLD.unread
    WHERE id = OLD.user_id;
END;

CREATE TRIGGER notifications_count_after_update AFTER UPDATE OF unread ON notifications
WHEN OLD.unread <> NEW.unread
BEGIN
    UPDATE users SET unread_count = unread_count + NEW.unread - OLD.unread WHERE id = NEW.user_id;
END;
