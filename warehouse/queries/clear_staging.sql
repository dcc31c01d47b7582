-- Staging belongs to one run at a time: cleared before a run starts and after it publishes.
DELETE FROM staged_pubmed_articles;
DELETE FROM staged_raw_responses;
DELETE FROM staged_quarantine;
DELETE FROM staged_watermarks;
DELETE FROM staged_fm_articles;
DELETE FROM staged_fm_page_state;
DELETE FROM staged_citations;
DELETE FROM staged_evidence;
DELETE FROM staged_flags;
DELETE FROM staged_citing_links;
DELETE FROM staged_enrichment;
DELETE FROM staged_watch_reconciliations;
DELETE FROM staged_run_notes;
DELETE FROM staged_watch_record_hits;
