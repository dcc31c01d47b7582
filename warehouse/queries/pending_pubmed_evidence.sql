-- Current PubMed versions to extract: those without evidence, or all of them when $1 (reextract).
SELECT a.pmid, a.version, a.title, a.abstract, a.publication_types,
       [m.descriptor FOR m IN a.mesh] AS mesh, a.languages[1] AS language,
       [i.value FOR i IN a.article_ids IF i.id_type = 'doi'][1] AS doi,
       [{'ref_type': c.ref_type, 'pmid': c.pmid} FOR c IN a.comments_corrections] AS corrections,
       -- what the record cites: ELink's citing links and its own reference list
       list_concat(coalesce((SELECT list(l.reference_pmid) FROM citing_links AS l WHERE l.citing_pmid = a.pmid), []),
                   [r.pmid FOR r IN coalesce(a.reference_list, []) IF r.pmid IS NOT NULL]) AS cites
FROM articles AS current
JOIN pubmed_article_versions AS a ON a.pmid = current.pmid AND a.version = current.version
LEFT JOIN evidence_records AS e ON e.record_id = 'pubmed:' || a.pmid AND e.version = a.version
WHERE e.record_id IS NULL OR $1
ORDER BY a.pmid;
