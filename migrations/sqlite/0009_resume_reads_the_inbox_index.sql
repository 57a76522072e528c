-- Stream resume (`user_id = ? AND seq > ? ORDER BY seq`) now reads the inbox index
-- (user_id, unread, seq) as two ordered ranges, the read and the unread group, merged
-- (store::queries::since_sql); the index kept for it alone cost every new notification
-- one more index entry, and about a tenth of the pages each commit writes.

DROP INDEX notifications_resume;
