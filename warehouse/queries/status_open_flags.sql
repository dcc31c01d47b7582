-- Open flags for `fmwatch status`: what editors have still to settle (new or seen; not dismissed,
-- not withdrawn), by priority (1 most urgent), with a total row (priority empty).
SELECT priority,
       count(*) FILTER (WHERE state = 'new')  AS new,
       count(*) FILTER (WHERE state = 'seen') AS seen,
       count(*)                               AS open
FROM flags
WHERE state IN ('new', 'seen')
GROUP BY ROLLUP (priority)
ORDER BY priority NULLS LAST;
