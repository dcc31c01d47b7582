-- DuckLake: schema_version.applied_at has no default there (DuckLake keeps literal defaults only).
INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, current_timestamp::TIMESTAMP);
