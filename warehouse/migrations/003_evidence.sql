-- 003: what the extractor and the evidence stage make of each record version, and the flags
-- editors triage. The evidence record is kept whole as JSON (the contract's shape); the views
-- in views/030_evidence.sql lay it out in columns.

CREATE TABLE evidence_records (
    record_id     VARCHAR NOT NULL,          -- pubmed:<PMID>, fmnetwork:<slug>
    version       INTEGER NOT NULL,
    source        VARCHAR NOT NULL,
    extractor     VARCHAR NOT NULL,          -- the extractor's version: reextract replaces older ones
    extracted_at  TIMESTAMP NOT NULL,
    run_id        VARCHAR NOT NULL,
    record        JSON NOT NULL,
    PRIMARY KEY (record_id, version)
);

-- One row per record and flag key (a claim id, or a flag type for flags about no claim).
-- The editor's state survives new versions; a changed judgement raises the flag again.
CREATE TABLE flags (
    record_id        VARCHAR NOT NULL,
    flag_key         VARCHAR NOT NULL,
    version          INTEGER NOT NULL,       -- the record version last judged
    flag_type        VARCHAR NOT NULL,       -- contradicts_claim, retraction, new_trial, new_levels_study, review, fm_coverage, cites_reference, related
    claim            VARCHAR,
    relation         VARCHAR,
    novelty          VARCHAR[],
    priority         INTEGER NOT NULL,       -- 1 first
    reason           VARCHAR,
    evidence         JSON,
    judgement_hash   VARCHAR NOT NULL,
    state            VARCHAR NOT NULL,       -- new, seen, dismissed
    state_reason     VARCHAR,
    state_changed_at TIMESTAMP,
    first_seen_run   VARCHAR NOT NULL,
    last_raised_run  VARCHAR NOT NULL,
    raised_count     INTEGER NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    PRIMARY KEY (record_id, flag_key)
);

CREATE TABLE staged_evidence AS SELECT * FROM evidence_records WITH NO DATA;

CREATE TABLE staged_flags AS
    SELECT record_id, flag_key, version, flag_type, claim, relation, novelty, priority, reason, evidence,
           judgement_hash, first_seen_run AS run_id
    FROM flags WITH NO DATA;
