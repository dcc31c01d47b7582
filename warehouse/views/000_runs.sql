-- Operators' views: runs and quarantine.

CREATE OR REPLACE VIEW runs AS
SELECT run_id, command, sources, offline, started_at, ended_at, status, watermark,
       records_seen, versions_new, records_new, deletions, quarantined, requests, error,
       date_diff('millisecond', started_at, ended_at) / 1000.0 AS seconds
FROM run_log;

CREATE OR REPLACE VIEW quarantine AS
SELECT source, origin, record_key, reason, raw_sha256, octet_length(raw) AS raw_bytes, raw,
       run_id, created_at
FROM quarantined_inputs;
