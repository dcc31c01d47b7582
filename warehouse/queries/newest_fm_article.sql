-- The newest publication time among the FM Network articles held: where feed paging stops.
SELECT max(published_at) FROM fm_articles;
