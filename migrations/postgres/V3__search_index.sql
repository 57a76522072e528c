-- Server-side search (GET /api/notifications?q=) on PostgreSQL, as migrations/sqlite/
-- 0005_search.sql does for SQLite: a trigram index over the text a search looks in (title,
-- body and category, lower-cased, one per line), so that `LIKE '%word%'` finds a word
-- without reading the whole inbox. pg_trgm ships with PostgreSQL and is a trusted
-- extension: the database's owner may create it.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX notifications_search ON notifications USING gin (
    (lower(title || E'\n' || coalesce(body, '') || E'\n' || coalesce(category, ''))) gin_trgm_ops
);
