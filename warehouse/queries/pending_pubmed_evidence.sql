-- Current PubMed versions to extract: those without evidence, or all of them when $1 (reextract).
-- Streamed in batches (Warehouse.iter_pending_evidence): the keys to extract are found first on
-- narrow columns, and the wide rows are read once, streaming, by a join whose build side is those
-- keys; no sort, so memory does not grow with the number of records pending.
WITH heads AS (
    SELECT record_key AS pmid, max(version) AS version, arg_max(deleted, version) AS deleted
    FROM record_versions WHERE source = 'pubmed'
    GROUP BY record_key
), pending AS (
    SELECT h.pmid, h.version FROM heads AS h
    WHERE NOT h.deleted
      AND ($1 OR NOT EXISTS (SELECT 1 FROM evidence_records AS e
                             WHERE e.record_id = 'pubmed:' || h.pmid AND e.version = h.version))
), cited AS (
    SELECT citing_pmid AS pmid, list(reference_pmid) AS cites FROM citing_links GROUP BY citing_pmid
)
SELECT a.pmid, a.version, a.title, a.abstract, a.publication_types,
       [m.descriptor FOR m IN a.mesh] AS mesh, a.languages[1] AS language,
       [i.value FOR i IN a.article_ids IF i.id_type = 'doi'][1] AS doi,
       [{'ref_type': c.ref_type, 'pmid': c.pmid} FOR c IN a.comments_corrections] AS corrections,
       -- what the record cites: ELink's citing links and its own reference list
       list_concat(coalesce(cited.cites, []),
                   [r.pmid FOR r IN coalesce(a.reference_list, []) IF r.pmid IS NOT NULL]) AS cites
FROM pubmed_article_versions AS a
JOIN pending ON pending.pmid = a.pmid AND pending.version = a.version
LEFT JOIN cited ON cited.pmid = a.pmid;
