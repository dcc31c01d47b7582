-- The pending enrichment of one kind ($1), oldest first.
SELECT subject FROM pending_enrichment WHERE kind = $1 ORDER BY first_failed_at, subject;
