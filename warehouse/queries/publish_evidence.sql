-- Publish what extraction staged: evidence records replace earlier ones for the same version;
-- flags keep the editor's state unless the judgement changed, in which case they are new again.
INSERT OR REPLACE INTO evidence_records SELECT * FROM staged_evidence;

INSERT INTO flags (record_id, flag_key, version, flag_type, claim, relation, novelty, priority, reason, evidence,
                   judgement_hash, state, state_reason, state_changed_at, first_seen_run, last_raised_run,
                   raised_count, updated_at, raised_at)
SELECT record_id, flag_key, version, flag_type, claim, relation, novelty, priority, reason, evidence,
       judgement_hash, 'new', NULL, NULL, run_id, run_id, 1, current_timestamp::TIMESTAMP,
       current_timestamp::TIMESTAMP
FROM staged_flags
QUALIFY row_number() OVER (PARTITION BY record_id, flag_key ORDER BY version DESC) = 1
ON CONFLICT (record_id, flag_key) DO UPDATE SET
    state = CASE WHEN judgement_hash <> EXCLUDED.judgement_hash THEN 'new' ELSE state END,
    state_reason = CASE WHEN judgement_hash <> EXCLUDED.judgement_hash THEN NULL ELSE state_reason END,
    last_raised_run = CASE WHEN judgement_hash <> EXCLUDED.judgement_hash THEN EXCLUDED.last_raised_run ELSE last_raised_run END,
    raised_count = raised_count + CASE WHEN judgement_hash <> EXCLUDED.judgement_hash THEN 1 ELSE 0 END,
    raised_at = CASE WHEN judgement_hash <> EXCLUDED.judgement_hash THEN EXCLUDED.raised_at ELSE raised_at END,
    version = EXCLUDED.version, flag_type = EXCLUDED.flag_type, claim = EXCLUDED.claim,
    relation = EXCLUDED.relation, novelty = EXCLUDED.novelty, priority = EXCLUDED.priority,
    reason = EXCLUDED.reason, evidence = EXCLUDED.evidence, judgement_hash = EXCLUDED.judgement_hash,
    updated_at = EXCLUDED.updated_at;
