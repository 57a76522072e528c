-- The category index keeps only the notifications that have a category. A list filtered by
-- category (`category = ?`) never matches one without, so the index served nothing with
-- those entries, while every notification without a category (a plain `notif send`, most
-- of what arrives in Gotify's and ntfy's formats) wrote one more b-tree entry, and a page of
-- the log at its commit. SQLite uses a partial index for `category = ?`, which implies
-- `category IS NOT NULL` (store::plans checks the plan).
DROP INDEX notifications_by_category;
CREATE INDEX notifications_by_category ON notifications (user_id, category, unread, seq)
WHERE category IS NOT NULL;
