-- The last digest of a period and kind that has files ($1 period, $2 kind): a preview that ends "now"
-- (--since, --preview) run again with nothing new is compared with it (digest.earlier_same_preview).
SELECT digest_id, window_start, window_end, html_path, markdown_path
FROM digest_log
WHERE period = $1 AND kind = $2 AND html_path IS NOT NULL
ORDER BY created_at DESC
LIMIT 1;
