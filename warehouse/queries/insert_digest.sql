INSERT INTO digest_log (digest_id, created_at, window_start, window_end, items, html, markdown,
                        kind, period, html_path, markdown_path, baseline_items)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);
