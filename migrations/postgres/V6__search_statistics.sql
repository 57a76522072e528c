-- Finer statistics for the searched text, so that the planner tells a word found in a few
-- notifications (read them through the trigram index, then sort) from one found in most
-- (walk the inbox in order and stop at the page's end). With the default sample, a word in
-- a handful of 100,000 notifications was taken for a common one and the whole inbox read.
ALTER INDEX notifications_search ALTER COLUMN 1 SET STATISTICS 1000;
