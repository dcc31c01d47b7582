-- The digest's summary line: new record versions in the window, by source.
SELECT source, count(*) AS versions
FROM record_versions
WHERE ($1 IS NULL OR loaded_at > $1) AND loaded_at <= $2
GROUP BY source ORDER BY source;
