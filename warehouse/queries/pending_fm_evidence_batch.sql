-- One batch of current FM Network versions and saved pages to extract (issue 15b), after the slug $after, at most
-- $batch_size of them, with the PMIDs their citations resolved to. Keyset pagination, as for PubMed.
SELECT f.slug, f.version, f.title, f.body,
       coalesce((SELECT list(c.pmid ORDER BY c.ref_index) FROM citation_links AS c
                 WHERE c.from_record = f.record_id AND c.pmid IS NOT NULL), []) AS reports_on,
       f.record_id  -- fmnetwork:<slug>, or file:<page key> for a saved page from another site
FROM web_articles AS f
LEFT JOIN evidence_records AS e ON e.record_id = f.record_id AND e.version = f.version
WHERE (e.record_id IS NULL OR $everything) AND f.slug > $after
ORDER BY f.slug
LIMIT $batch_size;
