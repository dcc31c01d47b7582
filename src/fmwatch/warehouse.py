"""The DuckDB warehouse: migrations, staging, publishing, and read-only access.

A run writes its batches to staging tables as they arrive (one commit per batch, so
memory stays bounded) and publishes them in one short transaction at the end: the
version merge, the raw archive, the quarantine, the watermarks and the run's row all
land together or not at all. A failed or killed run therefore leaves the published
warehouse exactly as it was; its leftover staging rows are cleared by the next run.

``fmwatch run`` stages into a private DuckDB file of its own (``Warehouse.open_run_stage``)
and holds no lock on the warehouse while it waits on the network: it opens the warehouse
for writing only to publish. One run at a time is kept by a lock of its own (``RunLock``),
which an editor's triage does not take.

Every statement lives in a .sql file under ``warehouse/`` (shipped as ``fmwatch.sql``).
"""

from __future__ import annotations

import errno
import fcntl
import gzip
import hashlib
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import cache
from importlib import resources
from pathlib import Path

import duckdb
import filelock
import pyarrow as pa

from . import lakehouse
from .records import ArticleRecord, Deletion, FmArticle, Quarantined, RawResponse

log = logging.getLogger("fmwatch.warehouse")

DELETED_HASH = hashlib.sha256(b"deleted").hexdigest()

# How long a writer waits for another writer (a run, an editor's triage) to let go of the file
# before it gives up with a message naming what holds it. Triage holds the file for a second or
# two; a scheduled run for its whole length.
LOCK_WAIT_SECONDS = 10.0

# A run's publish, in order. Each statement is written once: the upserts, which need a key DuckLake
# does not have, are files of their own (upsert_*), with a MERGE variant under warehouse/ducklake/.
PUBLISH_STEPS = ("publish_pubmed", "withdraw_flags", "publish_fmnetwork", "upsert_fm_page_state",
                 "upsert_citation_links", "publish_common", "upsert_watermarks", "upsert_watch_record_hits",
                 "publish_citing", "publish_enrichment", "upsert_pending_enrichment", "publish_enrichment_outcomes",
                 "upsert_watch_reconciliations")

# Read snapshots kept besides the current one, so a reader that has just resolved the pointer
# can still open the file it resolved. Older ones go once no process holds them open.
SNAPSHOTS_KEPT = 1


class WarehouseError(RuntimeError):
    """The warehouse file cannot be opened or written; the message says what to do."""


# What DuckDB raises when the file cannot take a write (disk full, read-only, I/O failure). Other
# DuckDB errors are our bugs and keep their traceback.
_WRITE_FAILURES = (duckdb.IOException, duckdb.TransactionException, duckdb.OutOfMemoryException,
                   duckdb.FatalException)


@cache
def sql_text(name: str) -> str:
    """The text of ``warehouse/<name>.sql`` (e.g. ``queries/publish_pubmed``)."""
    return resources.files("fmwatch.sql").joinpath(f"{name}.sql").read_text(encoding="utf-8")


def _sql_names(folder: str) -> list[str]:
    entries = resources.files("fmwatch.sql").joinpath(folder).iterdir()
    return sorted(f"{folder}/{e.name[:-4]}" for e in entries if e.name.endswith(".sql"))


@cache
def backend_sql(name: str, backend: str) -> str:
    """``warehouse/<name>.sql`` as the backend runs it: the file itself on DuckDB; on DuckLake its
    variant under ``warehouse/ducklake/`` if there is one, else the file adapted by
    ``lakehouse.adapt_sql`` (constraints DuckLake does not support left out)."""
    if backend == "ducklake":
        return lakehouse.adapt_sql(name, sql_text(name))
    return sql_text(name)


def _migration_numbers() -> list[int]:
    return [number for number in (int(Path(n).name.split("_", 1)[0]) for n in _sql_names("migrations")) if number]


@cache
def _views_fingerprint(backend: str) -> str:
    """sha256 of the views' SQL: opening rebuilds the views only when it changed."""
    digest = hashlib.sha256()
    for name in _sql_names("views"):
        digest.update(name.encode() + b"\0" + backend_sql(name, backend).encode() + b"\0")
    return digest.hexdigest()


# --- read snapshots of the DuckDB file ---------------------------------------------------------------

def read_pointer(db: Path) -> Path:
    """The symlink analysts open: ``warehouse/fmwatch.duckdb`` -> ``warehouse/fmwatch-read.duckdb``."""
    return db.with_name(f"{db.stem}-read{db.suffix}")


def snapshot_folder(db: Path) -> Path:
    return db.with_name(f"{db.name}.snapshots")


def current_snapshot(db: Path) -> Path | None:
    """The read snapshot the pointer names now, or None when the warehouse has none yet."""
    link = read_pointer(db)
    try:
        return link.parent / os.readlink(link)
    except OSError:  # no pointer yet (or not a symlink)
        return None


def _snapshot_number(path: Path) -> int | None:
    stem = path.name.split(".", 1)[0]
    return int(stem) if stem.isdigit() and path.name == f"{stem}.duckdb" else None


def _file_state(path: str) -> tuple:
    """What changes when a commit reaches the file: its size and time, and its write-ahead log's."""
    main = os.stat(path)
    try:
        wal = os.stat(f"{path}.wal").st_size
    except FileNotFoundError:
        wal = 0
    return main.st_mtime_ns, main.st_size, wal


def _snapshot_is_fresh(db: Path) -> bool:
    """Whether the current snapshot holds every commit (none came after it, e.g. from a killed writer)."""
    snapshot = current_snapshot(db)
    if snapshot is None or not snapshot.exists():
        return False
    _, _, wal = _file_state(str(db))
    return wal == 0 and os.stat(db).st_mtime_ns <= os.stat(snapshot).st_mtime_ns


def _publish_snapshot_file(db: Path) -> Path:
    """Copy ``db`` (checkpointed, its writer idle) into a new numbered snapshot and point the reader
    symlink at it, each step atomic: a reader resolves either the old snapshot or the new one."""
    folder = snapshot_folder(db)
    folder.mkdir(exist_ok=True)
    for partial in folder.glob("*.partial"):  # a copy a killed writer left; only one writer runs at a time
        partial.unlink(missing_ok=True)
    numbers = [n for n in map(_snapshot_number, folder.iterdir()) if n is not None]
    made = folder / f"{max(numbers, default=0) + 1:06d}.duckdb"
    partial = made.with_name(made.name + ".partial")
    _copy_in_another_process(db, partial)
    os.replace(partial, made)
    link = read_pointer(db)
    new_link = link.with_name(link.name + ".new")
    new_link.unlink(missing_ok=True)
    os.symlink(os.path.relpath(made, link.parent), new_link)
    os.replace(new_link, link)
    _collect_snapshots(folder)
    return made


