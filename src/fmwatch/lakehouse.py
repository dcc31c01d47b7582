"""DuckLake: the warehouse a team shares (catalog in PostgreSQL, data as Parquet files).

A DuckLake is named by ``db = "ducklake:postgres:dbname=fmwatch host=db.example.org user=fmwatch"``
(any catalog DuckLake accepts after ``ducklake:``); ``ducklake_data_path`` says where a new lake
writes its Parquet files (a local folder or ``s3://bucket/prefix/``; the catalog remembers it).

The ``ducklake``, ``postgres_scanner`` and ``httpfs`` extensions come from the PyPI packages
``duckdb-extension-ducklake``, ``-postgres-scanner`` and ``-httpfs`` built for the DuckDB
version fmwatch pins (the ``lakehouse`` extra), and are loaded from those files: nothing is
downloaded at run time, and DuckDB's automatic install and load of extensions are off.

The same migrations, views and queries run on both backends. Where DuckLake lacks a feature the
SQL uses, the difference is made here, by a stated rule, or by a variant file under
``warehouse/ducklake/``:

- PRIMARY KEY and UNIQUE constraints: DuckLake supports NOT NULL only. The keys are left out of
  the DDL; uniqueness is kept by the publish queries, which already merge on those keys (the
  ``ducklake/`` variants replace ``INSERT OR REPLACE`` and ``ON CONFLICT``, which need a key,
  with ``MERGE INTO``).
- Defaults that are not literals (``DEFAULT current_timestamp``): left out; the one insert that
  relied on it has a variant that gives the time.
- ``RETURNING`` on ``UPDATE``: not supported; the triage query counts the rows it changed instead
  (on both backends).
- Sequences and indexes: the schema uses none.

Parquet files on S3-compatible storage (``ducklake_data_path = "s3://..."``) take their
credentials from the AWS SDK's variables (``s3_secret_from_environment``).

- Staging tables: not in the lake at all. Each writer stages into a local DuckDB file of its own
  (``attach_staging``) and publishes from it into the lake in one transaction.

One writer at a time: a writer holds a PostgreSQL advisory lock for as long as it has the lake
open (``acquire_writer_lock``), as DuckDB's file lock does for the embedded warehouse. A run holds
it only to publish; while it fetches it reads the lake read-only and stages apart, holding the run
lock (``acquire_run_lock``, another advisory key), which keeps out other runs but not triage.

Guarantees: one publish is one DuckLake transaction, so one snapshot of the lake; readers
(other processes, other machines) attach the same catalog and read a consistent snapshot while a
run writes; versioning and idempotent reruns come from the same publish SQL as on DuckDB.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
import uuid
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

import duckdb

PREFIX = "ducklake:"
CATALOG = "lake"  # the name the lake is attached under
STAGE = "stage"  # a writer's own staging database (attach_staging)
# The advisory lock key of "the lake's writer" in its catalog database (any fixed bigint).
WRITER_LOCK_KEY = 0x666D7761746368  # "fmwatch" in ASCII
RUN_LOCK_KEY = 0x666D7761746372  # the run lock (acquire_run_lock): "fmwatcr"

# (module of the PyPI package, extension name): loaded in this order (DuckLake's catalog needs postgres;
# httpfs reads and writes Parquet files on S3-compatible storage).
EXTENSIONS = (("duckdb_extension_postgres_scanner", "postgres_scanner"), ("duckdb_extension_httpfs", "httpfs"),
              ("duckdb_extension_ducklake", "ducklake"))


class LakehouseError(RuntimeError):
    """The DuckLake cannot be reached or its extensions are not installed; the message says what to do."""


def is_ducklake(db: str) -> bool:
    """Whether a ``db`` setting names a DuckLake (``ducklake:...``) rather than a DuckDB file."""
    return str(db).startswith(PREFIX)


def extension_path(module: str, name: str) -> Path:
    """The ``.duckdb_extension`` file a PyPI extension package ships for the running DuckDB.

    Raises LakehouseError when the package is missing or was built for another DuckDB version.
    """
    try:
        root = resources.files(module)
    except ModuleNotFoundError:
        raise LakehouseError(
            f"the DuckDB extension {name!r} is not installed: pip install 'fmwatch[lakehouse]' "
            f"(the package {module.replace('_', '-')}=={duckdb.__version__})") from None
    path = Path(str(root.joinpath("extensions", f"v{duckdb.__version__}", f"{name}.duckdb_extension")))
    if not path.is_file():
        raise LakehouseError(f"{module.replace('_', '-')} has no {name} extension for DuckDB {duckdb.__version__} "
                             f"(expected {path}); install the version matching duckdb=={duckdb.__version__}")
    return path


def connect(db: str, *, data_path: str | None, read_only: bool, memory_limit: str) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the lake ``db`` attached as ``lake`` and in use.

    ``data_path``: where a new lake writes its Parquet files (ignored by an existing lake, whose
    catalog remembers its own). Raises LakehouseError when the catalog cannot be reached.
    """
    con = duckdb.connect(":memory:", config={
        "memory_limit": memory_limit, "preserve_insertion_order": False,
        # Nothing from the network: the extensions are the files the PyPI packages installed.
        "autoinstall_known_extensions": False, "autoload_known_extensions": False,
    })
    try:
        for module, name in EXTENSIONS:
            con.execute(f"LOAD {_literal(str(extension_path(module, name)))}")
        s3_secret = s3_secret_from_environment()
        if s3_secret:
            con.execute(s3_secret)
        options = ["READ_ONLY"] if read_only else []
        if data_path:
            options.append(f"DATA_PATH {_literal(str(data_path))}")
        attach = f"ATTACH {_literal(db)} AS {CATALOG}" + (f" ({', '.join(options)})" if options else "")
        try:
            con.execute(attach)
        except duckdb.Error as error:
            raise LakehouseError(f"cannot attach the DuckLake {redact(db)}: {str(error).splitlines()[0]}. "
                                 "Check that its catalog database is reachable and the settings name it.") from error
        use_lake(con)
    except BaseException:
        con.close()
        raise
    return con


