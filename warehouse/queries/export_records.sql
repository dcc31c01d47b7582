-- The citation of each record in $1 (a list of record_ids), for RIS, BibTeX and CSL-JSON exports
-- (fmwatch.exports): PubMed articles with their authors, FM Network articles and saved pages from
-- other sites (source 'file') as web pages.
SELECT r.record_id,
       CASE WHEN a.pmid IS NOT NULL THEN 'pubmed' WHEN fm.record_id IS NOT NULL THEN split_part(fm.record_id, ':', 1) END AS source,
       -- who published a web page: the Network, or a saved page's site (its name, else its host)
       CASE WHEN fm.generation = 'page' THEN coalesce(fm.categories[1], split_part(split_part(fm.url, '://', 2), '/', 1))
            WHEN fm.record_id IS NOT NULL THEN 'Fibromyalgia Network' END AS publisher,
       a.pmid, coalesce(a.title, fm.title) AS title, a.abstract, a.journal, a.journal_title, a.pub_year,
       a.pub_date, a.volume, a.issue, a.pages, a.doi, a.pmcid, a.language, a.keywords, a.mesh_terms,
       a.publication_types,
       [{'family': x.last_name, 'given': x.fore_name, 'initials': x.initials, 'literal': x.collective_name}
        FOR x IN p.authors] AS authors,
       coalesce(a.url, fm.url) AS url, fm.author AS fm_author, fm.published_at AS fm_published
FROM unnest($1::VARCHAR[]) WITH ORDINALITY AS r(record_id, position)
LEFT JOIN articles AS a ON r.record_id = 'pubmed:' || a.pmid
LEFT JOIN pubmed_article_versions AS p ON p.pmid = a.pmid AND p.version = a.version
LEFT JOIN web_articles AS fm ON fm.record_id = r.record_id
WHERE a.pmid IS NOT NULL OR fm.record_id IS NOT NULL
ORDER BY r.position;
