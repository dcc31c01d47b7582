-- A watch's latest full reconciliation replaces the previous one (keyed on (source, watch); the
-- DuckLake variant is a MERGE, as DuckLake has no keys).
INSERT OR REPLACE INTO watch_reconciliations SELECT * FROM staged_watch_reconciliations;
