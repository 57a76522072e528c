-- Indexes for the queries that otherwise scan or sort a whole inbox (issue 11, point 3).
-- Each hot query's plan is checked by a test (store::plans): no full scan, no sort.

-- Stream resume: `user_id = ? AND seq > ? ORDER BY seq` is a forward range scan. The inbox
-- index (user_id, unread, seq) cannot serve it without sorting every later row.
CREATE INDEX notifications_resume ON notifications (user_id, seq);

-- Lists filtered by category or type keep the "unread first, newest first" order as a
-- backward range scan, and a filter that matches nothing costs one index probe.
CREATE INDEX notifications_by_category ON notifications (user_id, category, unread, seq);
CREATE INDEX notifications_by_type ON notifications (user_id, type, unread, seq);

-- The per-token cap on idempotency records drops a token's oldest first.
CREATE INDEX idempotency_keys_by_token ON idempotency_keys (token_id, created_at);

-- Pruning sent and failed emails past their retention.
CREATE INDEX email_outbox_done ON email_outbox (created_at) WHERE status <> 'pending';
