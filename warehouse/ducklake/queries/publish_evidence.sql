-- DuckLake variant of queries/publish_evidence.sql: evidence records replace earlier ones for the
-- same (record_id, version), and flags keep the editor's state unless the judgement changed, as
-- there, but by MERGE (DuckLake has no keys for INSERT OR REPLACE or ON CONFLICT).
MERGE INTO evidence_records AS e
USING (SELECT * FROM staged_evidence QUALIFY row_number() OVER (PARTITION BY record_id, version ORDER BY extracted_at DESC) = 1) AS s
ON e.record_id = s.record_id AND e.version = s.version
WHEN MATCHED THEN UPDATE
WHEN NOT MATCHED THEN INSERT;

MERGE INTO flags AS f
USING (
    SELECT *, current_timestamp::TIMESTAMP AS now FROM staged_flags
    QUALIFY row_number() OVER (PARTITION BY record_id, flag_key ORDER BY version DESC) = 1
) AS s
ON f.record_id = s.record_id AND f.flag_key = s.flag_key
WHEN MATCHED THEN UPDATE SET
    state = CASE WHEN f.judgement_hash <> s.judgement_hash THEN 'new' ELSE f.state END,
    state_reason = CASE WHEN f.judgement_hash <> s.judgement_hash THEN NULL ELSE f.state_reason END,
    last_raised_run = CASE WHEN f.judgement_hash <> s.judgement_hash THEN s.run_id ELSE f.last_raised_run END,
    raised_count = f.raised_count + CASE WHEN f.judgement_hash <> s.judgement_hash THEN 1 ELSE 0 END,
    raised_at = CASE WHEN f.judgement_hash <> s.judgement_hash THEN s.now ELSE f.raised_at END,
    version = s.version, flag_type = s.flag_type, claim = s.claim, relation = s.relation, novelty = s.novelty,
    priority = s.priority, reason = s.reason, evidence = s.evidence, judgement_hash = s.judgement_hash,
    updated_at = s.now
WHEN NOT MATCHED THEN INSERT (record_id, flag_key, version, flag_type, claim, relation, novelty, priority, reason,
                              evidence, judgement_hash, state, state_reason, state_changed_at, first_seen_run,
                              last_raised_run, raised_count, updated_at, raised_at)
    VALUES (s.record_id, s.flag_key, s.version, s.flag_type, s.claim, s.relation, s.novelty, s.priority, s.reason,
            s.evidence, s.judgement_hash, 'new', NULL, NULL, s.run_id, s.run_id, 1, s.now, s.now);

-- (staged_evidence and staged_flags are cleared after the commit, queries/clear_staged_evidence.sql:
-- they are in the writer's own staging database, and one transaction writes one database.)
