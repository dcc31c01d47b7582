-- (records written, deletions) of the file in mirror_incoming.
SELECT count(*) FILTER (WHERE NOT deleted), count(*) FILTER (WHERE deleted) FROM mirror_incoming;
