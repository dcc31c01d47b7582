-- Which of the PMIDs in wanted_pmids the warehouse holds, published or staged by this run.
SELECT w.pmid FROM wanted_pmids AS w
WHERE EXISTS (SELECT 1 FROM record_heads AS h WHERE h.source = 'pubmed' AND h.record_key = w.pmid AND NOT h.deleted)
   OR EXISTS (SELECT 1 FROM staged_pubmed_articles AS s WHERE s.pmid = w.pmid AND NOT s.deleted);
