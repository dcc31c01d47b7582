-- One line of a run's report, published by publish_enrichment.sql.
INSERT INTO staged_run_notes VALUES ($1, $2, $3, $4, $5);
