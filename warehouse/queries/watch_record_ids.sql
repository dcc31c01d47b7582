-- The record_ids a watch has found (`fmwatch feed --watch`): $1 source, $2 watch name.
SELECT record_id FROM watch_records WHERE source = $1 AND watch = $2;
