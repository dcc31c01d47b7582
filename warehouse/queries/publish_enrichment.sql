-- Publish (inside the run's transaction) what issue 13 stages: enrichment that failed (pending,
-- queries/upsert_pending_enrichment.sql) or succeeded (no longer pending,
-- queries/publish_enrichment_outcomes.sql), full reconciliations, and the run's notes.
-- The latest failure of each look-up the run tried.
CREATE OR REPLACE TEMP TABLE publish_failed_enrichment AS
SELECT kind, subject, error, run_id, staged_at
FROM staged_enrichment
WHERE error IS NOT NULL
QUALIFY row_number() OVER (PARTITION BY kind, subject ORDER BY staged_at DESC) = 1;
