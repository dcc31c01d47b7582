-- Fibromyalgia Network articles and the citations they print.

-- One row per article, its current version.
CREATE OR REPLACE VIEW fm_articles AS
SELECT a.url, a.slug, a.title, a.author, a.published_at, a.modified_at, a.categories, a.tags,
       a.comment_count, a.body, a.version,
       'fmnetwork:' || a.slug AS record_id,
       a.generation, a.reference_list, a.mentions, h.first_loaded_at, h.last_loaded_at
FROM fm_article_versions AS a
JOIN record_heads AS h ON h.source = 'fmnetwork' AND h.record_key = a.slug AND h.version = a.version;

-- One row per saved article page from another site (`fmwatch import` of a news or blog page, read by
-- trafilatura), its current version: record_id 'file:<page key>' (the sha256 prefix of the page's
-- URL, sources/article_page.py page_key), site (the site's name), and fm_articles' columns. These are
-- not Fibromyalgia Network articles, so fm_articles leaves them out. (Pages imported before session
-- 23 were given 'fmnetwork:<site>-<segment>' ids and stay in fm_articles, with generation 'page'.)
CREATE OR REPLACE VIEW saved_pages AS
SELECT 'file:' || a.slug AS record_id, a.url, a.categories[1] AS site, a.title, a.author, a.published_at,
       a.modified_at, a.categories, a.tags, a.comment_count, a.body, a.version,
       a.slug AS page_key, a.generation, h.first_loaded_at, h.last_loaded_at
FROM fm_article_versions AS a
JOIN record_heads AS h ON h.source = 'file' AND h.record_key = a.slug AND h.version = a.version;

-- Every article read from a web page, the Network's and the saved pages (the queries' one source
-- for lay articles: evidence, digest, flags, exports); `slug` is a saved page's page key.
CREATE OR REPLACE VIEW web_articles AS
SELECT url, slug, title, author, published_at, modified_at, categories, tags, comment_count, body, version,
       record_id, generation, first_loaded_at, last_loaded_at
FROM fm_articles
UNION ALL
SELECT url, page_key, title, author, published_at, modified_at, categories, tags, comment_count, body, version,
       record_id, generation, first_loaded_at, last_loaded_at
FROM saved_pages;

-- One row per reference an article prints, with the PubMed record it was linked to.
CREATE OR REPLACE VIEW citations AS
SELECT from_record, raw_text, first_author, journal, year, pmid, method, confidence,
       ref_index, ref_date, volume, pages, note, candidates, resolved_at
FROM citation_links;
