SELECT max(window_end) FROM digest_log;
