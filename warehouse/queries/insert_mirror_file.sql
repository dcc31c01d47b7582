INSERT INTO mirror_files (name, kind, url, md5, bytes, records, deletions, quarantined, ingested_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?);
