-- 035 (issue 15b): a local PubMed mirror, built from NLM's baseline and daily update files.

-- Every bulk file ingested, so a rerun skips it. A file is recorded in the transaction that
-- applies it: recorded means applied, whole.
CREATE TABLE mirror_files (
    name         VARCHAR PRIMARY KEY,       -- pubmed26n0001.xml.gz
    kind         VARCHAR NOT NULL,          -- baseline, update
    url          VARCHAR NOT NULL,
    md5          VARCHAR NOT NULL,          -- as checked against the .md5 file beside it
    bytes        BIGINT NOT NULL,           -- gzipped
    records      INTEGER NOT NULL,          -- PMIDs written (the last version of each in the file)
    deletions    INTEGER NOT NULL,          -- PMIDs the file's DeleteCitation removed
    quarantined  INTEGER NOT NULL,
    ingested_at  TIMESTAMP NOT NULL
);

-- The newest version of every PMID the mirror holds, as parsed (the staged rows' shape, with the
-- same content hash, so a watch that takes a record from the mirror versions it as efetch would).
-- No primary key: a 38M-row ART index would not fit the run's memory limit; each file's apply
-- replaces its PMIDs with a set-based DELETE and INSERT.
-- A staged PubMed row is (run_id, seq, origin, content_hash, deleted, pubmed_article_versions less
-- version): the mirror keeps it less run_id, seq and deleted. Made from pubmed_article_versions, not
-- from the staging table, which a DuckLake does not hold (each writer stages apart); the columns and
-- types are the same as when it was made from the staging table (checked when this was changed).
CREATE TABLE mirror_articles AS
    SELECT ''::VARCHAR AS origin, ''::VARCHAR AS content_hash, * EXCLUDE (version), ''::VARCHAR AS mirror_file
    FROM pubmed_article_versions WITH NO DATA;
