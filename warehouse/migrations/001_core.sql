-- 001: the spine. Runs, the raw archive, versioned records, PubMed articles, quarantine,
-- watermarks, and the staging tables a run fills before it publishes.

-- One row per run that changed the warehouse or failed. Written when the run ends.
CREATE TABLE run_log (
    run_id        VARCHAR PRIMARY KEY,
    command       VARCHAR NOT NULL,          -- run, import, reextract
    sources       VARCHAR,                   -- pubmed,fmnetwork / file
    offline       BOOLEAN NOT NULL DEFAULT false,
    started_at    TIMESTAMP NOT NULL,
    ended_at      TIMESTAMP,
    status        VARCHAR NOT NULL,          -- succeeded, quarantined, failed
    watermark     DATE,                      -- newest entrez date covered (pubmed runs)
    records_seen  INTEGER DEFAULT 0,
    versions_new  INTEGER DEFAULT 0,         -- first versions and changed versions
    records_new   INTEGER DEFAULT 0,         -- keys seen for the first time
    deletions     INTEGER DEFAULT 0,
    quarantined   INTEGER DEFAULT 0,
    requests      INTEGER DEFAULT 0,
    error         VARCHAR
);

-- Every HTTP response body a run fetched, gzip-compressed, with the URL stripped of secrets.
CREATE TABLE raw_responses (
    run_id       VARCHAR NOT NULL,
    seq          INTEGER NOT NULL,
    method       VARCHAR NOT NULL,
    url          VARCHAR NOT NULL,
    status       INTEGER NOT NULL,
    fetched_at   TIMESTAMP NOT NULL,
    elapsed_ms   INTEGER,
    body_bytes   INTEGER NOT NULL,
    body_sha256  VARCHAR NOT NULL,
    body_gzip    BLOB NOT NULL,
    PRIMARY KEY (run_id, seq)
);

-- The version history of every record of every source. A record whose content hash
-- changes gets the next version; the old versions stay. A deletion is a version too.
CREATE TABLE record_versions (
    source        VARCHAR NOT NULL,          -- pubmed, fmnetwork, file
    record_key    VARCHAR NOT NULL,          -- PMID, slug, sha256 prefix
    version       INTEGER NOT NULL,
    content_hash  VARCHAR NOT NULL,
    deleted       BOOLEAN NOT NULL DEFAULT false,
    run_id        VARCHAR NOT NULL,
    loaded_at     TIMESTAMP NOT NULL,
    origin        VARCHAR,                   -- the URL or file it came from
    PRIMARY KEY (source, record_key, version)
);

-- The parsed content of each PubMed record version, nested where PubMed nests.
CREATE TABLE pubmed_article_versions (
    pmid                  VARCHAR NOT NULL,
    version               INTEGER NOT NULL,
    pmid_version          INTEGER,
    kind                  VARCHAR,           -- article, book
    title                 VARCHAR,
    abstract              VARCHAR,
    abstract_sections     STRUCT(label VARCHAR, nlm_category VARCHAR, text VARCHAR)[],
    authors               STRUCT(last_name VARCHAR, fore_name VARCHAR, initials VARCHAR,
                                 collective_name VARCHAR, affiliations VARCHAR[], orcid VARCHAR)[],
    journal_title         VARCHAR,
    journal_iso           VARCHAR,
    issn                  VARCHAR,
    volume                VARCHAR,
    issue                 VARCHAR,
    pages                 VARCHAR,
    pub_year              INTEGER,
    pub_date              DATE,
    pub_date_text         VARCHAR,
    article_date          DATE,
    history               STRUCT(status VARCHAR, date DATE)[],
    languages             VARCHAR[],
    publication_types     VARCHAR[],
    mesh                  STRUCT(descriptor VARCHAR, descriptor_ui VARCHAR, major_topic BOOLEAN,
                                 qualifiers VARCHAR[], major_qualifiers VARCHAR[])[],
    keywords              VARCHAR[],
    chemicals             VARCHAR[],
    article_ids           STRUCT(id_type VARCHAR, value VARCHAR)[],
    comments_corrections  STRUCT(ref_type VARCHAR, ref_source VARCHAR, pmid VARCHAR)[],
    grants                STRUCT(grant_id VARCHAR, acronym VARCHAR, agency VARCHAR, country VARCHAR)[],
    PRIMARY KEY (pmid, version)
);

-- What could not be parsed, whole, with the reason. One row per distinct input.
CREATE TABLE quarantined_inputs (
    source       VARCHAR NOT NULL,
    origin       VARCHAR NOT NULL,
    record_key   VARCHAR,
    reason       VARCHAR NOT NULL,
    raw_sha256   VARCHAR NOT NULL,
    raw          BLOB NOT NULL,
    run_id       VARCHAR NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (source, origin, raw_sha256)
);

-- How far each watch has been read: the newest entrez date a published run covered.
CREATE TABLE watermarks (
    source      VARCHAR NOT NULL,
    watch       VARCHAR NOT NULL,
    query       VARCHAR NOT NULL,
    watermark   DATE NOT NULL,
    run_id      VARCHAR NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (source, watch)
);

-- Staging: a run writes its batches here as they arrive (bounded memory, each batch one
-- commit) and publishes them in one short transaction at the end. A failed or killed run
-- leaves only staging rows, which the next run clears.
CREATE TABLE staged_pubmed_articles AS
    SELECT ''::VARCHAR AS run_id, 0::BIGINT AS seq, ''::VARCHAR AS origin,
           ''::VARCHAR AS content_hash, false AS deleted, * EXCLUDE (version)
    FROM pubmed_article_versions WITH NO DATA;

CREATE TABLE staged_raw_responses AS SELECT * FROM raw_responses WITH NO DATA;

CREATE TABLE staged_quarantine AS SELECT * FROM quarantined_inputs WITH NO DATA;

CREATE TABLE staged_watermarks AS SELECT * FROM watermarks WITH NO DATA;
