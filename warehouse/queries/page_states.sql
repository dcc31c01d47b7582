SELECT url, etag, last_modified, content_sha256, fetched_at FROM fm_page_state;
