-- The last runs, newest first, for `fmwatch status` (times to the second: the run_id names the run).
SELECT run_id, command, status, date_trunc('second', started_at) AS started_at, seconds, versions_new, records_new,
       quarantined, requests, error
FROM runs ORDER BY runs.started_at DESC LIMIT 10;
