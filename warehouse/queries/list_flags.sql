-- `fmwatch flags`: what editors triage, most important first; $1 filters by state.
SELECT record_id || '/' || flag_key AS id, priority, flag_type, claim, relation, novelty, state, reason
FROM evidence_flags
-- Without a state: the open list, which leaves out flags of records PubMed withdrew.
WHERE ($1 IS NULL AND state <> 'withdrawn') OR state = $1
ORDER BY priority, record_id, flag_key;
