-- `fmwatch status`: enrichment look-ups that failed and wait for the next run (issue 13).
SELECT kind, subject, attempts, last_failed_at, error
FROM pending_enrichment
ORDER BY kind, subject;
