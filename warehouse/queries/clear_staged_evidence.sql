-- What publish_evidence published leaves staging: in its transaction when staging is in the
-- same database, after its commit when staging is another (a run's or a DuckLake writer's stage).
DELETE FROM staged_evidence;
DELETE FROM staged_flags;
