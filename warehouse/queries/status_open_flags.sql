-- Open flags for `fmwatch status`: what editors have still to settle (new or seen; not dismissed,
-- not withdrawn), by priority (1 most urgent), then a row "total". No open flag: no row at all (a
-- ROLLUP over no rows still makes its grand-total row, which showed as an empty line of zeros).
SELECT CASE WHEN grouping(priority) = 1 THEN 'total' ELSE CAST(priority AS VARCHAR) END AS priority,
       count(*) FILTER (WHERE state = 'new')  AS new,
       count(*) FILTER (WHERE state = 'seen') AS seen,
       count(*)                               AS open
FROM flags
WHERE state IN ('new', 'seen')
GROUP BY ROLLUP (priority)
HAVING count(*) > 0
ORDER BY grouping(priority), flags.priority;
