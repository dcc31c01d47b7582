-- The digest recorded with these files (html_path): a rerun that renders the same bytes for the
-- same period finds the digest it would have written again.
SELECT digest_id FROM digest_log WHERE html_path = ? ORDER BY created_at DESC LIMIT 1;
