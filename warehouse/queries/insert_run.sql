INSERT INTO run_log (run_id, command, sources, offline, started_at, ended_at, status, watermark,
                     records_seen, versions_new, records_new, deletions, quarantined, requests, error)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);
