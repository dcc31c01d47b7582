-- New flags at or above a priority ($1: 1 = contradicting evidence only), for notifications.
SELECT record_id, claim, relation, priority, reason FROM flags
WHERE state = 'new' AND priority <= $1
ORDER BY priority, record_id;
