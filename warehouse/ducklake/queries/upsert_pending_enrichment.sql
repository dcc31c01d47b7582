-- DuckLake variant of queries/upsert_pending_enrichment.sql: a MERGE on (kind, subject).
MERGE INTO pending_enrichment AS p
USING publish_failed_enrichment AS s
ON p.kind = s.kind AND p.subject = s.subject
WHEN MATCHED THEN UPDATE SET error = s.error, attempts = p.attempts + 1, last_failed_run = s.run_id,
                             last_failed_at = s.staged_at
WHEN NOT MATCHED THEN INSERT (kind, subject, error, attempts, first_failed_run, last_failed_run, first_failed_at,
                              last_failed_at)
    VALUES (s.kind, s.subject, s.error, 1, s.run_id, s.run_id, s.staged_at, s.staged_at);