def s3_secret_from_environment(environ: Mapping[str, str] = os.environ) -> str | None:
    """A ``CREATE SECRET`` for S3-compatible storage from the AWS SDK's standard variables, or None.

    ``AWS_ACCESS_KEY_ID`` and ``AWS_SECRET_ACCESS_KEY`` (and ``AWS_SESSION_TOKEN``), ``AWS_REGION``
    (or ``AWS_DEFAULT_REGION``), and ``AWS_ENDPOINT_URL`` for a store other than AWS (MinIO, R2,
    Ceph: ``http://host:port`` or ``https://host``), which is then addressed path-style. The
    secret lives in this connection's memory only; it is never written to the lake.
    """
    key, secret = environ.get("AWS_ACCESS_KEY_ID"), environ.get("AWS_SECRET_ACCESS_KEY")
    if not (key and secret):
        return None
    options = {"KEY_ID": key, "SECRET": secret}
    if environ.get("AWS_SESSION_TOKEN"):
        options["SESSION_TOKEN"] = environ["AWS_SESSION_TOKEN"]
    region = environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION")
    if region:
        options["REGION"] = region
    endpoint = environ.get("AWS_ENDPOINT_URL")
    if endpoint:
        parsed = urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
        options.update(ENDPOINT=parsed.netloc, URL_STYLE="path", USE_SSL=str(parsed.scheme == "https").lower())
    body = ", ".join(f"{name} {value if name == 'USE_SSL' else _literal(value)}" for name, value in options.items())
    return f"CREATE OR REPLACE SECRET fmwatch_s3 (TYPE s3, {body})"


