-- Stage PubMed rows that worker processes wrote as Parquet files (issue 15b): one set-based
-- INSERT, read straight from the files, so the publisher never holds the rows in Python.
INSERT INTO staged_pubmed_articles BY NAME SELECT * FROM read_parquet($1);
