-- The last scheduled digest (previews never count): an empty scheduled digest after an empty one is
-- not written again (pipeline.make_digest), so a rerun with nothing new leaves that one as it is.
SELECT digest_id, window_start, window_end, items, baseline_items, period, html_path, markdown_path, html, markdown
FROM digest_log
WHERE kind = 'scheduled'
ORDER BY window_end DESC
LIMIT 1;
