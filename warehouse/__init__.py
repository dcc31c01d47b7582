"""The warehouse SQL (migrations, views, queries), shipped inside fmwatch as ``fmwatch.sql``."""
