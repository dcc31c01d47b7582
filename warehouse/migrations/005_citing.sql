-- 005: which PubMed records cite a reference study (ELink pubmed_pubmed_citedin, live runs).
CREATE TABLE citing_links (
    reference_pmid  VARCHAR NOT NULL,
    citing_pmid     VARCHAR NOT NULL,
    run_id          VARCHAR NOT NULL,
    found_at        TIMESTAMP NOT NULL,
    PRIMARY KEY (reference_pmid, citing_pmid)
);

CREATE TABLE staged_citing_links AS SELECT * FROM citing_links WITH NO DATA;
