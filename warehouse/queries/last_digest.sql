-- Where the next scheduled digest starts: the end of the last *scheduled* one (previews, made
-- with --since or --week, never move it).
SELECT max(window_end) FROM digest_log WHERE kind = 'scheduled';
