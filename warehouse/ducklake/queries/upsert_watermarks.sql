-- DuckLake variant of queries/upsert_watermarks.sql: a MERGE on (source, watch).
MERGE INTO watermarks AS w
USING (SELECT * FROM staged_watermarks QUALIFY row_number() OVER (PARTITION BY source, watch ORDER BY updated_at DESC) = 1) AS s
ON w.source = s.source AND w.watch = s.watch
WHEN MATCHED THEN UPDATE
WHEN NOT MATCHED THEN INSERT;
