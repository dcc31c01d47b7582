-- Publish what every run stages besides records: raw responses, quarantine; then the watermarks and
-- which watch found which record (queries/upsert_watermarks.sql, upsert_watch_record_hits.sql).
-- Quarantine keeps one row per distinct input, so re-importing a bad file adds nothing.
CREATE OR REPLACE TEMP TABLE publish_quarantine AS
SELECT * FROM staged_quarantine AS q
WHERE NOT EXISTS (
    SELECT 1 FROM quarantined_inputs AS x
    WHERE x.source = q.source AND x.origin = q.origin AND x.raw_sha256 = q.raw_sha256
)
QUALIFY row_number() OVER (PARTITION BY source, origin, raw_sha256 ORDER BY created_at) = 1;

INSERT INTO quarantined_inputs SELECT * FROM publish_quarantine;

INSERT INTO raw_responses SELECT * FROM staged_raw_responses;

-- Which watch found which record, once per (source, watch, pmid), with the first run that found it.
CREATE OR REPLACE TEMP TABLE publish_watch_record_hits AS
SELECT source, watch, pmid, arg_min(first_run_id, first_seen_at) AS first_run_id, min(first_seen_at) AS first_seen_at
FROM staged_watch_record_hits
GROUP BY source, watch, pmid;
