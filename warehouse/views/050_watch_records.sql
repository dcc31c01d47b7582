-- Which watch found which PubMed record (one row per watch and record; a record two watches match
-- has two rows). Joins evidence_flags and the other evidence views on record_id.
CREATE OR REPLACE VIEW watch_records AS
SELECT w.watch, w.source, w.pmid, 'pubmed:' || w.pmid AS record_id, w.first_run_id, w.first_seen_at
FROM watch_record_hits AS w;
