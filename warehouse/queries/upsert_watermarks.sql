-- A watch's new watermark replaces its old one (keyed on (source, watch); the DuckLake variant is
-- a MERGE, as DuckLake has no keys).
INSERT OR REPLACE INTO watermarks SELECT * FROM staged_watermarks;
