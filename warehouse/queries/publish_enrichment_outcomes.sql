-- After the failures (queries/upsert_pending_enrichment.sql): a look-up whose last try succeeded
-- is no longer pending; and the run's notes.
DELETE FROM pending_enrichment AS p
WHERE EXISTS (SELECT 1 FROM staged_enrichment AS s
              WHERE s.kind = p.kind AND s.subject = p.subject AND s.error IS NULL
                AND NOT EXISTS (SELECT 1 FROM staged_enrichment AS f
                                WHERE f.kind = s.kind AND f.subject = s.subject AND f.error IS NOT NULL
                                  AND f.staged_at > s.staged_at));

INSERT INTO run_notes SELECT * FROM staged_run_notes;
