-- `fmwatch status`: what the last run that left notes reported (failed watches, pending enrichment).
SELECT level, subject, message
FROM run_notes
WHERE run_id = (SELECT run_id FROM run_notes ORDER BY created_at DESC LIMIT 1)
ORDER BY level, subject;
