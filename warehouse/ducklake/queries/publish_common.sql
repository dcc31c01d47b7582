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
