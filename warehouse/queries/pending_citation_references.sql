-- The references behind pending citation links (subjects "fmnetwork:<slug>#<ref_index>"), with
-- what the article says around them, from the article's current version.
WITH pending AS (
    SELECT subject, split_part(subject, '#', 1) AS record_id,
           TRY_CAST(split_part(subject, '#', 2) AS INTEGER) AS ref_index
    FROM pending_enrichment
    WHERE kind = 'citation_link'
)
SELECT p.subject, p.record_id, p.ref_index, a.title, a.body, a.reference_list[p.ref_index + 1] AS reference
FROM pending AS p JOIN fm_articles AS a ON a.record_id = p.record_id
WHERE p.ref_index IS NOT NULL AND p.ref_index < len(a.reference_list)
ORDER BY p.subject;
