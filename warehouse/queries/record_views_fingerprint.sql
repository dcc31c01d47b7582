-- After the views are rebuilt: their fingerprint, so the next open knows they are current.
DELETE FROM schema_views;
INSERT INTO schema_views (fingerprint, applied_at) VALUES ($1, current_timestamp::TIMESTAMP);
