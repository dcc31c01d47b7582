-- A failed look-up is pending, with one attempt more each run it fails again (keyed on
-- (kind, subject); the DuckLake variant is a MERGE, as DuckLake has no keys).
INSERT INTO pending_enrichment
SELECT kind, subject, error, 1, run_id, run_id, staged_at, staged_at
FROM publish_failed_enrichment
ON CONFLICT (kind, subject) DO UPDATE SET
    error = EXCLUDED.error, attempts = attempts + 1,
    last_failed_run = EXCLUDED.last_failed_run, last_failed_at = EXCLUDED.last_failed_at;
