-- One bulk file's parsed rows (Parquet written by the parse worker), the last of each PMID in
-- the file kept (by seq: file order). A DeleteCitation is a row with deleted = true.
CREATE OR REPLACE TEMP TABLE mirror_incoming AS
SELECT * EXCLUDE (run_id, seq), $2::VARCHAR AS mirror_file
FROM read_parquet($1)
QUALIFY row_number() OVER (PARTITION BY pmid ORDER BY seq DESC) = 1;
