-- `fmwatch flags`, `fmwatch flag`, exports and feeds: the flags editors triage, most important
-- first, with the record's title and year. Filters (NULL = any): $1 state (without one: the open
-- list, which leaves out flags of records PubMed withdrew), $2 priority (at most), $3 flag type,
-- $4 record_id, $5 raised after.
-- A withdrawn record (PubMed's DeleteCitation, a deleted article) has no current version, so
-- `articles`/`fm_articles` leave it out: its title and year are the last ones stored
-- (`last_known`), so an editor can still see what was withdrawn; no URL, as its page is gone.
WITH withdrawn AS (
    SELECT DISTINCT record_id FROM flags WHERE state = 'withdrawn'
), last_known AS (
    SELECT 'pubmed:' || pmid AS record_id, arg_max(title, version) AS title, arg_max(pub_year, version) AS year
    FROM pubmed_article_versions
    WHERE 'pubmed:' || pmid IN (SELECT record_id FROM withdrawn)
    GROUP BY pmid
    UNION ALL
    SELECT 'fmnetwork:' || slug, arg_max(title, version), year(arg_max(published_at, version))
    FROM fm_article_versions
    WHERE 'fmnetwork:' || slug IN (SELECT record_id FROM withdrawn)
    GROUP BY slug
)
SELECT f.record_id || '/' || f.flag_key AS id, f.record_id, f.flag_key, f.priority, f.flag_type, f.claim,
       f.relation, f.novelty, f.state, f.reason, f.state_reason,
       coalesce(a.title, fm.title, k.title) AS title,
       coalesce(a.pub_year, year(fm.published_at), k.year) AS year,
       coalesce(a.url, fm.url) AS url, f.raised_at, f.raised_count
FROM flags AS f
LEFT JOIN articles AS a ON f.record_id = 'pubmed:' || a.pmid
LEFT JOIN web_articles AS fm ON fm.record_id = f.record_id
LEFT JOIN last_known AS k ON k.record_id = f.record_id
WHERE (($1 IS NULL AND f.state <> 'withdrawn') OR f.state = $1)
  AND ($2 IS NULL OR f.priority <= $2) AND ($3 IS NULL OR f.flag_type = $3)
  AND ($4 IS NULL OR f.record_id = $4) AND ($5 IS NULL OR f.raised_at > $5)
ORDER BY f.priority, f.record_id, f.flag_key;
