CREATE OR REPLACE VIEW digests AS
SELECT digest_id, created_at, window_start, window_end, items, html, markdown FROM digest_log;
