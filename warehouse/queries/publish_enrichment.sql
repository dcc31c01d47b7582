-- Publish (inside the run's transaction) what issue 13 stages: enrichment that failed (pending)
-- or succeeded (no longer pending), full reconciliations, and the run's notes.
INSERT INTO pending_enrichment
SELECT kind, subject, error, 1, run_id, run_id, staged_at, staged_at
FROM staged_enrichment
WHERE error IS NOT NULL
QUALIFY row_number() OVER (PARTITION BY kind, subject ORDER BY staged_at DESC) = 1
ON CONFLICT (kind, subject) DO UPDATE SET
    error = EXCLUDED.error, attempts = attempts + 1,
    last_failed_run = EXCLUDED.last_failed_run, last_failed_at = EXCLUDED.last_failed_at;

DELETE FROM pending_enrichment AS p
WHERE EXISTS (SELECT 1 FROM staged_enrichment AS s
              WHERE s.kind = p.kind AND s.subject = p.subject AND s.error IS NULL
                AND NOT EXISTS (SELECT 1 FROM staged_enrichment AS f
                                WHERE f.kind = s.kind AND f.subject = s.subject AND f.error IS NOT NULL
                                  AND f.staged_at > s.staged_at));

INSERT OR REPLACE INTO watch_reconciliations SELECT * FROM staged_watch_reconciliations;

INSERT INTO run_notes SELECT * FROM staged_run_notes;
