-- The search index keeps no column sizes. FTS5 stores each row's token count per column in
-- a table of its own (`notifications_search_docsize`) for ranking by relevance (bm25); notif
-- orders search results as it orders the inbox and never ranks by relevance, yet every
-- new notification cost that table one more row, and each commit one more page written to
-- the log and forced to the disk: 13.6 pages per commit of one notification, 12.6 without.
--
-- The index is made again from the rows (external content, as in migration 0005) with the
-- same columns and tokenizer; `search_pending` is emptied as the rebuild indexed every row,
-- noted or not (indexing a noted row a second time would corrupt the index).
DROP TABLE notifications_search;
CREATE VIRTUAL TABLE notifications_search USING fts5(
    title, body, category,
    content = 'notifications', content_rowid = 'seq',
    tokenize = 'trigram',
    columnsize = 0
);
INSERT INTO notifications_search (notifications_search) VALUES ('rebuild');
DELETE FROM search_pending;
