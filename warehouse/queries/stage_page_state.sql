INSERT INTO staged_fm_page_state (url, etag, last_modified, content_sha256, status, fetched_at, run_id)
VALUES (?, ?, ?, ?, ?, ?, ?);
