-- 004: the weekly digests, and when each flag was last raised (what a digest window selects on).
ALTER TABLE flags ADD COLUMN raised_at TIMESTAMP;
UPDATE flags SET raised_at = updated_at;

CREATE TABLE digest_log (
    digest_id     VARCHAR PRIMARY KEY,
    created_at    TIMESTAMP NOT NULL,
    window_start  TIMESTAMP,
    window_end    TIMESTAMP NOT NULL,
    items         INTEGER NOT NULL,
    html          VARCHAR NOT NULL,
    markdown      VARCHAR NOT NULL
);
