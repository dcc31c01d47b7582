INSERT INTO staged_watermarks (source, watch, query, watermark, run_id, updated_at)
VALUES (?, ?, ?, ?, ?, current_timestamp::TIMESTAMP);
