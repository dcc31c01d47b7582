-- Flags of records this run deleted (PubMed's DeleteCitation) leave the editors' open list: they are
-- marked withdrawn, with the reason, rather than kept as new (issue 13). Runs inside `publish`, after
-- queries/publish_pubmed.sql has made its temp table of what changed.
UPDATE flags
SET state = 'withdrawn',
    state_reason = 'PubMed withdrew the record (DeleteCitation)',
    state_changed_at = current_timestamp::TIMESTAMP
WHERE state <> 'withdrawn'
  AND record_id IN (SELECT 'pubmed:' || pmid FROM publish_pubmed WHERE deleted);