def acquire_writer_lock(db: str, wait_seconds: float):
    """Make this process the lake's one writer: a PostgreSQL advisory lock, held by a session of its
    own until the returned connection is closed (or the process dies, when PostgreSQL ends the
    session and so frees the lock). Waits up to ``wait_seconds`` for another writer to finish.

    Returns the psycopg connection holding the lock, or None for a catalog other than PostgreSQL
    (then one writer at a time is the operator's to keep). Raises LakehouseError naming the
    holder when the lake stays busy.
    """
    return _advisory_lock(db, WRITER_LOCK_KEY, "fmwatch writer", wait_seconds, lambda who: (
        f"the DuckLake {redact(db)} is being written by {who}; one run or triage writes at a "
        f"time. Waited {wait_seconds:g} s (FMWATCH_DB_LOCK_WAIT_SECONDS); run again when it is done."))


def acquire_run_lock(db: str):
    """Make this process the lake's one run (``fmwatch run``, an import, a mirror sync, a reextract):
    an advisory lock of its own key, so a run fetching from the network, which holds no writer lock,
    still keeps a second run out, on any machine, while an editor's triage goes on. Does not wait.

    Returns the psycopg connection holding it (None for a catalog other than PostgreSQL); raises
    LakehouseError naming the run that holds it.
    """
    return _advisory_lock(db, RUN_LOCK_KEY, "fmwatch run", 0.0, lambda who: (
        f"another fmwatch run is writing the DuckLake {redact(db)}: {who}. One run at a time; "
        "run again when it has finished."))


def _advisory_lock(db: str, key: int, application_name: str, wait_seconds: float, busy):
    """A session holding PostgreSQL's advisory lock ``key``, or None for a catalog other than
    PostgreSQL; ``busy(who)`` is the message of the LakehouseError raised when it stays taken."""
    if not db.startswith(f"{PREFIX}postgres:"):
        return None
    import psycopg  # the lakehouse extra

    dsn = db[len(f"{PREFIX}postgres:"):]
    try:
        session = psycopg.connect(dsn, autocommit=True, application_name=application_name, connect_timeout=30)
    except psycopg.Error as error:
        raise LakehouseError(f"cannot reach the DuckLake catalog {redact(db)}: {str(error).strip().splitlines()[0]}") from None
    deadline = time.monotonic() + wait_seconds
    try:
        while not session.execute("SELECT pg_try_advisory_lock(%s)", [key]).fetchone()[0]:
            if time.monotonic() >= deadline:
                holder = session.execute(
                    "SELECT a.application_name, a.client_addr::text, a.pid, a.backend_start FROM pg_locks AS l "
                    "JOIN pg_stat_activity AS a ON a.pid = l.pid WHERE l.locktype = 'advisory' "
                    "AND l.objid = (%s::bigint & 4294967295) AND l.granted", [key]).fetchone()
                who = (f"{holder[0] or 'a client'} from {holder[1] or 'this host'} (PostgreSQL pid {holder[2]}, "
                       f"since {holder[3]:%Y-%m-%d %H:%M:%S %Z})" if holder else "another writer")
                raise LakehouseError(busy(who))
            time.sleep(0.2)
    except BaseException:
        session.close()
        raise
    return session


def use_lake(con: duckdb.DuckDBPyConnection, staging: bool = False) -> None:
    """Make the lake the default catalog of ``con`` (each cursor needs it too); with ``staging``,
    names the lake lacks (the staging tables) are looked up in the writer's own staging database."""
    con.execute(f"USE {CATALOG}")
    if staging:
        use_staging(con, CATALOG)


def use_staging(con: duckdb.DuckDBPyConnection, catalog: str) -> None:
    """Look unqualified names up in the attached staging database first, then in ``catalog``: the
    staging tables are the stage's even where ``catalog`` (a DuckDB file) has staging tables of its own."""
    con.execute(f"SET search_path = '{STAGE}.main,\"{catalog}\".main'")  # a file's catalog may be "my-db"


