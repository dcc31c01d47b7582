-- The last fetch of each page a run staged replaces the page's state (keyed on url; DuckLake's
-- variant is a MERGE, as DuckLake has no keys).
INSERT OR REPLACE INTO fm_page_state
SELECT * FROM staged_fm_page_state QUALIFY row_number() OVER (PARTITION BY url ORDER BY fetched_at DESC) = 1;
