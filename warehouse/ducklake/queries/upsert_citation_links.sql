-- DuckLake variant of queries/upsert_citation_links.sql: a MERGE on (from_record, ref_index).
MERGE INTO citation_links AS c
USING publish_citation_links AS s
ON c.from_record = s.from_record AND c.ref_index = s.ref_index
WHEN MATCHED THEN UPDATE
WHEN NOT MATCHED THEN INSERT;
