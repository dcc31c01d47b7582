-- An editor's triage: seen, or dismissed with a reason. Returns the row changed.
UPDATE flags SET state = $state, state_reason = $reason, state_changed_at = current_timestamp::TIMESTAMP
WHERE record_id = $record_id AND flag_key = $flag_key
RETURNING record_id, flag_key, state;
