-- Merge the PubMed records a run staged into the versioned tables, as sets.
-- The last staged copy of a PMID wins; a version is written only when the content hash
-- differs from the current one, so a rerun over unchanged records writes nothing.
-- The decision is made on narrow columns (pmid, seq, hash); the wide nested rows are read once,
-- streaming, by the final INSERT, so memory does not grow with the size of the run.
CREATE OR REPLACE TEMP TABLE publish_pubmed AS
WITH latest AS (
    SELECT pmid, max(seq) AS seq FROM staged_pubmed_articles GROUP BY pmid
), staged AS (
    SELECT s.pmid, s.seq, s.content_hash, s.deleted, s.run_id, s.origin
    FROM staged_pubmed_articles AS s JOIN latest USING (pmid, seq)
), heads AS (
    SELECT record_key AS pmid, max(version) AS version, arg_max(content_hash, version) AS content_hash
    FROM record_versions
    WHERE source = 'pubmed' AND record_key IN (SELECT pmid FROM latest)
    GROUP BY record_key
)
SELECT staged.*, coalesce(heads.version, 0) + 1 AS new_version, heads.pmid IS NULL AS is_new_key
FROM staged LEFT JOIN heads ON heads.pmid = staged.pmid
WHERE heads.content_hash IS DISTINCT FROM staged.content_hash
  -- deleting a PMID the warehouse never held changes nothing
  AND NOT (heads.pmid IS NULL AND staged.deleted);

-- The wide rows first, then the narrow versions: in the other order a 50,000-record import ran
-- out of DuckDB's 128 MB (the versions' uncommitted rows and key index were still held in memory
-- when the wide insert began).
INSERT INTO pubmed_article_versions BY NAME
SELECT s.* EXCLUDE (run_id, seq, origin, content_hash, deleted), p.new_version AS version
FROM staged_pubmed_articles AS s JOIN publish_pubmed AS p USING (pmid, seq)
WHERE NOT p.deleted;

INSERT INTO record_versions (source, record_key, version, content_hash, deleted, run_id, loaded_at, origin)
SELECT 'pubmed', pmid, new_version, content_hash, deleted, run_id, current_timestamp::TIMESTAMP, origin
FROM publish_pubmed;
