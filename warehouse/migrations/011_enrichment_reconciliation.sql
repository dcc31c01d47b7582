-- 011 (issue 13): enrichment that can wait, full reconciliations, and what a run reports.

-- Look-ups that enrich records but are not needed to publish them (ELink citedin, citation
-- linking, fetching cited records), failed after their retries. The next run retries each; one
-- that succeeds leaves this table. `fmwatch status` lists what is still pending.
CREATE TABLE pending_enrichment (
    kind              VARCHAR NOT NULL,   -- elink_citedin, citation_link, fetch_cited
    subject           VARCHAR NOT NULL,   -- a reference study's PMID; fmnetwork:<slug>#<ref_index>; a PMID
    error             VARCHAR,
    attempts          INTEGER NOT NULL,   -- runs that tried and failed
    first_failed_run  VARCHAR NOT NULL,
    last_failed_run   VARCHAR NOT NULL,
    first_failed_at   TIMESTAMP NOT NULL,
    last_failed_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, subject)
);

CREATE TABLE staged_enrichment (
    kind       VARCHAR NOT NULL,
    subject    VARCHAR NOT NULL,
    error      VARCHAR,                   -- NULL: done (leaves pending_enrichment)
    run_id     VARCHAR NOT NULL,
    staged_at  TIMESTAMP NOT NULL
);

-- When each watch's full PMID set was last compared with the warehouse (the periodic full
-- reconciliation), and what it found missing.
CREATE TABLE watch_reconciliations (
    source         VARCHAR NOT NULL,
    watch          VARCHAR NOT NULL,
    query          VARCHAR NOT NULL,
    reconciled_on  DATE NOT NULL,
    matched        INTEGER NOT NULL,      -- PMIDs the query matches
    missing        INTEGER NOT NULL,      -- of those, not in the warehouse before this run
    run_id         VARCHAR NOT NULL,
    PRIMARY KEY (source, watch)
);

CREATE TABLE staged_watch_reconciliations AS SELECT * FROM watch_reconciliations WITH NO DATA;

-- What a run reports besides its counts: a watch that failed (its watermark stayed) and enrichment
-- that is pending. One row per note.
CREATE TABLE run_notes (
    run_id      VARCHAR NOT NULL,
    level       VARCHAR NOT NULL,         -- error (a watch failed), warning (enrichment pending)
    subject     VARCHAR NOT NULL,         -- watch <name>, elink_citedin, ...
    message     VARCHAR NOT NULL,
    created_at  TIMESTAMP NOT NULL
);

CREATE TABLE staged_run_notes AS SELECT * FROM run_notes WITH NO DATA;
