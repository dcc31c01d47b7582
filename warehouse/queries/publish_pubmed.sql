-- Merge the PubMed records a run staged into the versioned tables, as sets.
-- The last staged copy of a PMID wins; a version is written only when the content hash
-- differs from the current one, so a rerun over unchanged records writes nothing.
-- The decision is made on narrow columns (pmid, seq, hash); the wide nested rows are read once,
-- streaming, by the final INSERT, so memory does not grow with the size of the run.
-- One exception to "the last copy wins": a record one file of the run gave and a later file deletes
-- (PubMed's DeleteCitation; cases/pubmed 10a then 10b in one `fmwatch import`) is published as a
-- version first, then its deletion as the next version, exactly as two imports in a row would do, so
-- the record leaves `articles` with its tombstone and its flags are withdrawn (the evidence of the
-- version before a deletion is extracted too: queries/pending_pubmed_evidence_batch.sql). A record and
-- its deletion in the same file still cancel out (the file's last word wins, as the mirror applies it).
CREATE OR REPLACE TEMP TABLE publish_pubmed AS
WITH latest AS (
    SELECT pmid, max(seq) AS seq FROM staged_pubmed_articles GROUP BY pmid
), staged AS (
    SELECT s.pmid, s.seq, s.content_hash, s.deleted, s.run_id, s.origin
    FROM staged_pubmed_articles AS s JOIN latest USING (pmid, seq)
), shown AS (  -- the last record an earlier file gave a PMID that a later file of the run deletes
    SELECT s.pmid, s.seq, s.content_hash, s.deleted, s.run_id, s.origin
    FROM staged_pubmed_articles AS s JOIN staged AS d ON d.pmid = s.pmid AND d.deleted
    WHERE NOT s.deleted AND s.seq < d.seq AND s.origin IS DISTINCT FROM d.origin
    QUALIFY row_number() OVER (PARTITION BY s.pmid ORDER BY s.seq DESC) = 1
), heads AS (
    SELECT record_key AS pmid, max(version) AS version, arg_max(content_hash, version) AS content_hash
    FROM record_versions
    WHERE source = 'pubmed' AND record_key IN (SELECT pmid FROM latest)
    GROUP BY record_key
), shown_new AS (  -- the shown record, unless the warehouse already holds it as it is
    SELECT shown.* FROM shown LEFT JOIN heads ON heads.pmid = shown.pmid
    WHERE heads.content_hash IS DISTINCT FROM shown.content_hash
)
SELECT staged.*, coalesce(heads.version, 0) + 1 + (shown_new.pmid IS NOT NULL)::INTEGER AS new_version,
       heads.pmid IS NULL AND shown_new.pmid IS NULL AS is_new_key
FROM staged LEFT JOIN heads ON heads.pmid = staged.pmid LEFT JOIN shown_new ON shown_new.pmid = staged.pmid
WHERE (shown_new.pmid IS NOT NULL OR heads.content_hash IS DISTINCT FROM staged.content_hash)
  -- deleting a PMID the warehouse never held (nor an earlier file of the run gave) changes nothing
  AND NOT (heads.pmid IS NULL AND shown_new.pmid IS NULL AND staged.deleted)
UNION ALL
SELECT shown_new.*, coalesce(heads.version, 0) + 1 AS new_version, heads.pmid IS NULL AS is_new_key
FROM shown_new LEFT JOIN heads ON heads.pmid = shown_new.pmid;

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
