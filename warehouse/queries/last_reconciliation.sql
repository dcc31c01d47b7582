-- When a watch's full PMID set was last reconciled with the warehouse (for the same query).
SELECT reconciled_on FROM watch_reconciliations WHERE source = $1 AND watch = $2 AND query = $3;
