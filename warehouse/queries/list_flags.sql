-- `fmwatch flags`: what editors triage, most important first; $1 filters by state.
SELECT record_id || '/' || flag_key AS id, priority, flag_type, claim, relation, novelty, state, reason
FROM evidence_flags
WHERE $1 IS NULL OR state = $1
ORDER BY priority, record_id, flag_key;
