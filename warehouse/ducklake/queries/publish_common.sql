-- DuckLake variant of queries/publish_common.sql: DuckLake has no keys, so the watermark upsert
-- (INSERT OR REPLACE on (source, watch)) is a MERGE on the same columns.
CREATE OR REPLACE TEMP TABLE publish_quarantine AS
SELECT * FROM staged_quarantine AS q
WHERE NOT EXISTS (
    SELECT 1 FROM quarantined_inputs AS x
    WHERE x.source = q.source AND x.origin = q.origin AND x.raw_sha256 = q.raw_sha256
)
QUALIFY row_number() OVER (PARTITION BY source, origin, raw_sha256 ORDER BY created_at) = 1;

INSERT INTO quarantined_inputs SELECT * FROM publish_quarantine;

INSERT INTO raw_responses SELECT * FROM staged_raw_responses;

MERGE INTO watermarks AS w
USING (SELECT * FROM staged_watermarks QUALIFY row_number() OVER (PARTITION BY source, watch ORDER BY updated_at DESC) = 1) AS s
ON w.source = s.source AND w.watch = s.watch
WHEN MATCHED THEN UPDATE
WHEN NOT MATCHED THEN INSERT;

-- Which watch found which record (queries/publish_common.sql's INSERT OR IGNORE, which needs a key
-- DuckLake does not have): the first run that found it stays; a rerun adds nothing.
INSERT INTO watch_record_hits
SELECT s.* FROM (
    SELECT source, watch, pmid, arg_min(first_run_id, first_seen_at) AS first_run_id,
           min(first_seen_at) AS first_seen_at
    FROM staged_watch_record_hits
    GROUP BY source, watch, pmid
) AS s
WHERE NOT EXISTS (
    SELECT 1 FROM watch_record_hits AS h WHERE h.source = s.source AND h.watch = s.watch AND h.pmid = s.pmid
);
