-- The evidence records in columns, for the current version of each record.

CREATE OR REPLACE VIEW current_evidence AS
SELECT e.* FROM evidence_records AS e
JOIN record_heads AS h ON e.record_id = h.source || ':' || h.record_key AND e.version = h.version
WHERE NOT h.deleted;

-- One row per record: design, population, duration, topics.
CREATE OR REPLACE VIEW trials AS
SELECT record_id, version, source,
       record->>'$.title'                                  AS title,
       record->>'$.pmid'                                   AS pmid,
       record->>'$.design.type'                            AS design_type,
       (record->'$.design.randomized')::BOOLEAN            AS randomized,
       record->>'$.design.blinding'                        AS blinding,
       (record->'$.design.placebo_controlled')::BOOLEAN    AS placebo_controlled,
       (record->'$.design.crossover')::BOOLEAN             AS crossover,
       (record->'$.design.pilot')::BOOLEAN                 AS pilot,
       (record->'$.population.n_enrolled')::INTEGER        AS n_enrolled,
       (record->'$.population.n_analyzed')::INTEGER        AS n_analyzed,
       (record->'$.population.n_controls')::INTEGER        AS n_controls,
       record->>'$.population.sex'                         AS sex,
       record->>'$.population.condition'                   AS condition,
       (record->'$.duration_weeks')::DOUBLE                AS duration_weeks,
       (record->'$.topics.fibromyalgia')::BOOLEAN          AS topic_fibromyalgia,
       (record->'$.topics.magnesium')::BOOLEAN             AS topic_magnesium,
       (record->'$.topics.amitriptyline')::BOOLEAN         AS topic_amitriptyline,
       extractor, extracted_at
FROM current_evidence;

CREATE OR REPLACE VIEW trial_arms AS
SELECT record_id, version, arm_index, arm.label, arm.n, arm.is_control, len(arm.interventions) AS interventions
FROM (
    SELECT record_id, version,
           unnest(from_json(record->'$.arms', '[{"label":"VARCHAR","n":"INTEGER","is_control":"BOOLEAN","interventions":"JSON[]"}]')) AS arm,
           generate_subscripts(from_json(record->'$.arms', '["JSON"]'), 1) AS arm_index
    FROM current_evidence
);

CREATE OR REPLACE VIEW interventions AS
SELECT record_id, version, arm_index, arm_label, i.name, i.substance, i.form, i.dose_mg, i.daily_dose_mg,
       i.frequency_per_day, i.route, i.dose_text, i.evidence[1].text AS evidence_text,
       coalesce(i.background, false) AS background  -- taken in every arm (an add-on trial's base drug)
FROM (
    SELECT record_id, version, arm_index, arm.label AS arm_label,
           unnest(from_json(arm.interventions::JSON, '[{"name":"VARCHAR","substance":"VARCHAR","form":"VARCHAR","dose_mg":"DOUBLE","daily_dose_mg":"DOUBLE","frequency_per_day":"DOUBLE","route":"VARCHAR","dose_text":"VARCHAR","evidence":[{"text":"VARCHAR","start":"INTEGER","end":"INTEGER","field":"VARCHAR"}],"background":"BOOLEAN"}]')) AS i
    FROM (
        SELECT record_id, version,
               unnest(from_json(record->'$.arms', '[{"label":"VARCHAR","interventions":"JSON"}]')) AS arm,
               generate_subscripts(from_json(record->'$.arms', '["JSON"]'), 1) AS arm_index
        FROM current_evidence
    )
);

CREATE OR REPLACE VIEW outcomes AS
SELECT record_id, version, o.measure, o.label, o.arm, o.direction, o.significant, o.p_value,
       o.evidence[len(o.evidence)].text AS evidence_sentence
FROM (
    SELECT record_id, version,
           unnest(from_json(record->'$.outcomes', '[{"measure":"VARCHAR","label":"VARCHAR","arm":"VARCHAR","direction":"VARCHAR","significant":"BOOLEAN","p_value":"DOUBLE","evidence":[{"text":"VARCHAR"}]}]')) AS o
    FROM current_evidence
);

CREATE OR REPLACE VIEW magnesium_levels AS
SELECT record_id, version, m.compartment, m.fm_vs_controls, m.correlation_with_symptoms,
       m.evidence[len(m.evidence)].text AS evidence_sentence
FROM (
    SELECT record_id, version,
           unnest(from_json(record->'$.magnesium_levels', '[{"compartment":"VARCHAR","fm_vs_controls":"VARCHAR","correlation_with_symptoms":"VARCHAR","evidence":[{"text":"VARCHAR"}]}]')) AS m
    FROM current_evidence
);

-- The flags editors triage, most important first.
CREATE OR REPLACE VIEW evidence_flags AS
SELECT record_id, version, claim, relation, novelty, priority, reason, state, first_seen_run,
       flag_key, flag_type, state_reason, state_changed_at, last_raised_run, raised_count, evidence, updated_at
FROM flags
ORDER BY priority, updated_at DESC;

-- Per claim and publication year: how many records support, contradict or are mixed on it.
CREATE OR REPLACE VIEW claim_ledger AS
SELECT c.claim, coalesce(a.pub_year, year(f.published_at)) AS year,
       count(*) FILTER (WHERE c.relation = 'supports')    AS supports,
       count(*) FILTER (WHERE c.relation = 'contradicts') AS contradicts,
       count(*) FILTER (WHERE c.relation = 'mixed')       AS mixed,
       count(*) FILTER (WHERE c.relation = 'related')     AS related
FROM (
    SELECT record_id, unnest(from_json(record->'$.claims', '[{"claim":"VARCHAR","relation":"VARCHAR"}]')) AS j
    FROM current_evidence
) AS x(record_id, c)
LEFT JOIN articles AS a ON x.record_id = 'pubmed:' || a.pmid
LEFT JOIN fm_articles AS f ON x.record_id = f.record_id
GROUP BY ALL
ORDER BY c.claim, year;
