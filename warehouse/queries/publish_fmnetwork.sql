-- Merge the FM Network articles a run staged, as sets, the same way as PubMed records:
-- the last staged copy of a slug wins and a version is written only when the content changed.
-- A saved page from another site (generation 'page') is the record ('file', <page key>), its slug
-- being its page key (sources/article_page.py, page_key); the Network's articles are ('fmnetwork', slug).
-- (Their page states and citation links follow: queries/upsert_fm_page_state.sql, upsert_citation_links.sql.)
CREATE OR REPLACE TEMP TABLE publish_fm AS
WITH latest AS (
    SELECT *, CASE WHEN generation = 'page' THEN 'file' ELSE 'fmnetwork' END AS record_source
    FROM staged_fm_articles
    QUALIFY row_number() OVER (PARTITION BY slug ORDER BY seq DESC) = 1
), heads AS (
    SELECT source, record_key AS slug, max(version) AS version, arg_max(content_hash, version) AS content_hash
    FROM record_versions
    WHERE source IN ('fmnetwork', 'file') AND record_key IN (SELECT slug FROM latest)
    GROUP BY source, record_key
)
SELECT latest.*, coalesce(heads.version, 0) + 1 AS new_version, heads.slug IS NULL AS is_new_key
FROM latest LEFT JOIN heads ON heads.slug = latest.slug AND heads.source = latest.record_source
WHERE heads.content_hash IS DISTINCT FROM latest.content_hash;

INSERT INTO record_versions (source, record_key, version, content_hash, deleted, run_id, loaded_at, origin)
SELECT record_source, slug, new_version, content_hash, false, run_id, current_timestamp::TIMESTAMP, origin
FROM publish_fm;

INSERT INTO fm_article_versions BY NAME
SELECT * EXCLUDE (run_id, seq, origin, content_hash, new_version, is_new_key, record_source), new_version AS version
FROM publish_fm;


-- The citation links the run resolved anew or differently (an unchanged one is left alone, so a
-- rerun writes nothing); queries/upsert_citation_links.sql replaces the earlier links with them.
CREATE OR REPLACE TEMP TABLE publish_citation_links AS
SELECT s.* FROM staged_citations AS s
LEFT JOIN citation_links AS c ON c.from_record = s.from_record AND c.ref_index = s.ref_index
WHERE c.from_record IS NULL OR c.raw_text IS DISTINCT FROM s.raw_text OR c.pmid IS DISTINCT FROM s.pmid
   OR c.method IS DISTINCT FROM s.method
QUALIFY row_number() OVER (PARTITION BY s.from_record, s.ref_index ORDER BY s.resolved_at DESC) = 1;
