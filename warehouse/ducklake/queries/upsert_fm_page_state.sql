-- DuckLake variant of queries/upsert_fm_page_state.sql: a MERGE on url (DuckLake has no keys).
MERGE INTO fm_page_state AS p
USING (SELECT * FROM staged_fm_page_state QUALIFY row_number() OVER (PARTITION BY url ORDER BY fetched_at DESC) = 1) AS s
ON p.url = s.url
WHEN MATCHED THEN UPDATE
WHEN NOT MATCHED THEN INSERT;
