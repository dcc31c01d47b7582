-- The flags raised in a digest window ($1 exclusive, $2 inclusive), with what the digest shows of
-- each record: the evidence record, the citation, the text its evidence spans point into, and for
-- FM Network articles the papers they report on.
-- is_backlog ($3 = days): the flag was raised when fmwatch first read the record (its first version,
-- first raising) and the record was already older than $3 days then (PubMed's entrez date, or the
-- article's publication date). A new watch's first run, or an import of old files, is such a
-- backlog: the digest puts it in its baseline section, not in "what is new" (as My NCBI alerts and
-- pubmed-alert start from the day a search is saved).
SELECT f.record_id, f.flag_key, f.flag_type, f.claim, f.relation, f.novelty, f.priority, f.reason, f.state,
       f.evidence::VARCHAR AS flag_evidence,
       e.record::VARCHAR AS record,
       a.pmid, a.title AS article_title, a.abstract, a.journal, a.pub_year, a.doi,
       [coalesce(x.last_name || ' ' || x.initials, x.collective_name) FOR x IN p.authors] AS authors,
       fm.url AS fm_url, fm.title AS fm_title, fm.published_at AS fm_published, fm.body AS fm_body,
       fm.generation AS fm_generation, fm.categories AS fm_categories,  -- 'page': another site's, named by categories[1]
       (SELECT list({'pmid': c.pmid, 'title': ca.title, 'journal': ca.journal, 'year': ca.pub_year}
                    ORDER BY c.ref_index)
        FROM citation_links AS c LEFT JOIN articles AS ca ON ca.pmid = c.pmid
        WHERE c.from_record = f.record_id AND c.pmid IS NOT NULL) AS reports_on,
       coalesce(f.version = 1 AND f.raised_count = 1
                AND coalesce(a.entrez_date, a.pub_date, fm.published_at::DATE)
                    < (h.first_loaded_at - to_days(CAST($3 AS INTEGER)))::DATE, false) AS is_backlog
FROM flags AS f
JOIN current_evidence AS e ON e.record_id = f.record_id
JOIN record_heads AS h ON f.record_id = h.source || ':' || h.record_key
LEFT JOIN articles AS a ON f.record_id = 'pubmed:' || a.pmid
LEFT JOIN pubmed_article_versions AS p ON p.pmid = a.pmid AND p.version = a.version
LEFT JOIN web_articles AS fm ON fm.record_id = f.record_id
WHERE f.state NOT IN ('dismissed', 'withdrawn')
  AND ($1 IS NULL OR f.raised_at > $1) AND f.raised_at <= $2
ORDER BY f.priority, f.record_id, f.flag_key;
