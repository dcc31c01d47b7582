-- An editor's triage: seen, or dismissed with a reason. Its answer is the number of rows changed
-- (no RETURNING: DuckLake does not support it on UPDATE).
UPDATE flags SET state = $state, state_reason = $reason, state_changed_at = current_timestamp::TIMESTAMP
WHERE record_id = $record_id AND flag_key = $flag_key;
