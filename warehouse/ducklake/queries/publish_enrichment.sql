-- DuckLake variant of queries/publish_enrichment.sql: the two upserts (pending enrichment on
-- (kind, subject), reconciliations on (source, watch)) are MERGEs, as DuckLake has no keys.
MERGE INTO pending_enrichment AS p
USING (
    SELECT kind, subject, error, run_id, staged_at FROM staged_enrichment
    WHERE error IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY kind, subject ORDER BY staged_at DESC) = 1
) AS s
ON p.kind = s.kind AND p.subject = s.subject
WHEN MATCHED THEN UPDATE SET error = s.error, attempts = p.attempts + 1, last_failed_run = s.run_id,
                             last_failed_at = s.staged_at
WHEN NOT MATCHED THEN INSERT (kind, subject, error, attempts, first_failed_run, last_failed_run, first_failed_at,
                              last_failed_at)
    VALUES (s.kind, s.subject, s.error, 1, s.run_id, s.run_id, s.staged_at, s.staged_at);

DELETE FROM pending_enrichment AS p
WHERE EXISTS (SELECT 1 FROM staged_enrichment AS s
              WHERE s.kind = p.kind AND s.subject = p.subject AND s.error IS NULL
                AND NOT EXISTS (SELECT 1 FROM staged_enrichment AS f
                                WHERE f.kind = s.kind AND f.subject = s.subject AND f.error IS NOT NULL
                                  AND f.staged_at > s.staged_at));

MERGE INTO watch_reconciliations AS w
USING (SELECT * FROM staged_watch_reconciliations QUALIFY row_number() OVER (PARTITION BY source, watch) = 1) AS s
ON w.source = s.source AND w.watch = s.watch
WHEN MATCHED THEN UPDATE
WHEN NOT MATCHED THEN INSERT;

INSERT INTO run_notes SELECT * FROM staged_run_notes;
