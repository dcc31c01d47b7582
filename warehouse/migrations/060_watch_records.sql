-- 060 (polish): which watch found which PubMed record, so a feed (or an analyst) can follow one
-- watch. A PMID two watches match is recorded for both, even though the run fetched it once.
-- One row per (source, watch, PMID): the run that first found it and when; reruns add nothing.
CREATE TABLE watch_record_hits (
    source         VARCHAR NOT NULL,      -- pubmed
    watch          VARCHAR NOT NULL,      -- the watch's name (fmwatch.toml [[watch]] name)
    pmid           VARCHAR NOT NULL,
    first_run_id   VARCHAR NOT NULL,
    first_seen_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (source, watch, pmid)
);

-- What this run's watches found, published with the run (queries/publish_common.sql).
CREATE TABLE staged_watch_record_hits (
    source         VARCHAR NOT NULL,
    watch          VARCHAR NOT NULL,
    pmid           VARCHAR NOT NULL,
    first_run_id   VARCHAR NOT NULL,
    first_seen_at  TIMESTAMP NOT NULL
);
