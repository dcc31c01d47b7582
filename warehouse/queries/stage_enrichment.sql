-- One enrichment outcome (error NULL: done), published by publish_enrichment.sql.
INSERT INTO staged_enrichment VALUES ($1, $2, $3, $4, $5);
