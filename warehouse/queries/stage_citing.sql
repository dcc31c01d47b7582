INSERT INTO staged_citing_links (reference_pmid, citing_pmid, run_id, found_at)
VALUES (?, ?, ?, current_timestamp::TIMESTAMP);
