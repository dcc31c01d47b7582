-- Fibromyalgia Network articles and the citations they print.

-- One row per article, its current version.
CREATE OR REPLACE VIEW fm_articles AS
SELECT a.url, a.slug, a.title, a.author, a.published_at, a.modified_at, a.categories, a.tags,
       a.comment_count, a.body, a.version,
       'fmnetwork:' || a.slug AS record_id,
       a.generation, a.reference_list, a.mentions, h.first_loaded_at, h.last_loaded_at
FROM fm_article_versions AS a
JOIN record_heads AS h ON h.source = 'fmnetwork' AND h.record_key = a.slug AND h.version = a.version;

-- One row per reference an article prints, with the PubMed record it was linked to.
CREATE OR REPLACE VIEW citations AS
SELECT from_record, raw_text, first_author, journal, year, pmid, method, confidence,
       ref_index, ref_date, volume, pages, note, candidates, resolved_at
FROM citation_links;
