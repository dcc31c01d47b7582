-- Headline counts for `fmwatch status`.
SELECT
    (SELECT count(*) FROM articles)                                        AS articles,
    (SELECT count(*) FROM record_versions)                                 AS record_versions,
    (SELECT count(*) FROM record_heads WHERE deleted)                      AS deleted_records,
    (SELECT count(*) FROM quarantine)                                      AS quarantined_inputs,
    (SELECT count(*) FROM raw_responses)                                   AS raw_responses;