def _copy_in_another_process(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` from a child process.

    DuckDB holds its write lock on the warehouse as a POSIX (fcntl) lock, and POSIX drops every lock
    a process holds on a file when that process closes *any* descriptor of it: a copy made here
    would open and close the file and so hand the write lock to whoever asks next. A child opens
    and closes it with locks of its own. (shutil.copyfile uses copy_file_range, a reflink where the
    file system has them.)
    """
    copy = subprocess.run([sys.executable, "-c", "import shutil, sys; shutil.copyfile(sys.argv[1], sys.argv[2])",
                           str(source), str(target)], capture_output=True, text=True)
    if copy.returncode != 0:
        last = (copy.stderr.strip().splitlines() or ["the copy failed"])[-1]
        raise OSError(f"copying {source} to {target}: {last}")


def _collect_snapshots(folder: Path) -> None:
    """Delete snapshots older than the newest ``SNAPSHOTS_KEPT`` + 1 that no other process has open."""
    numbered = sorted((n, p) for p in folder.iterdir() if (n := _snapshot_number(p)) is not None)
    for _, old in numbered[: -(SNAPSHOTS_KEPT + 1)]:
        if not _held_by_a_reader(old):
            old.unlink(missing_ok=True)


def _held_by_a_reader(path: Path) -> bool:
    """Whether another process holds DuckDB's lock on ``path`` (a reader has it open).

    Probes with a non-blocking exclusive fcntl lock, the kind DuckDB takes; POSIX locks are per
    process, so this process's own readers are not seen (deleting a file they have open is safe on
    POSIX: they keep reading it until they close it).
    """
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as error:
        if error.errno in (errno.EACCES, errno.EAGAIN):
            return True
        raise
    finally:
        os.close(fd)
    return False


# --- one run at a time -------------------------------------------------------------------------------

def run_folder(db: str) -> Path:
    """Where the runs of warehouse ``db`` keep their lock and their private stages: ``<db>.run/``
    beside a DuckDB file; for a DuckLake, a folder of this machine's temporary directory named by
    the lake (the lake's own run lock is in its catalog, ``lakehouse.acquire_run_lock``)."""
    if lakehouse.is_ducklake(db):
        return Path(tempfile.gettempdir()) / f"fmwatch-run-{hashlib.sha256(db.encode()).hexdigest()[:16]}"
    return Path(f"{db}.run")


class RunLock:
    """The lock that keeps a second run (``fmwatch run``, an import, a mirror sync, a reextract) off a
    warehouse while one is under way, without locking the warehouse itself: a run waiting on the
    network holds this and nothing else, so an editor's ``fmwatch flag``/``digest``, which never
    takes it, writes at once.

    ``RunLock.acquire(db, what)`` does not wait: a second run fails at once with a one-line
    WarehouseError naming the holder. It is an flock on ``<db>.run/lock`` (the ``filelock``
    library), dropped by the kernel when its process dies, so a SIGKILLed run never leaves it
    taken; on a DuckLake in PostgreSQL also an advisory lock, which keeps out runs on other machines.
    Holding it, a run owns ``run_folder(db)``: stage files left there by killed runs are removed.
    """

    def __init__(self, db: str, folder: Path, lock: filelock.BaseFileLock | None, session=None):
        self.db, self.folder, self._lock, self._session = db, folder, lock, session

    @classmethod
    def acquire(cls, db: str | Path, what: str = "run") -> "RunLock":
        """Take the run lock of warehouse ``db``; ``what`` says who holds it (shown to a refused run).
        An in-memory warehouse is this process's alone: nothing to lock."""
        db = str(db)
        if db == ":memory:":
            return cls(db, Path(tempfile.gettempdir()), None)
        folder = run_folder(db)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise WarehouseError(f"cannot write the warehouse {db}: cannot make its run folder {folder} ({error}). "
                                 "Check the folder's permissions or set FMWATCH_DB.") from error
        lock = filelock.FileLock(folder / "lock", timeout=0, thread_local=False)
        holder = folder / "holder"
        try:
            lock.acquire()
        except filelock.Timeout:
            try:
                who = holder.read_text(encoding="utf-8").strip()
            except OSError:
                who = "a process that has not said who it is yet"
            raise WarehouseError(f"another fmwatch run is writing the warehouse {lakehouse.redact(db)} ({who}); one run at a time: "
                                 f"run again when it has finished.") from None
        except OSError as error:
            raise WarehouseError(f"cannot write the warehouse {db}: cannot lock {folder / 'lock'} ({error}). "
                                 "Check the folder's permissions or set FMWATCH_DB.") from error
        session = None
        try:
            if lakehouse.is_ducklake(db):
                session = lakehouse.acquire_run_lock(db)
            partial = holder.with_name("holder.new")
            partial.write_text(f"{what}, process {os.getpid()} on {os.uname().nodename}, "
                               f"started {utcnow():%Y-%m-%d %H:%M:%S} UTC", encoding="utf-8")
            os.replace(partial, holder)
            for leftover in folder.glob("stage-*"):  # of runs killed before they could remove them
                leftover.unlink(missing_ok=True)
        except lakehouse.LakehouseError as error:
            lock.release()
            raise WarehouseError(str(error)) from None
        except BaseException:
            if session is not None:
                session.close()
            lock.release()
            raise
        return cls(db, folder, lock, session)

    def release(self) -> None:
        """Let the next run go; safe to call twice."""
        if self._session is not None:
            self._session.close()
            self._session = None
        if self._lock is not None and self._lock.is_locked:
            (self.folder / "holder").unlink(missing_ok=True)
            self._lock.release()

    def __enter__(self) -> "RunLock":
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def new_run_id() -> str:
    return utcnow().strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]


@dataclass
class PublishResult:
    run_id: str
    status: str
    versions_new: int = 0
    records_new: int = 0
    deletions: int = 0
    quarantined: int = 0
    records_seen: int = 0
    responses: int = 0
    recorded: bool = True  # False when a no-op import left no trace

    @property
    def changed(self) -> bool:
        return bool(self.versions_new or self.quarantined or self.responses)


@dataclass
class RunInfo:
    run_id: str
    command: str
    sources: str
    offline: bool = False
    started_at: datetime = field(default_factory=utcnow)
    requests: int = 0
    watermark: date | None = None


class Warehouse:
    """The warehouse: one DuckDB file (the default), or a DuckLake shared by a team
    (``ducklake:postgres:...``, see ``fmwatch.lakehouse``). Open it with ``Warehouse.open(path)``
    (or ``Warehouse.from_settings``); close it when done.

    On the DuckDB file, readers never open the file the writer writes: every commit that changes
    what analysts see (a publish, evidence, a triage, a digest) is followed by an immutable read
    snapshot, ``<db>.snapshots/<n>.duckdb``, made current by an atomically replaced symlink
    ``<stem>-read.duckdb``. ``Warehouse.open(path, read_only=True)`` opens the current snapshot.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, path: str, read_only: bool, backend: str = "duckdb",
                 snapshot: Path | None = None):
        self.con = con
        self.path = path
        self.read_only = read_only
        self.backend = backend  # duckdb or ducklake: which SQL variant to run (backend_sql)
        self.snapshot = snapshot  # the read snapshot a reader opened; None: the warehouse itself
        self._seq = 0
        self._snapshots = False  # whether this writer publishes read snapshots (the DuckDB file)
        self._snapshot_state: tuple | None = None  # the file's state at the last read snapshot
        self._stage_file: Path | None = None  # DuckLake: this writer's own staging database
        self._writer_lock = None  # DuckLake on PostgreSQL: the session holding the writer's advisory lock
        self._staging_apart = False  # whether the staging tables are another database's (``stage``)
        self._run_stage: dict | None = None  # a run's stage (open_run_stage): how to open the warehouse to publish
        self._catalog = ""  # this file's catalog, once a stage attached beside it is the default one

    def sql(self, name: str) -> str:
        """The text of ``warehouse/<name>.sql`` for this warehouse's backend."""
        return backend_sql(name, self.backend)

    # --- opening ----------------------------------------------------------------------------

    @classmethod
    def from_settings(cls, settings, read_only: bool = False, read_snapshot: bool = True,
                      create: bool = True) -> "Warehouse":
        """Open the warehouse the settings name (``db``, ``db_memory_limit``, ``db_lock_wait_seconds``,
        ``ducklake_data_path``); ``read_snapshot`` and ``create`` as ``open``."""
        return cls.open(settings.db, read_only=read_only, memory_limit=settings.db_memory_limit,
                        lock_wait=settings.db_lock_wait_seconds, data_path=settings.ducklake_data_path,
                        read_snapshot=read_snapshot, create=create)

    @classmethod
    def open(cls, path: str | Path, read_only: bool = False, memory_limit: str = "1GB",
             lock_wait: float = LOCK_WAIT_SECONDS, data_path: str | None = None,
             read_snapshot: bool = True, create: bool = True) -> "Warehouse":
        """Open for writing (migrating first if, and only if, a migration or a changed view is due),
        or ``read_only`` (the current read snapshot of a DuckDB file, else the file itself).

        ``create=False``: a writer that only changes an existing warehouse (triage, a digest, a
        reextract) raises WarehouseError "no warehouse at PATH: ..." instead of creating an empty
        one where a mistyped ``--db`` points; only what loads records (run, import, mirror) creates.

        ``read_snapshot=False``: this writer publishes no read snapshot, on opening or after its
        commits (a mirror sync opens the warehouse once per bulk file: a snapshot after each would copy
        the whole warehouse each time); the next writer that does brings the snapshot up to date.

        A writer waits up to ``lock_wait`` seconds for another writer to close the file, then raises
        WarehouseError naming what holds it. ``data_path`` (DuckLake only): where a new lake keeps
        its Parquet files (a folder or an S3-compatible URL).
        """
        path = str(path)
        if lakehouse.is_ducklake(path):
            return cls._open_lake(path, read_only, memory_limit, lock_wait, data_path)
        on_disk = path != ":memory:"
        if on_disk and read_only:
            return cls._open_reader(Path(path), memory_limit)
        if not create:
            require_warehouse(path)
        created = on_disk and cls._create_if_missing(path, memory_limit)
        warehouse = cls(_connect(path, False, memory_limit, lock_wait), path, False)
        try:
            migrated = bool(warehouse.migrate_if_due()) if not created else False
        except BaseException:
            warehouse.close()
            raise
        if on_disk and read_snapshot:
            warehouse._snapshots = True
            if created or migrated or not _snapshot_is_fresh(Path(path)):
                warehouse._refresh_snapshot()
            else:
                warehouse._snapshot_state = _file_state(path)
        return warehouse

    @classmethod
    def _open_lake(cls, db: str, read_only: bool, memory_limit: str, lock_wait: float,
                   data_path: str | None) -> "Warehouse":
        """A DuckLake: a writer takes the lake's writer lock first, then migrates if due and gets
        staging tables of its own (``fmwatch.lakehouse``); a reader just attaches read-only."""
        writer_lock = None
        try:
            writer_lock = None if read_only else lakehouse.acquire_writer_lock(db, lock_wait)
            con = lakehouse.connect(db, data_path=data_path, read_only=read_only, memory_limit=memory_limit)
        except lakehouse.LakehouseError as error:
            if writer_lock is not None:
                writer_lock.close()
            raise WarehouseError(str(error)) from error
        warehouse = cls(con, db, read_only, backend="ducklake")
        warehouse._writer_lock = writer_lock
        warehouse._staging_apart = not read_only
        if not read_only:
            try:
                warehouse.migrate_if_due()
                warehouse._stage_file = lakehouse.attach_staging(con, lakehouse.staging_statements(
                    [sql_text(name) for name in _sql_names("migrations")]))
            except BaseException:
                warehouse.close()
                raise
        return warehouse

    @classmethod
    def _open_reader(cls, db: Path, memory_limit: str) -> "Warehouse":
        """The current read snapshot, read-only; the warehouse file itself if it has none yet.

        The pointer may move between reading it and opening its target (a publish, then the
        collection of old snapshots): then the new current one is opened.
        """
        for _ in range(10):
            snapshot = current_snapshot(db)
            target = snapshot or db
            if not target.exists():
                if snapshot is not None:
                    time.sleep(0.05)
                    continue
                raise _no_warehouse(db)
            try:
                return cls(_connect(str(target), True, memory_limit), str(db), True, snapshot=snapshot)
            except WarehouseError:
                if snapshot is None or current_snapshot(db) == snapshot:
                    raise
        raise WarehouseError(f"cannot open a read snapshot of {db}: it changed ten times while opening; try again")

    @classmethod
    def run_stage_from_settings(cls, settings, run_lock: "RunLock", run_id: str) -> "Warehouse":
        """``open_run_stage`` for the warehouse the settings name (as ``from_settings``)."""
        return cls.open_run_stage(settings.db, run_lock, run_id, memory_limit=settings.db_memory_limit,
                                  lock_wait=settings.db_lock_wait_seconds, data_path=settings.ducklake_data_path)

    @classmethod
    def open_run_stage(cls, path: str | Path, run_lock: "RunLock", run_id: str, memory_limit: str = "1GB",
                       lock_wait: float = LOCK_WAIT_SECONDS, data_path: str | None = None) -> "Warehouse":
        """A run's own staging warehouse: stage into it while fetching, with no lock on the warehouse.

        The warehouse is opened for writing once, briefly, to migrate if due and make sure its read
        snapshot holds every commit; then it is closed. The returned Warehouse writes only a private
        DuckDB file, ``run_folder(path)/stage-<run_id>.duckdb`` (the DuckLake design:
        ``lakehouse.attach_staging``), and reads what a run needs while fetching (watermarks, known
        PMIDs, page states, pending enrichment, reconciliations, the mirror) from the current read
        snapshot, attached read-only: the immutable copy analysts read, which no writer ever waits
        for. On a DuckLake it reads the lake itself, attached read-only (lake readers block no
        writer). That is simpler than a brief open per read (which would still block a writer for
        those moments, and cost an open each time) and than loading every read into memory first
        (the mirror alone can be millions of rows), and as correct: while ``run_lock`` is held no
        other run publishes, so the snapshot is the published warehouse; only an editor's triage,
        which a run never reads, changes it meanwhile.

        Its ``publish``, ``publish_evidence`` and ``record_failure`` open the warehouse for writing
        (waiting up to ``lock_wait`` seconds, as any writer), attach the stage, run the same SQL in
        one transaction, and close it again; the stage is then read over the new snapshot. Closing
        it removes the stage file; ``RunLock.acquire`` removes one a killed run left.
        An in-memory warehouse (``":memory:"``) is returned itself, its staging cleared: it stages in place.
        Raises WarehouseError as ``open``, or when no read snapshot can be published.
        """
        path = str(path)
        if path == ":memory:":  # this process's alone: no file to stage beside, no one else to block
            warehouse = cls.open(path, memory_limit=memory_limit, lock_wait=lock_wait)
            warehouse.clear_staging()
            return warehouse
        with cls.open(path, memory_limit=memory_limit, lock_wait=lock_wait, data_path=data_path) as warehouse:
            if warehouse._snapshots and not _snapshot_is_fresh(Path(path)):
                warehouse.publish_read_snapshot()  # the run reads it: a stale one is an error here
        stage = cls(None, path, False, backend="ducklake" if lakehouse.is_ducklake(path) else "duckdb")
        stage._run_stage = {"memory_limit": memory_limit, "lock_wait": lock_wait, "data_path": data_path}
        stage._stage_file = run_lock.folder / f"stage-{run_id}.duckdb"
        stage._staging_apart = True
        try:
            stage._connect_stage(create=True)
        except BaseException:
            stage.close()
            raise
        return stage

    def _connect_stage(self, create: bool) -> None:
        """(Re)connect a run stage: the stage file attached as ``stage`` (its tables made when
        ``create``) and the published warehouse read-only, the default catalog (its current read
        snapshot; a DuckLake itself)."""
        options = self._run_stage
        if self.backend == "ducklake":
            try:
                con = lakehouse.connect(self.path, data_path=options["data_path"], read_only=True,
                                        memory_limit=options["memory_limit"])
            except lakehouse.LakehouseError as error:
                raise WarehouseError(str(error)) from error
            published = lakehouse.CATALOG
        else:
            snapshot = current_snapshot(Path(self.path))
            if snapshot is None:
                raise WarehouseError(f"the warehouse {self.path} has no read snapshot to read from; "
                                     "check that its folder is writable")
            con = duckdb.connect(":memory:", config={"memory_limit": options["memory_limit"],
                                                     "preserve_insertion_order": False})
            published = "published"
            con.execute(f"ATTACH {_sql_literal(str(snapshot))} AS {published} (READ_ONLY)")
        try:
            statements = lakehouse.staging_statements([sql_text(n) for n in _sql_names("migrations")]) if create else []
            with self.writing("make the run's stage"):
                lakehouse.attach_staging(con, statements, self._stage_file, catalog=published)
        except BaseException:
            con.close()
            raise
        self.con = con

    @contextmanager
    def _publishing(self) -> Iterator["Warehouse"]:
        """The warehouse a run stage publishes into: opened for writing with the stage attached, for
        one step, then closed; the stage is then reconnected over the new read snapshot."""
        self.con.close()  # the stage file: a process may attach it only once at a time
        try:
            with Warehouse.open(self.path, **self._run_stage) as warehouse:
                warehouse._attach_run_stage(self._stage_file)
                yield warehouse
        finally:
            self._connect_stage(create=False)

    def _attach_run_stage(self, stage_file: Path) -> None:
        """Read the staging tables from a run's stage file (attached as ``stage``) instead of this
        writer's own (the DuckDB file's tables, or a DuckLake writer's own stage, removed)."""
        if self._stage_file is not None:
            self.con.execute(f"USE {lakehouse.CATALOG}")
            self.con.execute(f"DETACH {lakehouse.STAGE}")
            for leftover in (self._stage_file, Path(f"{self._stage_file}.wal")):
                leftover.unlink(missing_ok=True)
            self._stage_file = None
        catalog = self._catalog = self.con.execute("SELECT current_database()").fetchall()[0][0]
        self.con.execute(f"ATTACH {_sql_literal(str(stage_file))} AS {lakehouse.STAGE}")
        lakehouse.use_staging(self.con, catalog)
        self._staging_apart = True

    @classmethod
    def _create_if_missing(cls, path: str, memory_limit: str) -> bool:
        """Build a missing warehouse beside ``path``; link it into place once its schema is complete.

        A process killed while creating the file must not leave a warehouse without tables for an
        analyst (or the next run) to find. A half-built ``<path>.creating`` from a killed run is
        simply migrated further; DuckDB's file lock keeps two creators apart.
        """
        target, building = Path(path), Path(f"{path}.creating")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise WarehouseError(f"cannot create the warehouse folder {target.parent}: {error}") from error
        if target.exists():
            if building.exists():  # a run killed between linking the new warehouse and removing this name
                building.unlink()
            return False
        with cls(_connect(str(building), False, memory_limit), str(building), False) as warehouse:
            warehouse.migrate()
        try:
            os.link(building, target)  # atomic, and never over a warehouse another process just made
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links: a rename is atomic too
            if not target.exists():
                os.replace(building, target)
        building.unlink(missing_ok=True)
        return True

    def close(self) -> None:
        """Close; a writer whose file changed since its last read snapshot publishes one first."""
        try:
            if self._snapshots and _file_state(self.path) != self._snapshot_state:
                self._refresh_snapshot()
        finally:
            if self.con is not None:
                self.con.close()
            if self._stage_file is not None:
                for leftover in (self._stage_file, Path(f"{self._stage_file}.wal")):
                    leftover.unlink(missing_ok=True)
            if self._writer_lock is not None:
                self._writer_lock.close()  # the next writer may go on

    def __enter__(self) -> "Warehouse":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def migrate_if_due(self) -> list[int]:
        """Migrate only if a migration is not applied yet or a view's SQL changed; otherwise write
        nothing (a warehouse in a read-only folder opens without a write). Returns what was applied."""
        if self._schema_is_current():
            return []
        with self.writing("migrate the schema"):
            applied = self.migrate()
        return applied or [0]  # [0]: only the views were rebuilt

    def _schema_is_current(self) -> bool:
        try:
            applied = {row[0] for row in self.con.execute(self.sql("queries/applied_migrations")).fetchall()}
            views = self.con.execute(self.sql("queries/views_fingerprint")).fetchall()
        except duckdb.CatalogException:  # a new file, or one from before migration 030
            return False
        return applied >= set(_migration_numbers()) and views == [(_views_fingerprint(self.backend),)]

    def migrate(self) -> list[int]:
        """Apply the numbered migrations not yet applied, each in its own transaction, then the views."""
        self.con.execute(self.sql("migrations/000_schema_version"))
        applied = {row[0] for row in self.con.execute(self.sql("queries/applied_migrations")).fetchall()}
        done = []
        for name in _sql_names("migrations"):
            number = int(Path(name).name.split("_", 1)[0])
            if number == 0 or number in applied:
                continue
            self.con.begin()
            try:
                self.con.execute(self.sql(name))
                self.con.execute(self.sql("queries/record_migration"), [number, name])
                self.con.commit()
            except Exception:
                self.con.rollback()
                raise
            done.append(number)
        self.con.begin()
        try:
            for name in _sql_names("views"):
                self.con.execute(self.sql(name))
            self.con.execute(self.sql("queries/record_views_fingerprint"), [_views_fingerprint(self.backend)])
            self.con.commit()
        except Exception:
            self.con.rollback()
            raise
        return done

    # --- read snapshots (the DuckDB file) -----------------------------------------------------

    def publish_read_snapshot(self) -> Path | None:
        """Copy the warehouse as of its last commit to ``<db>.snapshots/<n>.duckdb`` and make it
        the current read snapshot (``<stem>-read.duckdb``, a symlink replaced atomically).

        Readers that have a snapshot open keep it until they reconnect; snapshots older than the
        last ``SNAPSHOTS_KEPT`` + 1 are deleted once no other process holds them. Returns the new
        snapshot, or None for a backend that needs none (DuckLake readers have their own snapshots,
        and an in-memory warehouse has no readers). Raises WarehouseError when the copy fails
        (the folder is read-only or full): the data itself is committed either way.
        """
        if self.read_only or self.backend != "duckdb" or self.path == ":memory:":
            return None
        with self.writing("checkpoint for a read snapshot"):
            # every commit into the file itself, the write-ahead log empty (named: an attached stage is the default)
            self.con.execute(f"CHECKPOINT \"{self._catalog}\"" if self._catalog else "CHECKPOINT")
        try:
            made = _publish_snapshot_file(Path(self.path))
        except OSError as error:
            raise WarehouseError(
                f"cannot publish a read snapshot of {self.path}: {error}. The data is committed; readers keep "
                "the previous snapshot until a later write publishes one.") from error
        self._snapshot_state = _file_state(self.path)
        return made

    def _refresh_snapshot(self) -> None:
        """publish_read_snapshot, after a commit: a failure is logged, never raised over the commit."""
        if not self._snapshots:
            return
        try:
            self.publish_read_snapshot()
        except WarehouseError as error:
            log.warning("%s", error)

    # --- staging (one commit per batch) --------------------------------------------------------

    def clear_staging(self) -> None:
        with self.writing("clear staging"):
            self.con.execute(self.sql("queries/clear_staging"))

    def stage_pubmed(self, run_id: str, items: Iterable[ArticleRecord | Deletion], origin: str) -> int:
        rows = []
        for item in items:
            self._seq += 1
            rows.append(_staged_row(item, run_id, self._seq, origin))
        if rows:
            table = pa.Table.from_pylist(rows, schema=STAGED_PUBMED_SCHEMA)
            self._insert_arrow("staged_pubmed_articles", table)
        return len(rows)

    def stage_fm_article(self, run_id: str, article: FmArticle, origin: str) -> None:
        self._seq += 1
        row = {name: getattr(article, name) for name in (
            "slug", "url", "title", "author", "published_at", "modified_at", "categories", "tags",
            "comment_count", "body", "generation")}
        row.update(run_id=run_id, seq=self._seq, origin=origin, content_hash=article.content_hash(),
                   reference_list=[_slots(r) for r in article.references],
                   mentions=[_slots(m) for m in article.mentions])
        self._insert_arrow("staged_fm_articles", pa.Table.from_pylist([row], schema=STAGED_FM_SCHEMA))

    def stage_page_state(self, run_id: str, url: str, status: int, etag: str | None, last_modified: str | None,
                         content_sha256: str | None) -> None:
        with self.writing("stage a page state"):
            self.con.execute(self.sql("queries/stage_page_state"),
                             [url, etag, last_modified, content_sha256, status, utcnow(), run_id])

    def stage_citations(self, run_id: str, links: Sequence) -> None:
        rows = [{
            "from_record": link.from_record, "ref_index": link.ref_index, "raw_text": link.reference.raw_text,
            "first_author": link.reference.first_author, "journal": link.reference.journal,
            "year": link.reference.year, "ref_date": link.reference.date, "volume": link.reference.volume,
            "pages": link.reference.pages, "pmid": link.pmid, "method": link.method,
            "confidence": link.confidence, "note": link.note, "candidates": link.candidates,
            "run_id": run_id, "resolved_at": utcnow(),
        } for link in links]
        if rows:
            self._insert_arrow("staged_citations", pa.Table.from_pylist(rows, schema=CITATION_SCHEMA))

    def stage_evidence(self, run_id: str, rows: Sequence[tuple[str, int, str, str, dict]],
                       flags: Sequence) -> None:
        """rows: (record_id, version, source, extractor, record); flags: evidence.Flag with their versions."""
        evidence, flag_table = evidence_tables(run_id, rows, flags)
        self.stage_tables(evidence=evidence, flags=flag_table)

    def publish_evidence(self) -> None:
        """Publish the staged evidence and flags in one transaction (a run stage: into its warehouse)."""
        if self._run_stage is not None:
            with self._publishing() as warehouse:
                warehouse.publish_evidence()
            return
        self._checkpoint_staging()
        with self._one_thread(), self.transaction("publish evidence and flags"):
            self.con.execute(self.sql("queries/publish_evidence"))
            self.con.execute(self.sql("queries/withdraw_deleted_flags"))
            if not self._staging_apart:
                self.con.execute(sql_text("queries/clear_staged_evidence"))
        if self._staging_apart:  # staging is another database: cleared after the commit (one transaction writes one)
            with self.writing("clear the staged evidence"):
                self.con.execute(sql_text("queries/clear_staged_evidence"))
        self._refresh_snapshot()

    def pending_evidence(self, everything: bool = False) -> tuple[list[tuple], list[tuple]]:
        """(PubMed rows, FM Network rows) whose current version has no evidence yet (or all), all at
        once. Memory grows with the number pending: prefer ``iter_pending_evidence``."""
        pubmed: list[tuple] = []
        fm: list[tuple] = []
        for pubmed_rows, fm_rows in self.iter_pending_evidence(everything):
            pubmed += pubmed_rows
            fm += fm_rows
        return pubmed, fm

    def set_flag_state(self, record_id: str, flag_key: str, state: str, reason: str | None) -> bool:
        """An editor's triage of one flag; False when there is no such flag."""
        with self.writing("triage a flag"):
            (changed,), = self.con.execute(self.sql("queries/set_flag_state"), {
                "state": state, "reason": reason, "record_id": record_id, "flag_key": flag_key}).fetchall()
        if changed:
            self._refresh_snapshot()
        return bool(changed)

    def stage_raw(self, run_id: str, responses: Sequence[RawResponse]) -> None:
        rows = []
        for response in responses:
            self._seq += 1
            rows.append({
                "run_id": run_id, "seq": self._seq, "method": response.method, "url": response.url,
                "status": response.status, "fetched_at": response.fetched_at.replace(tzinfo=None),
                "elapsed_ms": response.elapsed_ms, "body_bytes": len(response.body),
                "body_sha256": hashlib.sha256(response.body).hexdigest(),
                "body_gzip": gzip.compress(response.body, compresslevel=6),
            })
        if rows:
            self._insert_arrow("staged_raw_responses", pa.Table.from_pylist(rows, schema=RAW_SCHEMA))

    def stage_quarantine(self, run_id: str, items: Sequence[Quarantined]) -> None:
        rows = [{
            "source": q.source, "origin": q.origin, "record_key": q.record_key, "reason": q.reason[:2000],
            "raw_sha256": q.raw_sha256, "raw": q.raw, "run_id": run_id, "created_at": utcnow(),
        } for q in items]
        if rows:
            self._insert_arrow("staged_quarantine", pa.Table.from_pylist(rows, schema=QUARANTINE_SCHEMA))

    def stage_citing(self, reference_pmid: str, citing: Iterable[str], run_id: str) -> None:
        with self.writing("stage citing records"):
            for pmid in citing:
                self.con.execute(self.sql("queries/stage_citing"), [reference_pmid, pmid, run_id])

    def stage_watermark(self, source: str, watch: str, query: str, watermark: date, run_id: str) -> None:
        with self.writing("stage a watermark"):
            self.con.execute(self.sql("queries/stage_watermark"), [source, watch, query, watermark, run_id])

    def _insert_arrow(self, table_name: str, table: pa.Table) -> None:
        # Set-based: the whole batch goes in with one INSERT ... SELECT from Arrow.
        self.con.register("incoming_batch", table)
        try:
            with self.writing(f"stage {table_name}"):
                self.con.execute(f"INSERT INTO {table_name} BY NAME SELECT * FROM incoming_batch")
        finally:
            self.con.unregister("incoming_batch")

    # --- publishing (one transaction) -----------------------------------------------------------

    def publish(self, run: RunInfo, status: str = "succeeded", record_noop: bool = True,
                error: str | None = None) -> PublishResult:
        """Merge everything staged into the warehouse, with the run's row, atomically.

        ``record_noop=False`` (imports) leaves no run row when nothing changed, so a
        repeated import leaves every table as it was. ``status="partial"`` with ``error`` records a
        run that published some parts and names the ones that failed. A run stage
        (``open_run_stage``) opens its warehouse for this publish only.
        """
        if self._run_stage is not None:
            with self._publishing() as warehouse:
                return warehouse.publish(run, status, record_noop, error)
        self._checkpoint_staging()
        with self._one_thread(), self.transaction("publish the run"):
            for step in PUBLISH_STEPS:
                self.con.execute(self.sql(f"queries/{step}"))
            counts = self.con.execute(self.sql("queries/publish_counts")).fetchall()[0]
            result = PublishResult(run.run_id, status, *counts[:4], records_seen=counts[5], responses=counts[4])
            if result.quarantined and status == "succeeded":
                result.status = "quarantined"
            if record_noop or result.changed:
                self._insert_run(run, result.status, result, error=error[:4000] if error else None)
            else:
                result.recorded = False
            if not self._staging_apart:  # one transaction writes one database: a stage of its own is another
                self.con.execute(self.sql("queries/clear_staging"))
        if self._staging_apart:
            self.clear_staging()
        self._refresh_snapshot()
        return result

    def _checkpoint_staging(self) -> None:
        """Write the staged rows into the staging file before a publish. DuckDB keeps committed but
        not yet checkpointed rows in memory; with them there, the publish's own uncommitted rows did
        not fit DuckDB's 128 MB default at 50,000 records (measured: OutOfMemory without, published
        with)."""
        if self.path == ":memory:":
            return
        with self.writing("checkpoint the staged rows"):
            self.con.execute(f"CHECKPOINT {lakehouse.STAGE}" if self._staging_apart else "CHECKPOINT")

    @contextmanager
    def _one_thread(self) -> Iterator[None]:
        """Run a publish on one DuckDB thread. Its inserts stay in memory until they commit (a row
        group is 122,880 rows), one partial row group per thread: with two threads a 50,000-record
        import ran out of DuckDB's 128 MB default at publish; with one it published (measured)."""
        self.con.execute("SET threads = 1")
        try:
            yield
        finally:
            self.con.execute("RESET threads")

    def record_failure(self, run: RunInfo, error: str) -> None:
        """Drop what the run staged and say why it failed; the published data is untouched."""
        self._rollback()
        self.clear_staging()
        if self._run_stage is not None:
            with self._publishing() as warehouse:
                warehouse.record_failure(run, error)
            return
        with self.writing("record the failed run"):
            self._insert_run(run, "failed", PublishResult(run.run_id, "failed"), error=error[:4000])
        self._refresh_snapshot()

    @contextmanager
    def transaction(self, what: str) -> Iterator[None]:
        """All of the block's statements land, or none does."""
        with self.writing(what):
            self.con.begin()
            try:
                yield
                self.con.commit()
            except BaseException:
                self._rollback()
                raise

    @contextmanager
    def writing(self, what: str) -> Iterator[None]:
        """Turn a write the file cannot take (full disk, read-only, I/O error) into a WarehouseError."""
        try:
            yield
        except _WRITE_FAILURES as error:
            remedy = ("raise FMWATCH_DB_MEMORY_LIMIT" if isinstance(error, duckdb.OutOfMemoryException)
                      else "free disk space or check the file's permissions")
            raise WarehouseError(
                f"cannot write the warehouse {self.path} ({what}): {str(error).splitlines()[0]}. Nothing of "
                f"this step was written; {remedy}, then run again.") from error

    def _rollback(self) -> None:
        try:
            self.con.rollback()
        except duckdb.TransactionException:
            pass  # no transaction is open: a failed commit has already ended it

    def _insert_run(self, run: RunInfo, status: str, result: PublishResult, error: str | None) -> None:
        self.con.execute(self.sql("queries/insert_run"), [
            run.run_id, run.command, run.sources, run.offline, run.started_at, utcnow(), status,
            run.watermark, result.records_seen, result.versions_new, result.records_new,
            result.deletions, result.quarantined, run.requests, error,
        ])

    # --- reading --------------------------------------------------------------------------------

    def watermark(self, source: str, watch: str, query: str) -> date | None:
        rows = self.con.execute(self.sql("queries/get_watermark"), [source, watch, query]).fetchall()
        return rows[0][0] if rows else None

    def page_states(self) -> dict[str, tuple]:
        """url -> (etag, last_modified, content_sha256, fetched_at) from the last published fetch."""
        return {row[0]: row[1:] for row in self.con.execute(self.sql("queries/page_states")).fetchall()}

    def newest_fm_article(self) -> datetime | None:
        return self.con.execute(self.sql("queries/newest_fm_article")).fetchall()[0][0]

    def known_pmids(self, pmids: Iterable[str]) -> set[str]:
        """Which of these PMIDs the warehouse holds, published or staged by this run."""
        wanted = pa.table({"pmid": pa.array(sorted(set(pmids)), pa.string())})
        self.con.register("wanted_pmids", wanted)
        try:
            return {r[0] for r in self.con.execute(self.sql("queries/known_pmids")).fetchall()}
        finally:
            self.con.unregister("wanted_pmids")

    def table_counts(self) -> dict[str, int]:
        tables = [r[0] for r in self.con.execute(self.sql("queries/list_tables")).fetchall()]
        return {t: self.con.execute(f'SELECT count(*) FROM "{t}"').fetchall()[0][0] for t in tables}

    # --- enrichment and revisions (issue 13) ----------------------------------------------------

    def stage_enrichment(self, run_id: str, kind: str, subject: str, error: str | None) -> None:
        """Stage the outcome of one enrichment look-up: ``error`` None means it succeeded (it leaves
        ``pending_enrichment`` when the run publishes), otherwise it is pending with that error."""
        with self.writing("stage an enrichment outcome"):
            self.con.execute(self.sql("queries/stage_enrichment"),
                             [kind, subject, error[:2000] if error else None, run_id, utcnow()])

    def pending_enrichment(self, kind: str) -> list[str]:
        """Subjects of the enrichment of this kind still pending (elink_citedin, citation_link, fetch_cited)."""
        return [r[0] for r in self.con.execute(self.sql("queries/pending_enrichment"), [kind]).fetchall()]

    def pending_citation_references(self) -> list[tuple]:
        """(subject, record_id, ref_index, title, body, reference dict) of each pending citation link."""
        return self.con.execute(self.sql("queries/pending_citation_references")).fetchall()

    def stage_run_note(self, run_id: str, level: str, subject: str, message: str) -> None:
        """A line of the run's report (level ``error`` or ``warning``), published with the run."""
        with self.writing("stage a run note"):
            self.con.execute(self.sql("queries/stage_run_note"),
                             [run_id, level, subject, message[:4000], utcnow()])

    def last_reconciliation(self, source: str, watch: str, query: str) -> date | None:
        """The day a watch's full PMID set was last reconciled with the warehouse (same query), or None."""
        rows = self.con.execute(self.sql("queries/last_reconciliation"), [source, watch, query]).fetchall()
        return rows[0][0] if rows else None

    def stage_reconciliation(self, source: str, watch: str, query: str, day: date, matched: int, missing: int,
                             run_id: str) -> None:
        with self.writing("stage a reconciliation"):
            self.con.execute(self.sql("queries/stage_reconciliation"),
                             [source, watch, query, day, matched, missing, run_id])

    # --- digests and triage (issue 14) -------------------------------------------------------------

    def list_flags(self, state: str | None = None, max_priority: int | None = None, flag_type: str | None = None,
                   record_id: str | None = None, raised_after: datetime | None = None) -> list[dict]:
        """The flags matching every filter given (None = any), most important first: dicts with
        id (record_id/flag_key), record_id, flag_key, priority, flag_type, claim, relation, novelty,
        state, reason, state_reason, title, year, url, raised_at, raised_count. A withdrawn record's
        title and year are its last stored ones, its url None."""
        cursor = self.con.execute(sql_text("queries/list_flags"),
                                  [state, max_priority, flag_type, record_id, raised_after])
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row)) for row in cursor.fetchall()]

    def change_flag_states(self, flag_ids: Sequence[str], state: str, reason: str | None,
                           force: bool = False) -> dict[str, str]:
        """Set ``state`` ("seen" or "dismissed") on every flag of ``flag_ids`` (record_id/flag_key),
        all or none, in one transaction. Returns id -> what happened ("seen", "dismissed",
        "unchanged"). A change that would undo an editor's decision (a dismissed flag marked
        seen) or replace a dismissal's reason needs ``force``. Raises KeyError naming unknown IDs
        and ValueError naming the flags that need ``force``; nothing is changed then."""
        current = {row["id"]: row for row in self.list_flags()}
        unknown = [i for i in flag_ids if i not in current]
        if unknown:
            raise KeyError(f"no such open flag (unknown, or its record was withdrawn): {', '.join(unknown)}")
        outcome, refused = {}, []
        for flag_id in dict.fromkeys(flag_ids):
            before = current[flag_id]
            same = before["state"] == state and (state != "dismissed" or not reason or reason == before["state_reason"])
            if same:
                outcome[flag_id] = "unchanged"
            elif before["state"] == "dismissed" and not force:
                refused.append(f"{flag_id} (dismissed: {before['state_reason'] or 'no reason given'})")
            else:
                outcome[flag_id] = state
        if refused:
            raise ValueError("would undo an editor's dismissal of " + "; ".join(refused) + ": add --force to do it")
        with self.transaction("change flag states"):
            for flag_id, what in outcome.items():
                if what != "unchanged":
                    record_id, _, flag_key = flag_id.partition("/")
                    self.con.execute(sql_text("queries/set_flag_state"), {
                        "state": state, "reason": reason, "record_id": record_id, "flag_key": flag_key})
        return outcome

    def export_records(self, record_ids: Sequence[str]) -> list[dict]:
        """The citation fields of each record (queries/export_records.sql), in the order given;
        unknown IDs are left out."""
        cursor = self.con.execute(sql_text("queries/export_records"), [list(record_ids)])
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row)) for row in cursor.fetchall()]
    # --- batched evidence (issue 15b) -------------------------------------------------------------

    def iter_pending_evidence(self, everything: bool = False,
                              batch_size: int = 1000) -> Iterator[tuple[list[tuple], list[tuple]]]:
        """(PubMed rows, FM Network rows) batches of the current versions with no evidence yet (or all).

        The rows have the shapes of ``pending_evidence``'s; a batch holds at most ``batch_size`` rows
        of one source (the other list is empty). Keyset pagination on the PMID, then the slug, so
        each batch costs a bounded top-N and never a sort of every pending row. Evidence staged while
        iterating is not published yet, so the pending set does not shift under the iteration.
        """
        for name, key in (("pubmed", 0), ("fm", 0)):
            after = ""
            while True:
                rows = self.con.execute(sql_text(f"queries/pending_{name}_evidence_batch"), {
                    "everything": everything, "after": after, "batch_size": batch_size}).fetchall()
                if not rows:
                    break
                yield (rows, []) if name == "pubmed" else ([], rows)
                if len(rows) < batch_size:
                    break
                after = rows[-1][key]

    def stage_tables(self, evidence: pa.Table | None = None, flags: pa.Table | None = None,
                     pubmed: pa.Table | None = None) -> None:
        """Stage Arrow tables built elsewhere (in worker processes, by ``evidence_tables`` and
        ``staged_pubmed_table``): one set-based INSERT each, one commit per table."""
        for name, table in (("staged_evidence", evidence), ("staged_flags", flags), ("staged_pubmed_articles", pubmed)):
            if table is not None and table.num_rows:
                self._insert_arrow(name, table)

    def stage_pubmed_parquet(self, paths: Sequence[Path]) -> int:
        """Stage PubMed rows that worker processes wrote as Parquet (``staged_pubmed_table``'s
        shape), in one INSERT; returns the rows staged. The files are left for the caller to remove."""
        if not paths:
            return 0
        with self.writing("stage parsed records"):
            return self.con.execute(sql_text("queries/stage_pubmed_parquet"),
                                    [[str(p) for p in paths]]).fetchall()[0][0]

    # --- the local PubMed mirror (issue 15b) -----------------------------------------------------

    def mirror_file_names(self) -> set[str]:
        """The names of the bulk files already ingested into the mirror."""
        return {row[0] for row in self.con.execute(sql_text("queries/mirror_file_names")).fetchall()}

    def apply_mirror_file(self, name: str, kind: str, url: str, md5: str, size: int,
                          parquet: Sequence[str], quarantined: int) -> tuple[int, int]:
        """Apply one bulk file's parsed rows (``staged_pubmed_table`` Parquet) to the mirror and
        record the file, in one transaction: (PMIDs written, PMIDs deleted). Within the file the
        last version of a PMID wins; its DeleteCitation removes PMIDs. A file with no rows still
        counts as ingested."""
        with self.transaction(f"apply the mirror file {name}"):
            if parquet:
                self.con.execute(sql_text("queries/mirror_incoming"), [list(parquet), name])
                self.con.execute(sql_text("queries/mirror_apply"))
                records, deletions = self.con.execute(sql_text("queries/mirror_incoming_counts")).fetchall()[0]
                self.con.execute("DROP TABLE mirror_incoming")
            else:
                records = deletions = 0
            self.con.execute(sql_text("queries/insert_mirror_file"),
                             [name, kind, url, md5, size, records, deletions, quarantined, utcnow()])
        return records, deletions

    def stage_from_mirror(self, run_id: str, pmids: Iterable[str]) -> set[str]:
        """Stage the mirror's records of these PMIDs for the run (as if fetched); returns the PMIDs
        the mirror held. Their content hashes are the parser's, so unchanged records add no version."""
        wanted = pa.table({"pmid": pa.array(sorted(set(pmids)), pa.string())})
        self.con.register("wanted_pmids", wanted)
        try:
            with self.writing("stage records from the mirror"):
                found = {r[0] for r in self.con.execute(sql_text("queries/stage_from_mirror"),
                                                         [run_id, self._seq]).fetchall()}
        finally:
            self.con.unregister("wanted_pmids")
        self._seq += len(found)
        return found

    # --- watch records (polish) ----------------------------------------------------------------------

    def stage_watch_records(self, run_id: str, source: str, watch: str, pmids: Iterable[str]) -> int:
        """Stage that ``watch`` found these PMIDs this run; the run's publish adds the ones new to
        ``watch_records`` (the first run that found a PMID stays). Returns how many were staged."""
        pmids = sorted(set(pmids))
        if pmids:
            now = utcnow()
            table = pa.table({"source": [source] * len(pmids), "watch": [watch] * len(pmids), "pmid": pmids,
                              "first_run_id": [run_id] * len(pmids), "first_seen_at": [now] * len(pmids)})
            self._insert_arrow("staged_watch_record_hits", table)
        return len(pmids)

    def watch_record_ids(self, watch: str, source: str = "pubmed") -> set[str]:
        """The record_ids (``pubmed:<PMID>``) a watch has found, in published runs."""
        return {r[0] for r in self.con.execute(sql_text("queries/watch_record_ids"), [source, watch]).fetchall()}

    def watch_names(self) -> list[str]:
        """The names of the watches that have found records, sorted."""
        return [r[0] for r in self.con.execute(sql_text("queries/watch_names")).fetchall()]


def _connect(path: str, read_only: bool, memory_limit: str, lock_wait: float = 0.0) -> duckdb.DuckDBPyConnection:
    """A connection to a DuckDB file; a writer retries a locked file for ``lock_wait`` seconds."""
    deadline = time.monotonic() + lock_wait
    while True:
        try:
            # A bound on DuckDB's buffer pool keeps a run's memory flat as the warehouse grows; past it,
            # DuckDB spills to disk instead of growing.
            return duckdb.connect(path, read_only=read_only,
                                  config={"memory_limit": memory_limit, "preserve_insertion_order": False})
        except duckdb.IOException as error:
            if "lock" not in str(error).lower() or time.monotonic() >= deadline:
                raise WarehouseError(_explain_open_error(path, error)) from error
            time.sleep(0.1)


def require_warehouse(db: str | Path) -> None:
    """Raise WarehouseError "no warehouse at DB: ..." unless the DuckDB file ``db`` exists (an
    in-memory warehouse or a DuckLake always passes: the lake's catalog says for itself). For the
    commands that change a warehouse but must never create one: call it before anything (a run
    lock's folder, a parent folder) is made beside a mistyped path."""
    db = str(db)
    if db != ":memory:" and not lakehouse.is_ducklake(db) and not Path(db).exists():
        raise _no_warehouse(db)


def _no_warehouse(db: str | Path) -> WarehouseError:
    """The error of a command that needs an existing warehouse and finds none at ``db`` (the CLI
    maps its "no warehouse at " prefix to exit status 2, a usage error)."""
    return WarehouseError(f"no warehouse at {db}: run `fmwatch run` or `fmwatch import` first")


def _sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _explain_open_error(path: str, error: Exception) -> str:
    text = str(error)
    if "lock" in text.lower():
        return (f"the warehouse {path} is locked by another process ({text.splitlines()[0]}). "
                "Close that process (an analyst's duckdb session, or another fmwatch run) or open "
                "the file read-only, then run again.")
    if "read-only" in text.lower() or "permission" in text.lower():
        return f"cannot write the warehouse {path}: {text}. Check the folder's permissions or set FMWATCH_DB."
    return f"cannot open the warehouse {path}: {text}"


# --- Arrow shapes of the staged rows ---------------------------------------------------------------

_STR = pa.string()
_STR_LIST = pa.list_(_STR)

STAGED_PUBMED_SCHEMA = pa.schema([
    ("run_id", _STR), ("seq", pa.int64()), ("origin", _STR), ("content_hash", _STR), ("deleted", pa.bool_()),
    ("pmid", _STR), ("pmid_version", pa.int32()), ("kind", _STR), ("title", _STR), ("abstract", _STR),
    ("abstract_sections", pa.list_(pa.struct([("label", _STR), ("nlm_category", _STR), ("text", _STR)]))),
    ("authors", pa.list_(pa.struct([
        ("last_name", _STR), ("fore_name", _STR), ("initials", _STR), ("collective_name", _STR),
        ("affiliations", _STR_LIST), ("orcid", _STR)]))),
    ("journal_title", _STR), ("journal_iso", _STR), ("issn", _STR), ("volume", _STR), ("issue", _STR),
    ("pages", _STR), ("pub_year", pa.int32()), ("pub_date", pa.date32()), ("pub_date_text", _STR),
    ("article_date", pa.date32()),
    ("history", pa.list_(pa.struct([("status", _STR), ("date", pa.date32())]))),
    ("languages", _STR_LIST), ("publication_types", _STR_LIST),
    ("mesh", pa.list_(pa.struct([
        ("descriptor", _STR), ("descriptor_ui", _STR), ("major_topic", pa.bool_()),
        ("qualifiers", _STR_LIST), ("major_qualifiers", _STR_LIST)]))),
    ("keywords", _STR_LIST), ("chemicals", _STR_LIST),
    ("article_ids", pa.list_(pa.struct([("id_type", _STR), ("value", _STR)]))),
    ("comments_corrections", pa.list_(pa.struct([("ref_type", _STR), ("ref_source", _STR), ("pmid", _STR)]))),
    ("grants", pa.list_(pa.struct([("grant_id", _STR), ("acronym", _STR), ("agency", _STR), ("country", _STR)]))),
    ("vernacular_title", _STR), ("english_title", _STR),
    ("reference_list", pa.list_(pa.struct([("citation", _STR), ("pmid", _STR), ("doi", _STR), ("pmcid", _STR)]))),
])

STAGED_FM_SCHEMA = pa.schema([
    ("run_id", _STR), ("seq", pa.int64()), ("origin", _STR), ("content_hash", _STR),
    ("slug", _STR), ("url", _STR), ("title", _STR), ("author", _STR), ("published_at", pa.timestamp("us")),
    ("modified_at", pa.timestamp("us")), ("categories", _STR_LIST), ("tags", _STR_LIST),
    ("comment_count", pa.int32()), ("body", _STR), ("generation", _STR),
    ("reference_list", pa.list_(pa.struct([
        ("raw_text", _STR), ("first_author", _STR), ("first_author_initials", _STR), ("journal", _STR),
        ("journal_raw", _STR), ("year", pa.int32()), ("date", pa.date32()), ("epub_ahead_of_print", pa.bool_()),
        ("volume", _STR), ("issue", _STR), ("pages", _STR)]))),
    ("mentions", pa.list_(pa.struct([("text", _STR), ("surname", _STR), ("place", _STR)]))),
])

CITATION_SCHEMA = pa.schema([
    ("from_record", _STR), ("ref_index", pa.int32()), ("raw_text", _STR), ("first_author", _STR),
    ("journal", _STR), ("year", pa.int32()), ("ref_date", pa.date32()), ("volume", _STR), ("pages", _STR),
    ("pmid", _STR), ("method", _STR), ("confidence", pa.float64()), ("note", _STR), ("candidates", _STR_LIST),
    ("run_id", _STR), ("resolved_at", pa.timestamp("us")),
])

EVIDENCE_SCHEMA = pa.schema([
    ("record_id", _STR), ("version", pa.int32()), ("source", _STR), ("extractor", _STR),
    ("extracted_at", pa.timestamp("us")), ("run_id", _STR), ("record", _STR),
])

FLAG_SCHEMA = pa.schema([
    ("record_id", _STR), ("flag_key", _STR), ("version", pa.int32()), ("flag_type", _STR), ("claim", _STR),
    ("relation", _STR), ("novelty", _STR_LIST), ("priority", pa.int32()), ("reason", _STR), ("evidence", _STR),
    ("judgement_hash", _STR), ("run_id", _STR),
])

RAW_SCHEMA = pa.schema([
    ("run_id", _STR), ("seq", pa.int32()), ("method", _STR), ("url", _STR), ("status", pa.int32()),
    ("fetched_at", pa.timestamp("us")), ("elapsed_ms", pa.int32()), ("body_bytes", pa.int32()),
    ("body_sha256", _STR), ("body_gzip", pa.binary()),
])

QUARANTINE_SCHEMA = pa.schema([
    ("source", _STR), ("origin", _STR), ("record_key", _STR), ("reason", _STR), ("raw_sha256", _STR),
    ("raw", pa.binary()), ("run_id", _STR), ("created_at", pa.timestamp("us")),
])


def _slots(obj) -> dict:
    return {name: getattr(obj, name) for name in obj.__slots__}


def _staged_row(item: ArticleRecord | Deletion, run_id: str, seq: int, origin: str) -> dict:
    if isinstance(item, Deletion):
        return {"run_id": run_id, "seq": seq, "origin": origin, "content_hash": DELETED_HASH,
                "deleted": True, "pmid": item.pmid}
    row = {
        "pmid": item.pmid, "pmid_version": item.pmid_version, "kind": item.kind, "title": item.title,
        "abstract": item.abstract,
        "abstract_sections": [_slots(s) for s in item.abstract_sections],
        "authors": [_slots(a) for a in item.authors],
        "journal_title": item.journal_title, "journal_iso": item.journal_iso, "issn": item.issn,
        "volume": item.volume, "issue": item.issue, "pages": item.pages, "pub_year": item.pub_year,
        "pub_date": item.pub_date, "pub_date_text": item.pub_date_text, "article_date": item.article_date,
        "history": [_slots(h) for h in item.history],
        "languages": item.languages, "publication_types": item.publication_types,
        "mesh": [_slots(m) for m in item.mesh],
        "keywords": item.keywords, "chemicals": item.chemicals,
        "article_ids": [{"id_type": k, "value": v} for k, v in item.article_ids.items()],
        "comments_corrections": [_slots(c) for c in item.comments_corrections],
        "grants": [_slots(g) for g in item.grants],
    }
    # Fields added after records were first stored (issue 13) enter the hash only when they hold
    # something, so a record without them keeps its hash and an upgrade writes no new versions.
    added = {"vernacular_title": item.vernacular_title, "english_title": item.english_title,
             "reference_list": [_slots(r) for r in item.references]}
    row.update({name: value for name, value in added.items() if value})
    # The hash of what was parsed, from the row we stage anyway (dataclasses.asdict would copy it all again).
    content_hash = hashlib.sha256(json.dumps(row, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()
    row.update(run_id=run_id, seq=seq, origin=origin, content_hash=content_hash, deleted=False)
    return row


# --- batched evidence and parallel parsing (issue 15b): pure builders a worker process can call ----

def evidence_tables(run_id: str, rows: Sequence[tuple[str, int, str, str, dict]],
                    flags: Sequence) -> tuple[pa.Table, pa.Table]:
    """The Arrow tables ``stage_evidence`` inserts, built without a connection (so a worker process
    pays for the JSON encoding, not the one publisher). Shapes: EVIDENCE_SCHEMA, FLAG_SCHEMA."""
    now = utcnow()
    evidence = pa.Table.from_pylist([
        {"record_id": r[0], "version": r[1], "source": r[2], "extractor": r[3], "extracted_at": now,
         "run_id": run_id, "record": json.dumps(r[4], ensure_ascii=False, default=str)} for r in rows],
        schema=EVIDENCE_SCHEMA)
    flag_table = pa.Table.from_pylist([
        {"record_id": f.record_id, "flag_key": f.flag_key, "version": version, "flag_type": f.flag_type,
         "claim": f.claim, "relation": f.relation, "novelty": f.novelty, "priority": f.priority,
         "reason": f.reason, "evidence": json.dumps(f.evidence, ensure_ascii=False),
         "judgement_hash": f.judgement_hash, "run_id": run_id} for f, version in flags],
        schema=FLAG_SCHEMA)
    return evidence, flag_table


def staged_pubmed_table(items: Iterable[ArticleRecord | Deletion], run_id: str, origin: str,
                        first_seq: int) -> pa.Table:
    """PubMed records (and deletions) as staged rows (STAGED_PUBMED_SCHEMA), numbered from
    ``first_seq`` in the order given: a later ``seq`` wins when a run stages a PMID twice."""
    rows = [_staged_row(item, run_id, first_seq + n, origin) for n, item in enumerate(items)]
    return pa.Table.from_pylist(rows, schema=STAGED_PUBMED_SCHEMA)
