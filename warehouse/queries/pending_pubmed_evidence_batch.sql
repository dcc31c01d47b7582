-- One batch of current PubMed versions (and versions a deletion followed) to extract (issue 15b): those without evidence, or all of
-- them when $everything (reextract), after the PMID $after, at most $batch_size of them.
-- Keyset pagination on the PMID (unique among current versions): each batch is a top-N over an
-- index-ordered key, so memory stays bounded however many rows are pending (the single sorted
-- query this replaces ran out of a 128 MB DuckDB limit at 50k records).
SELECT a.pmid, a.version, a.title, a.abstract, a.publication_types,
       [m.descriptor FOR m IN a.mesh] AS mesh, a.languages[1] AS language,
       [i.value FOR i IN a.article_ids IF i.id_type = 'doi'][1] AS doi,
       [{'ref_type': c.ref_type, 'pmid': c.pmid} FOR c IN a.comments_corrections] AS corrections,
       -- what the record cites: ELink's citing links and its own reference list
       list_concat(coalesce((SELECT list(l.reference_pmid) FROM citing_links AS l WHERE l.citing_pmid = a.pmid), []),
                   [r.pmid FOR r IN coalesce(a.reference_list, []) IF r.pmid IS NOT NULL]) AS cites
FROM (
    -- record_heads, not the wide articles view: the page is chosen on narrow columns. A deleted
    -- record's last version before its deletion is extracted too when it has no evidence (it was
    -- published with its deletion in one run: queries/publish_pubmed.sql), so its flags exist and
    -- are withdrawn (queries/withdraw_deleted_flags.sql), as when it was extracted before the deletion.
    SELECT h.record_key AS pmid, h.version - h.deleted::INTEGER AS version
    FROM record_heads AS h
    LEFT JOIN evidence_records AS e ON e.record_id = 'pubmed:' || h.record_key
                                   AND e.version = h.version - h.deleted::INTEGER
    WHERE h.source = 'pubmed' AND h.record_key > $after
      AND (e.record_id IS NULL OR ($everything AND NOT h.deleted))
      AND (NOT h.deleted OR EXISTS (SELECT 1 FROM pubmed_article_versions AS v
                                    WHERE v.pmid = h.record_key AND v.version = h.version - 1))
    ORDER BY h.record_key
    LIMIT $batch_size
) AS page
JOIN pubmed_article_versions AS a ON a.pmid = page.pmid AND a.version = page.version
ORDER BY a.pmid;
