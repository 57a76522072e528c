-- The notify write keeps a new notification's count and search note itself, in the same
-- transaction as the insert (store::writes::notify::insert), instead of triggers. An INSERT
-- that fires a trigger must keep a statement journal (a copy of every page it is about to
-- change, to undo itself alone if the trigger fails), and that copying was a tenth of the
-- writer's time at full ingest. The notify write is the only code that inserts
-- notifications; anything else that does must do the same two things.
--
-- Changes and deletes keep their triggers (migrations 0003 and 0007): they are rarer, and
-- many rows change at once (read-all, pruning).

DROP TRIGGER notifications_count_after_insert;
DROP TRIGGER notifications_search_after_insert;
