SELECT source, watch, watermark, run_id, updated_at FROM watermarks ORDER BY source, watch;
