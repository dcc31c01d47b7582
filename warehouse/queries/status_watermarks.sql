-- The watermark of each source and watch, for `fmwatch status` (times to the second).
SELECT source, watch, watermark, run_id, date_trunc('second', updated_at) AS updated_at
FROM watermarks ORDER BY source, watch;
