-- Stage the mirror's rows of the PMIDs in wanted_pmids for run $1, numbered after seq $2, and
-- return the PMIDs staged (the rest must come from efetch).
INSERT INTO staged_pubmed_articles BY NAME
SELECT m.* EXCLUDE (mirror_file), $1 AS run_id, $2 + row_number() OVER (ORDER BY m.pmid) AS seq, false AS deleted
FROM mirror_articles AS m
WHERE m.pmid IN (SELECT pmid FROM wanted_pmids)
RETURNING pmid;
