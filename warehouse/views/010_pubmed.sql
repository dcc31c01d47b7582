-- Analyst-facing views over PubMed records. Stable names; columns may be added, never renamed.

-- The newest version of every record of every source (a deletion is a version too).
CREATE OR REPLACE VIEW record_heads AS
SELECT source, record_key, max(version) AS version,
       arg_max(deleted, version) AS deleted, arg_max(content_hash, version) AS content_hash,
       min(loaded_at) AS first_loaded_at, max(loaded_at) AS last_loaded_at
FROM record_versions
GROUP BY source, record_key;

-- One row per PubMed article, its current version; withdrawn (deleted) PMIDs are left out.
CREATE OR REPLACE VIEW articles AS
SELECT
    a.pmid,
    a.version,
    a.title,
    a.abstract,
    coalesce(a.journal_iso, a.journal_title)                                   AS journal,
    a.pub_year,
    a.pub_date,
    [i.value FOR i IN a.article_ids IF i.id_type = 'doi'][1]                   AS doi,
    [i.value FOR i IN a.article_ids IF i.id_type = 'pmc'][1]                   AS pmcid,
    a.languages[1]                                                              AS language,
    a.publication_types,
    [m.descriptor FOR m IN a.mesh]                                              AS mesh_terms,
    a.keywords,
    [h.date FOR h IN a.history IF h.status = 'entrez'][1]                      AS entrez_date,
    list_contains(a.publication_types, 'Retracted Publication')
        OR len([c FOR c IN a.comments_corrections IF c.ref_type = 'RetractionIn']) > 0
                                                                                AS is_retracted,
    'https://pubmed.ncbi.nlm.nih.gov/' || a.pmid || '/'                         AS url,
    a.journal_title,
    a.volume,
    a.issue,
    a.pages,
    a.pub_date_text,
    a.article_date,
    a.kind,
    a.chemicals,
    a.comments_corrections,
    a.grants,
    h.first_loaded_at,
    h.last_loaded_at,
    a.vernacular_title,
    a.english_title,
    -- what the record cites: its reference list and its "Cites" comments/corrections
    list_distinct(list_concat([r.pmid FOR r IN coalesce(a.reference_list, []) IF r.pmid IS NOT NULL],
                              [c.pmid FOR c IN a.comments_corrections IF c.ref_type = 'Cites' AND c.pmid IS NOT NULL]))
                                                                                AS cited_pmids
FROM pubmed_article_versions AS a
JOIN record_heads AS h ON h.source = 'pubmed' AND h.record_key = a.pmid AND h.version = a.version;

-- Every version ever loaded, for "what changed" questions.
CREATE OR REPLACE VIEW article_versions AS
SELECT v.record_key AS pmid, v.version, v.deleted, v.content_hash, v.run_id, v.loaded_at, v.origin,
       a.title, a.abstract
FROM record_versions AS v
LEFT JOIN pubmed_article_versions AS a ON a.pmid = v.record_key AND a.version = v.version
WHERE v.source = 'pubmed';

-- One row per author of a current article, in author order.
CREATE OR REPLACE VIEW article_authors AS
SELECT pmid, version, position, author.last_name, author.fore_name, author.initials,
       author.collective_name, author.affiliations, author.orcid
FROM (
    SELECT a.pmid, a.version, unnest(a.authors) AS author, generate_subscripts(a.authors, 1) AS position
    FROM pubmed_article_versions AS a JOIN articles AS x ON x.pmid = a.pmid AND x.version = a.version
);

-- One row per MeSH heading of a current article.
CREATE OR REPLACE VIEW article_mesh AS
SELECT pmid, version, m.descriptor, m.descriptor_ui, m.major_topic, m.qualifiers, m.major_qualifiers
FROM (
    SELECT a.pmid, a.version, unnest(a.mesh) AS m
    FROM pubmed_article_versions AS a JOIN articles AS x ON x.pmid = a.pmid AND x.version = a.version
);

-- One row per entry of a current article's reference list, in list order (issue 13).
CREATE OR REPLACE VIEW article_references AS
SELECT pmid, version, position, ref.citation, ref.pmid AS cited_pmid, ref.doi AS cited_doi, ref.pmcid AS cited_pmcid
FROM (
    SELECT a.pmid, a.version, unnest(a.reference_list) AS ref, generate_subscripts(a.reference_list, 1) AS position
    FROM pubmed_article_versions AS a JOIN articles AS x ON x.pmid = a.pmid AND x.version = a.version
);
