-- New "cites the reference" links. A record we already judged is judged again (its evidence is
-- dropped, so the next extraction step redoes it) so that the new flag is raised.
CREATE OR REPLACE TEMP TABLE publish_citing AS
SELECT DISTINCT s.* FROM staged_citing_links AS s
WHERE NOT EXISTS (SELECT 1 FROM citing_links AS c
                  WHERE c.reference_pmid = s.reference_pmid AND c.citing_pmid = s.citing_pmid);

INSERT INTO citing_links SELECT * FROM publish_citing;

DELETE FROM evidence_records WHERE record_id IN (SELECT 'pubmed:' || citing_pmid FROM publish_citing);
