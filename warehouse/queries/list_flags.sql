-- `fmwatch flags`, `fmwatch flag`, exports and feeds: the flags editors triage, most important
-- first, with the record's title and year. Filters (NULL = any): $1 state (without one: the open
-- list, which leaves out flags of records PubMed withdrew), $2 priority (at most), $3 flag type,
-- $4 record_id, $5 raised after.
SELECT f.record_id || '/' || f.flag_key AS id, f.record_id, f.flag_key, f.priority, f.flag_type, f.claim,
       f.relation, f.novelty, f.state, f.reason, f.state_reason,
       coalesce(a.title, fm.title) AS title, coalesce(a.pub_year, year(fm.published_at)) AS year,
       coalesce(a.url, fm.url) AS url, f.raised_at, f.raised_count
FROM flags AS f
LEFT JOIN articles AS a ON f.record_id = 'pubmed:' || a.pmid
LEFT JOIN fm_articles AS fm ON fm.record_id = f.record_id
WHERE (($1 IS NULL AND f.state <> 'withdrawn') OR f.state = $1)
  AND ($2 IS NULL OR f.priority <= $2) AND ($3 IS NULL OR f.flag_type = $3)
  AND ($4 IS NULL OR f.record_id = $4) AND ($5 IS NULL OR f.raised_at > $5)
ORDER BY f.priority, f.record_id, f.flag_key;
