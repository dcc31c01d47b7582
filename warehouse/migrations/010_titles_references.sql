-- 010 (issue 13): what the parsers now read and the warehouse must keep.
--   vernacular_title  the title in the article's own language (VernacularTitle, MEDLINE TT);
--   english_title     the English title when it is a placeholder ("[Not Available].") and `title`
--                     shows the vernacular one instead, as PubMed does; otherwise NULL;
--   reference_list    the record's reference list (PubmedData/ReferenceList, a book's ReferenceList):
--                     the citation as printed and the ids NCBI linked it to.
ALTER TABLE pubmed_article_versions ADD COLUMN vernacular_title VARCHAR;
ALTER TABLE pubmed_article_versions ADD COLUMN english_title VARCHAR;
ALTER TABLE pubmed_article_versions ADD COLUMN reference_list
    STRUCT(citation VARCHAR, pmid VARCHAR, doi VARCHAR, pmcid VARCHAR)[];

ALTER TABLE staged_pubmed_articles ADD COLUMN vernacular_title VARCHAR;
ALTER TABLE staged_pubmed_articles ADD COLUMN english_title VARCHAR;
ALTER TABLE staged_pubmed_articles ADD COLUMN reference_list
    STRUCT(citation VARCHAR, pmid VARCHAR, doi VARCHAR, pmcid VARCHAR)[];
