-- 020: scheduled digests and previews. Only a scheduled digest moves the "since the last digest"
-- mark (queries/last_digest.sql); an ad-hoc --since/--week digest is a preview, kept for the record.
-- Each digest row names its period and the files it was written to: a row exists only once
-- its files do (pipeline.make_digest writes the files first, then records them).
ALTER TABLE digest_log ADD COLUMN kind VARCHAR DEFAULT 'scheduled';   -- scheduled, preview
ALTER TABLE digest_log ADD COLUMN period VARCHAR;                      -- 2026-W48, 2026-11-23--2026-11-30
ALTER TABLE digest_log ADD COLUMN html_path VARCHAR;
ALTER TABLE digest_log ADD COLUMN markdown_path VARCHAR;
ALTER TABLE digest_log ADD COLUMN baseline_items INTEGER DEFAULT 0;    -- of `items`, how many were backlog
