-- A reference resolved again replaces its earlier link (keyed on (from_record, ref_index); the
-- DuckLake variant is a MERGE, as DuckLake has no keys).
INSERT OR REPLACE INTO citation_links SELECT * FROM publish_citation_links;
