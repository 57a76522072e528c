-- The rows waiting for the search index are told by a watermark instead of a note each. Every
-- notification was noted in `search_pending` (migration 0007) and the note deleted again at
-- its indexing: a row inserted into and deleted from one more b-tree per notification, and
-- one more page of the log at every commit. Sequence numbers only grow, and the writer
-- indexes every waiting row at once, so the rows not indexed yet are exactly those above the
-- last one indexed: `search_indexed.seq`. The writer moves it up in the transaction that
-- indexes (store::search::index_pending).
--
-- A row can no longer be inserted and forgotten by the index: whatever inserts it (another
-- process, a test's bulk load), it is above the watermark until the next indexing.
--
-- The watermark starts just below the first noted row: every row below it was indexed (notes
-- are always the newest rows, as the writer indexes them all at once). With no note, every
-- row is indexed.
--
-- This holds as long as no notification is ever inserted at or below the watermark: rows
-- take the next sequence number (AUTOINCREMENT), and nothing inserts one of its own or
-- lowers `sqlite_sequence`.

CREATE TABLE search_indexed (
    id  INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    seq INTEGER NOT NULL                  -- every notification up to this seq is indexed
) STRICT;

INSERT INTO search_indexed (id, seq)
VALUES (1, COALESCE((SELECT min(p.seq) - 1
                     FROM search_pending p JOIN notifications n ON n.seq = p.seq),
                    (SELECT max(seq) FROM notifications),
                    0));

-- A row above the watermark is not in the index yet: deleting or changing it must not tell
-- the index to forget texts it never had (that would corrupt it).
DROP TRIGGER notifications_search_after_delete;
CREATE TRIGGER notifications_search_after_delete AFTER DELETE ON notifications
WHEN OLD.seq <= (SELECT seq FROM search_indexed WHERE id = 1)
BEGIN
    INSERT INTO notifications_search (notifications_search, rowid, title, body, category)
    VALUES ('delete', OLD.seq, OLD.title, OLD.body, OLD.category);
END;

DROP TRIGGER notifications_search_after_update;
CREATE TRIGGER notifications_search_after_update AFTER UPDATE OF title, body, category ON notifications
WHEN OLD.seq <= (SELECT seq FROM search_indexed WHERE id = 1)
BEGIN
    INSERT INTO notifications_search (notifications_search, rowid, title, body, category)
    VALUES ('delete', OLD.seq, OLD.title, OLD.body, OLD.category);
    INSERT INTO notifications_search (rowid, title, body, category)
    VALUES (NEW.seq, NEW.title, NEW.body, NEW.category);
END;

DROP TABLE search_pending;
