-- Each user's unread count, kept by triggers in the same transaction as every change to a
-- notification, so reading it is one primary-key lookup instead of a scan of the user's
-- unread notifications (which every page, every read/unread and every stream asks for).

ALTER TABLE users ADD COLUMN unread_count INTEGER NOT NULL DEFAULT 0;

UPDATE users SET unread_count =
    (SELECT count(*) FROM notifications n WHERE n.user_id = users.id AND n.unread = 1);

CREATE TRIGGER notifications_unread_after_insert AFTER INSERT ON notifications
WHEN NEW.unread = 1
BEGIN
    UPDATE users SET unread_count = unread_count + 1 WHERE id = NEW.user_id;
END;

CREATE TRIGGER notifications_unread_after_delete AFTER DELETE ON notifications
WHEN OLD.unread = 1
BEGIN
    UPDATE users SET unread_count = unread_count - 1 WHERE id = OLD.user_id;
END;

CREATE TRIGGER notifications_unread_after_update AFTER UPDATE OF unread ON notifications
WHEN OLD.unread <> NEW.unread
BEGIN
    UPDATE users SET unread_count = unread_count + NEW.unread - OLD.unread WHERE id = NEW.user_id;
END;
