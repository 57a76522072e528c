-- The search index is filled once per commit instead of once per notification. Indexing a
-- row at its insert made SQLite's full-text index write a segment of its own for every
-- notification (it flushes at each statement of a transaction once written in it); now an
-- insert only notes the row in `search_pending`, and the writer indexes every noted row in
-- one statement just before it commits (store::writer), so each commit writes one segment.
-- Rows inserted by anything else (another process) wait for the writer's next commit.
--
-- A noted row is not in the index yet: deleting or changing it must not tell the index to
-- forget texts it never had (that would corrupt it), only drop the note.

CREATE TABLE search_pending (
    seq INTEGER PRIMARY KEY NOT NULL          -- a notifications.seq not yet indexed
) STRICT;

DROP TRIGGER notifications_search_after_insert;
CREATE TRIGGER notifications_search_after_insert AFTER INSERT ON notifications
BEGIN
    INSERT INTO search_pending (seq) VALUES (NEW.seq);
END;

DROP TRIGGER notifications_search_after_delete;
CREATE TRIGGER notifications_search_after_delete AFTER DELETE ON notifications
BEGIN
    INSERT INTO notifications_search (notifications_search, rowid, title, body, category)
    SELECT 'delete', OLD.seq, OLD.title, OLD.body, OLD.category
    WHERE NOT EXISTS (SELECT 1 FROM search_pending WHERE seq = OLD.seq);
    DELETE FROM search_pending WHERE seq = OLD.seq;
END;

DROP TRIGGER notifications_search_after_update;
CREATE TRIGGER notifications_search_after_update AFTER UPDATE OF title, body, category ON notifications
WHEN NOT EXISTS (SELECT 1 FROM search_pending WHERE seq = OLD.seq)
BEGIN
    INSERT INTO notifications_search (notifications_search, rowid, title, body, category)
    VALUES ('delete', OLD.seq, OLD.title, OLD.body, OLD.category);
    INSERT INTO notifications_search (rowid, title, body, category)
    VALUES (NEW.seq, NEW.title, NEW.body, NEW.category);
END;
