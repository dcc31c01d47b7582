-- The last runs, newest first, for `fmwatch status`.
SELECT run_id, command, status, started_at, seconds, versions_new, records_new, quarantined, requests, error
FROM runs ORDER BY started_at DESC LIMIT 10;
