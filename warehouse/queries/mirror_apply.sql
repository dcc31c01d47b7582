-- Apply mirror_incoming: its PMIDs' rows are replaced (the file's version wins over the mirror's),
-- and its deletions remove theirs.
DELETE FROM mirror_articles WHERE pmid IN (SELECT pmid FROM mirror_incoming);

INSERT INTO mirror_articles BY NAME
SELECT * EXCLUDE (deleted) FROM mirror_incoming WHERE NOT deleted;
