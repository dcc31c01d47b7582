-- DuckLake variant of queries/upsert_watch_reconciliations.sql: a MERGE on (source, watch).
MERGE INTO watch_reconciliations AS w
USING (SELECT * FROM staged_watch_reconciliations QUALIFY row_number() OVER (PARTITION BY source, watch) = 1) AS s
ON w.source = s.source AND w.watch = s.watch
WHEN MATCHED THEN UPDATE
WHEN NOT MATCHED THEN INSERT;
