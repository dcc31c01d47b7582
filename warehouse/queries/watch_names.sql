-- The watches that have found records, by name.
SELECT DISTINCT watch FROM watch_record_hits ORDER BY watch;
