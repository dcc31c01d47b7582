-- Every digest rendered: scheduled ones (each starts where the last scheduled one ended) and
-- previews (--since/--week, which never move that mark).
CREATE OR REPLACE VIEW digests AS
SELECT digest_id, created_at, window_start, window_end, items, html, markdown,
       kind, period, html_path, markdown_path, baseline_items
FROM digest_log;
