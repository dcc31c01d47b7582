-- Flags just raised or judged again for a record PubMed has withdrawn (its head is a deletion: the
-- record and its DeleteCitation came in one run, e.g. one `fmwatch import` of an update file after
-- the base file) leave the open list, marked withdrawn as queries/withdraw_flags.sql marks them when
-- the deletion comes after the flags. Runs in the transaction of queries/publish_evidence.sql.
UPDATE flags
SET state = 'withdrawn',
    state_reason = 'PubMed withdrew the record (DeleteCitation)',
    state_changed_at = current_timestamp::TIMESTAMP
WHERE state <> 'withdrawn'
  AND record_id IN (SELECT record_id FROM staged_flags)
  AND record_id IN (SELECT 'pubmed:' || record_key FROM record_heads WHERE source = 'pubmed' AND deleted);
