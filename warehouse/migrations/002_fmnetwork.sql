-- 002: Fibromyalgia Network articles, the validators of every fetched page, and the links
-- from the references articles print to PubMed records.

CREATE TABLE fm_article_versions (
    slug            VARCHAR NOT NULL,
    version         INTEGER NOT NULL,
    url             VARCHAR,
    title           VARCHAR NOT NULL,
    author          VARCHAR,
    published_at    TIMESTAMP,
    modified_at     TIMESTAMP,
    categories      VARCHAR[],
    tags            VARCHAR[],
    comment_count   INTEGER,                 -- as of this version
    body            VARCHAR NOT NULL,
    generation      VARCHAR,                 -- wordpress, php, print
    reference_list  STRUCT(raw_text VARCHAR, first_author VARCHAR, first_author_initials VARCHAR,
                           journal VARCHAR, journal_raw VARCHAR, year INTEGER, date DATE,
                           epub_ahead_of_print BOOLEAN, volume VARCHAR, issue VARCHAR, pages VARCHAR)[],
    mentions        STRUCT(text VARCHAR, surname VARCHAR, place VARCHAR)[],
    PRIMARY KEY (slug, version)
);

-- One row per page URL: what a conditional GET sends next time.
CREATE TABLE fm_page_state (
    url             VARCHAR PRIMARY KEY,
    etag            VARCHAR,
    last_modified   VARCHAR,
    content_sha256  VARCHAR,
    status          INTEGER,
    fetched_at      TIMESTAMP NOT NULL,
    run_id          VARCHAR NOT NULL
);

-- One row per reference of an article: the PMID it resolved to, how, and how sure.
CREATE TABLE citation_links (
    from_record     VARCHAR NOT NULL,        -- fmnetwork:<slug>
    ref_index       INTEGER NOT NULL,
    raw_text        VARCHAR NOT NULL,
    first_author    VARCHAR,
    journal         VARCHAR,
    year            INTEGER,
    ref_date        DATE,
    volume          VARCHAR,
    pages           VARCHAR,
    pmid            VARCHAR,                 -- null: unresolved
    method          VARCHAR NOT NULL,        -- ecitmatch, esearch, esearch+title, unresolved
    confidence      DOUBLE NOT NULL,
    note            VARCHAR,
    candidates      VARCHAR[],
    run_id          VARCHAR NOT NULL,
    resolved_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (from_record, ref_index)
);

CREATE TABLE staged_fm_articles AS
    SELECT ''::VARCHAR AS run_id, 0::BIGINT AS seq, ''::VARCHAR AS origin, ''::VARCHAR AS content_hash,
           * EXCLUDE (version)
    FROM fm_article_versions WITH NO DATA;

CREATE TABLE staged_fm_page_state AS SELECT * FROM fm_page_state WITH NO DATA;

CREATE TABLE staged_citations AS SELECT * FROM citation_links WITH NO DATA;
