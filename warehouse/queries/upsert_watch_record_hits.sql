-- The first run that found a record for a watch stays; a rerun adds nothing (keyed on
-- (source, watch, pmid); the DuckLake variant, without keys, checks that no row exists).
INSERT OR IGNORE INTO watch_record_hits SELECT * FROM publish_watch_record_hits;
