-- Merge the PubMed records a run staged into the versioned tables, as sets.
-- The last staged copy of a PMID wins; a version is written only when the content hash
-- differs from the current one, so a rerun over unchanged records writes nothing.
CREATE OR REPLACE TEMP TABLE publish_pubmed AS
WITH latest AS (
    SELECT * FROM staged_pubmed_articles
    QUALIFY row_number() OVER (PARTITION BY pmid ORDER BY seq DESC) = 1
), heads AS (
    SELECT record_key AS pmid, max(version) AS version, arg_max(content_hash, version) AS content_hash
    FROM record_versions
    WHERE source = 'pubmed' AND record_key IN (SELECT pmid FROM latest)
    GROUP BY record_key
)
SELECT latest.*, coalesce(heads.version, 0) + 1 AS new_version, heads.pmid IS NULL AS is_new_key
FROM latest LEFT JOIN heads ON heads.pmid = latest.pmid
WHERE heads.content_hash IS DISTINCT FROM latest.content_hash
  -- deleting a PMID the warehouse never held changes nothing
  AND NOT (heads.pmid IS NULL AND latest.deleted);

INSERT INTO record_versions (source, record_key, version, content_hash, deleted, run_id, loaded_at, origin)
SELECT 'pubmed', pmid, new_version, content_hash, deleted, run_id, current_timestamp::TIMESTAMP, origin
FROM publish_pubmed;

INSERT INTO pubmed_article_versions BY NAME
SELECT * EXCLUDE (run_id, seq, origin, content_hash, deleted, new_version, is_new_key),
       new_version AS version
FROM publish_pubmed
WHERE NOT deleted;
