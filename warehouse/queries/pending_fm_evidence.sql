-- Current FM Network versions and saved pages from other sites to extract, with the PMIDs their citations resolved to.
SELECT f.slug, f.version, f.title, f.body,
       coalesce((SELECT list(c.pmid ORDER BY c.ref_index) FROM citation_links AS c
                 WHERE c.from_record = f.record_id AND c.pmid IS NOT NULL), []) AS reports_on,
       f.record_id  -- fmnetwork:<slug>, or file:<page key> for a saved page from another site
FROM web_articles AS f
LEFT JOIN evidence_records AS e ON e.record_id = f.record_id AND e.version = f.version
WHERE e.record_id IS NULL OR $1
ORDER BY f.slug;