def attach_staging(con: duckdb.DuckDBPyConnection, statements: list[str], path: Path | None = None,
                   catalog: str = CATALOG) -> Path:
    """Give this writer staging tables of its own, in a local DuckDB file attached as ``stage``.

    Staging is one run's scratch space: in the lake it would cost a lake snapshot (and Parquet
    files) per staged batch, and two writers would share it. Here each writer has its own; the
    publish reads it and writes the lake in one lake transaction. ``statements`` are the staging
    DDL of the migrations (``staging_statements``), run in order against ``catalog``'s tables (none
    for a stage file that has them already). ``path``: the file (default: a new one in the
    temporary folder). Afterwards ``catalog`` is the default one, with the stage first on the
    search path (``use_staging``). Returns the file, which the caller deletes when it closes (a
    killed writer leaves it behind).
    """
    path = path or Path(tempfile.gettempdir()) / f"fmwatch-stage-{os.getpid()}-{uuid.uuid4().hex[:8]}.duckdb"
    con.execute(f"ATTACH {_literal(str(path))} AS {STAGE}")
    con.execute(f"USE {STAGE}")
    use_staging(con, catalog)  # create in stage, read the catalog
    for statement in statements:
        con.execute(statement)
    con.execute(f"USE {catalog}")
    use_staging(con, catalog)
    return path


def staging_statements(migrations: list[str]) -> list[str]:
    """The statements of these migration texts that create or alter a staging table, in order.

    They run against the lake's tables as they are now, after every migration: a staging table
    made ``AS SELECT ... FROM`` a lake table already has the columns later migrations added there,
    so a later ``ADD COLUMN`` to it is made ``ADD COLUMN IF NOT EXISTS``.
    """
    return [re.sub(r"\bADD\s+COLUMN\s+(?!IF\s+NOT\s+EXISTS)", "ADD COLUMN IF NOT EXISTS ", s, flags=re.I)
            for text in migrations for s in split_statements(text) if _STAGING_DDL.match(s)]


def split_statements(sql: str) -> list[str]:
    """The statements of a SQL file (each ends with ``;`` at the end of a line)."""
    parts = re.split(r";[ \t]*(?:\n|$)", sql)
    return [p.strip() + ";" for p in parts if re.sub(r"--[^\n]*", "", p).strip()]


_STAGING_DDL = re.compile(r"^(?:\s*--[^\n]*\n)*\s*(?:CREATE|ALTER)\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?staged_",
                          re.I)


def redact(db: str) -> str:
    """The ``db`` setting without a password (for messages)."""
    return re.sub(r"(password\s*=\s*)\S+", r"\1***", db, flags=re.I)


def adapt_sql(name: str, text: str) -> str:
    """``warehouse/<name>.sql`` as DuckLake runs it: the variant ``warehouse/ducklake/<name>.sql`` if
    there is one; otherwise, for a migration, the DDL less what DuckLake does not support (the
    module's docstring lists it); otherwise the text unchanged."""
    variant = _variant(name)
    if variant is not None:
        return variant
    if name.startswith("migrations/"):  # staging lives with each writer, not in the lake (attach_staging)
        return "\n\n".join(s for s in split_statements(strip_unsupported_ddl(text)) if not _STAGING_DDL.match(s))
    return text


def strip_unsupported_ddl(sql: str) -> str:
    """Leave out PRIMARY KEY and UNIQUE constraints and non-literal defaults from DDL.

    Column constraints (``col VARCHAR PRIMARY KEY``) and table constraints
    (``, PRIMARY KEY (a, b)``) both go; NOT NULL stays (DuckLake supports it).
    """
    # the comma before a table constraint goes too; a comment after that comma stays
    sql = re.sub(r",([ \t]*--[^\n]*)?\s*(PRIMARY\s+KEY|UNIQUE)\s*\([^)]*\)", r"\1", sql, flags=re.I)
    sql = re.sub(r"\s+(PRIMARY\s+KEY|UNIQUE)\b(?!\s*\()", "", sql, flags=re.I)
    return re.sub(r"\s+DEFAULT\s+(current_timestamp|now\(\))", "", sql, flags=re.I)


@cache
def _variant(name: str) -> str | None:
    path = resources.files("fmwatch.sql").joinpath("ducklake", f"{name}.sql")
    return path.read_text(encoding="utf-8") if path.is_file() else None


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
