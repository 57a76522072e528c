-- Search (`GET /api/notifications?q=`): a full-text index of each notification's title,
-- body and category. The trigram tokenizer makes a word of three or more characters match
-- wherever it occurs inside a text, case-insensitively, as the API's "contains" asks;
-- shorter words are checked on the rows themselves (store::search). The index holds no
-- copy of the text (external content), and triggers keep it in step with `notifications`
-- in the same transaction as every change. Existing rows are indexed here.

CREATE VIRTUAL TABLE notifications_search USING fts5(
    title, body, category,
    content = 'notifications', content_rowid = 'seq',
    tokenize = 'trigram'
);

INSERT INTO notifications_search (rowid, title, body, category)
    SELECT seq, title, body, category FROM notifications;

CREATE TRIGGER notifications_search_after_insert AFTER INSERT ON notifications
BEGIN
    INSERT INTO notifications_search (rowid, title, body, category)
    VALUES (NEW.seq, NEW.title, NEW.body, NEW.category);
END;

CREATE TRIGGER notifications_search_after_delete AFTER DELETE ON notifications
BEGIN
    INSERT INTO notifications_search (notifications_search, rowid, title, body, category)
    VALUES ('delete', OLD.seq, OLD.title, OLD.body, OLD.category);
END;

-- Notifications' texts are never changed today; should one be, the index follows.
CREATE TRIGGER notifications_search_after_update AFTER UPDATE OF title, body, category ON notifications
BEGIN
    INSERT INTO notifications_search (notifications_search, rowid, title, body, category)
    VALUES ('delete', OLD.seq, OLD.title, OLD.body, OLD.category);
    INSERT INTO notifications_search (rowid, title, body, category)
    VALUES (NEW.seq, NEW.title, NEW.body, NEW.category);
END;
