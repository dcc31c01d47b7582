-- A watch's full reconciliation, published by publish_enrichment.sql.
INSERT INTO staged_watch_reconciliations VALUES ($1, $2, $3, $4, $5, $6, $7);
