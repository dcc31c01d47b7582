-- The bulk files already ingested.
SELECT name FROM mirror_files;
