-- What the publish step just merged, for the run's summary and the runs table.
SELECT
    (SELECT count(*) FROM publish_pubmed) + (SELECT count(*) FROM publish_fm)          AS versions_new,
    (SELECT count(*) FROM publish_pubmed WHERE is_new_key)
        + (SELECT count(*) FROM publish_fm WHERE is_new_key)                            AS records_new,
    (SELECT count(*) FROM publish_pubmed WHERE deleted)                                 AS deletions,
    (SELECT count(*) FROM publish_quarantine)                                           AS quarantined,
    (SELECT count(*) FROM staged_raw_responses)                                         AS responses,
    (SELECT count(DISTINCT pmid) FROM staged_pubmed_articles)
        + (SELECT count(DISTINCT slug) FROM staged_fm_articles)                         AS records_seen;
