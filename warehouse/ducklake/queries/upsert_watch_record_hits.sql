-- DuckLake variant of queries/upsert_watch_record_hits.sql (INSERT OR IGNORE needs a key).
INSERT INTO watch_record_hits
SELECT s.* FROM publish_watch_record_hits AS s
WHERE NOT EXISTS (
    SELECT 1 FROM watch_record_hits AS h WHERE h.source = s.source AND h.watch = s.watch AND h.pmid = s.pmid
);
