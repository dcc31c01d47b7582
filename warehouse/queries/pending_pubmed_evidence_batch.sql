-- One batch of current PubMed versions to extract (issue 15b): those without evidence, or all of
-- them when $everything (reextract), after the PMID $after, at most $batch_size of them.
-- Keyset pagination on the PMID (unique among current versions): each batch is a top-N over an
-- index-ordered key, so memory stays bounded however many rows are pending (the single sorted
-- query this replaces ran out of a 128 MB DuckDB limit at 50k records).
SELECT a.pmid, a.version, a.title, a.abstract, a.publication_types,
       [m.descriptor FOR m IN a.mesh] AS mesh, a.languages[1] AS language,
       [i.value FOR i IN a.article_ids IF i.id_type = 'doi'][1] AS doi,
       [{'ref_type': c.ref_type, 'pmid': c.pmid} FOR c IN a.comments_corrections] AS corrections,
       coalesce((SELECT list(l.reference_pmid) FROM citing_links AS l WHERE l.citing_pmid = a.pmid), []) AS cites
FROM (
    -- record_heads, not the wide articles view: the page is chosen on narrow columns
    SELECT h.record_key AS pmid, h.version
    FROM record_heads AS h
    LEFT JOIN evidence_records AS e ON e.record_id = 'pubmed:' || h.record_key AND e.version = h.version
    WHERE h.source = 'pubmed' AND NOT h.deleted AND (e.record_id IS NULL OR $everything) AND h.record_key > $after
    ORDER BY h.record_key
    LIMIT $batch_size
) AS page
JOIN pubmed_article_versions AS a ON a.pmid = page.pmid AND a.version = page.version
ORDER BY a.pmid;
