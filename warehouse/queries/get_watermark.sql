SELECT watermark FROM watermarks WHERE source = ? AND watch = ? AND query = ?;
