-- `fmwatch export --parquet DIR`: one analyst view as a Parquet file. {view} is one of the stable
-- view names (fmwatch.cli.PARQUET_VIEWS), {path} the target file, quoted by the caller.
COPY (SELECT * FROM {view}) TO {path} (FORMAT parquet, COMPRESSION zstd);
