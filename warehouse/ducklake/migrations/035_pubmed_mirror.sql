-- DuckLake variant of migrations/035_pubmed_mirror.sql: the staging tables are not in the lake
-- (each writer has its own, fmwatch.lakehouse.attach_staging), so mirror_articles takes the staged
-- rows' shape from the table they are made from; and DuckLake supports no key constraints.
CREATE TABLE mirror_files (
    name         VARCHAR,                   -- pubmed26n0001.xml.gz (one row per file: the mirror keeps it so)
    kind         VARCHAR NOT NULL,          -- baseline, update
    url          VARCHAR NOT NULL,
    md5          VARCHAR NOT NULL,          -- as checked against the .md5 file beside it
    bytes        BIGINT NOT NULL,           -- gzipped
    records      INTEGER NOT NULL,          -- PMIDs written (the last version of each in the file)
    deletions    INTEGER NOT NULL,          -- PMIDs the file's DeleteCitation removed
    quarantined  INTEGER NOT NULL,
    ingested_at  TIMESTAMP NOT NULL
);

-- A staged PubMed row is (run_id, seq, origin, content_hash, deleted, pubmed_article_versions less
-- version); the mirror keeps it less run_id, seq and deleted.
CREATE TABLE mirror_articles AS
    SELECT ''::VARCHAR AS origin, ''::VARCHAR AS content_hash, * EXCLUDE (version), ''::VARCHAR AS mirror_file
    FROM pubmed_article_versions WITH NO DATA;
