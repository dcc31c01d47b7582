"""A run waiting on the network holds no lock on the warehouse (issue 16), written by the team.

A run stuck on a slow E-utilities server (loopback, each efetch held back until the test lets it
go) stages into a private file and holds only its run lock: in other processes, an editor's
``fmwatch flag seen`` and ``fmwatch digest`` write at once (with no lock wait at all), a second
``fmwatch run`` is refused at once with one clear line, and a run killed mid-fetch leaves only its
stage file, which the next run removes before ending where a clean run does.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date

import pytest

from fmwatch import lakehouse
from fmwatch.pipeline import run_pipeline
from fmwatch.settings import Watch, load_settings
from fmwatch.warehouse import Warehouse, WarehouseError, run_folder

from .fake_eutils import FakeEutils

WATCH = Watch(name="held", query="magnesium AND fibromyalgia")
RECORDS = 600  # three efetch batches of 200


class Gate:
    """Holds every efetch from ``retstart`` on (the first batches go through) until ``open()``."""

    def __init__(self, retstart: int = 200):
        self.retstart, self.released, self.waiting = retstart, threading.Event(), threading.Event()

    def __call__(self, server, entry):
        if entry.endpoint == "efetch" and int(entry.params.get("retstart", 0)) >= self.retstart:
            self.waiting.set()
            self.released.wait(timeout=120)
        return None  # then the normal answer

    def open(self):
        self.released.set()


@pytest.fixture
def fake(httpserver):
    server = FakeEutils()
    server.url = server.install(httpserver)
    for i in range(RECORDS):
        server.add(71000000 + i, date(2024, 1, 1 + i % 28))
    yield server
    if isinstance(server.fault, Gate):
        server.fault.open()  # never leave the server's thread waiting


def _env(tmp_path, fake, db, **extra) -> dict:
    (tmp_path / "watch.toml").write_text(f'[[watch]]\nname = "{WATCH.name}"\nquery = "{WATCH.query}"\n')
    return {**os.environ, "FMWATCH_EUTILS_URL": fake.url, "FMWATCH_DB": str(db), "FMWATCH_EFETCH_BATCH_SIZE": "200",
            "FMWATCH_CONFIG": str(tmp_path / "watch.toml"), "FMWATCH_TIMEOUT_SECONDS": "120",
            "FMWATCH_REQUEST_DEADLINE_SECONDS": "300", "FMWATCH_BACKOFF_SECONDS": "0.01",
            "NCBI_EMAIL": "editor@example.org", **extra}


def _fmwatch(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fmwatch.cli", *args], env=env, capture_output=True, text=True,
                          timeout=180)


def _start_run(env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "fmwatch.cli", "run", "--source", "pubmed"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _wait_until_held(gate: Gate, run: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while not gate.waiting.is_set():
        assert run.poll() is None, f"the run ended before it reached the held efetch: {run.stderr.read()}"
        assert time.monotonic() < deadline, "the run never reached the held efetch"
        time.sleep(0.05)


def _a_new_flag(db) -> str:
    """Fill ``db`` by an offline run and return the id of a flag an editor has not seen yet."""
    offline = _fmwatch({**os.environ, "FMWATCH_DB": str(db)}, "run", "--offline")
    assert offline.returncode == 0, offline.stderr
    with Warehouse.open(db, read_only=True) as wh:
        return next(f["id"] for f in wh.list_flags() if f["state"] == "new")


def _records(db) -> list[tuple]:
    with Warehouse.open(db, read_only=True) as wh:
        return wh.con.execute("select record_key, version, content_hash from record_versions order by all").fetchall()


def _stages(db) -> list:
    return sorted(run_folder(str(db)).glob("stage-*.duckdb"))


def test_an_editor_writes_at_once_and_a_second_run_is_refused_while_a_run_waits_on_the_network(fake, tmp_path):
    db = tmp_path / "w.duckdb"
    flag = _a_new_flag(db)
    fake.fault = gate = Gate()
    env = _env(tmp_path, fake, db)
    run = _start_run(env)
    try:
        _wait_until_held(gate, run)
        assert _stages(db), "the run stages into a file of its own"
        # The editor's triage, in another process, with no lock wait at all: it fails if anything holds the file
        editor = {**env, "FMWATCH_DB_LOCK_WAIT_SECONDS": "0"}
        triage = _fmwatch(editor, "flag", "seen", flag)
        assert triage.returncode == 0, triage.stderr
        digest = _fmwatch(editor, "digest", "--preview", "--out", str(tmp_path / "digests"))
        assert digest.returncode == 0, digest.stderr
        # A second run: refused at once, in one line naming the run that holds the warehouse, before any request
        requests_before = len(fake.log)
        started = time.monotonic()
        second = _fmwatch(env, "run", "--source", "pubmed")
        assert second.returncode == 1
        message = second.stderr.strip()
        assert "another fmwatch run is writing the warehouse" in message and str(db) in message
        assert f"process {run.pid}" in message and "Traceback" not in message
        assert len(message.splitlines()) == 1, message
        assert len(fake.log) == requests_before
        assert time.monotonic() - started < 60  # no lock wait (the process start is most of it)
        assert run.poll() is None, "the first run was still fetching throughout"
    finally:
        gate.open()
    assert run.wait(timeout=180) == 0, run.stderr.read()
    with Warehouse.open(db, read_only=True) as wh:
        assert {f["id"]: f["state"] for f in wh.list_flags()}[flag] == "seen"  # the run's publish kept the triage
        assert wh.con.execute("select count(*) from articles where pmid like '710%'").fetchall() == [(RECORDS,)]
        assert wh.con.execute("select count(*) from digests").fetchall() == [(1,)]
    assert _stages(db) == []  # the stage goes with the run


def test_a_run_killed_mid_fetch_leaves_only_its_stage_and_the_rerun_ends_where_a_clean_run_does(fake, tmp_path):
    clean = tmp_path / "clean.duckdb"
    run_pipeline(load_settings(None, db=clean, eutils_url=fake.url, watches=[WATCH], efetch_batch_size=200),
                 sources=["pubmed"])
    db = tmp_path / "killed.duckdb"
    env = _env(tmp_path, fake, db)
    fake.fault = gate = Gate()
    run = _start_run(env)
    try:
        _wait_until_held(gate, run)
        run.send_signal(signal.SIGKILL)
        run.wait()
    finally:
        gate.open()
    (leftover,) = _stages(db)  # the first batch is in it
    assert leftover.stat().st_size > 0
    assert _records(db) == []  # nothing of the killed run was published
    fake.fault = None
    rerun = _fmwatch(env, "run", "--source", "pubmed")
    assert rerun.returncode == 0, rerun.stderr
    assert _stages(db) == []  # the leftover was removed
    assert _records(db) == _records(clean) and len(_records(db)) == RECORDS
    with Warehouse.open(db, read_only=True) as wh:
        assert wh.con.execute("select status from runs").fetchall() == [("succeeded",)]


# --- the same on a DuckLake (a PostgreSQL catalog: tests/test_ducklake.py's fixture) -----------------

from .test_ducklake import lake, needs_postgres  # noqa: E402,F401  (the fixture, and its skip without PostgreSQL)


@needs_postgres
def test_a_run_on_a_ducklake_holds_no_writer_lock_while_it_waits_on_the_network(fake, tmp_path, lake):
    env = _env(tmp_path, fake, lake["db"], FMWATCH_DUCKLAKE_DATA_PATH=lake["data"])
    fake.fault = gate = Gate()
    run = _start_run(env)
    try:
        _wait_until_held(gate, run)
        Warehouse.open(lake["db"], lock_wait=0).close()  # the lake's writer lock is free: triage would write
        settings = load_settings(None, db=lake["db"], eutils_url=fake.url, watches=[WATCH])
        with pytest.raises(WarehouseError, match="another fmwatch run is writing the warehouse ducklake:"):
            run_pipeline(settings, sources=["pubmed"])  # on this machine, the run folder's lock says so
        # a run on another machine meets the lake's own run lock, in PostgreSQL
        with pytest.raises(lakehouse.LakehouseError, match="another fmwatch run is writing the DuckLake .*fmwatch run from"):
            lakehouse.acquire_run_lock(lake["db"])
        assert run.poll() is None
    finally:
        gate.open()
    assert run.wait(timeout=300) == 0, run.stderr.read()
    with Warehouse.open(lake["db"], read_only=True) as wh:
        assert wh.con.execute("select count(*) from articles").fetchall() == [(RECORDS,)]
        assert wh.con.execute("select status from runs").fetchall() == [("succeeded",)]
    assert not list(run_folder(lake["db"]).glob("stage-*"))


class AnyRequestGate(Gate):
    """Holds every E-utilities request (an import's citation look-ups) until ``open()``."""

    def __call__(self, server, entry):
        self.waiting.set()
        self.released.wait(timeout=120)
        return None


def test_an_editor_writes_at_once_while_an_import_waits_on_its_citation_look_ups(fake, tmp_path):
    from .test_reliability import DATA
    db = tmp_path / "w.duckdb"
    flag = _a_new_flag(db)
    with Warehouse.open(db, read_only=True) as wh:
        (articles_before,) = wh.con.execute("select count(*) from fm_articles").fetchone()
    fake.fault = gate = AnyRequestGate()
    env = _env(tmp_path, fake, db)
    importing = subprocess.Popen([sys.executable, "-m", "fmwatch.cli", "import", str(DATA / "php_article.html")],
                                 env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        _wait_until_held(gate, importing)
        assert _stages(db), "the import stages into a file of its own"
        triage = _fmwatch({**env, "FMWATCH_DB_LOCK_WAIT_SECONDS": "0"}, "flag", "seen", flag)
        assert triage.returncode == 0, triage.stderr
        assert importing.poll() is None, "the import was still waiting on E-utilities"
    finally:
        gate.open()
    assert importing.wait(timeout=180) == 0, importing.stderr.read()
    with Warehouse.open(db, read_only=True) as wh:
        assert {f["id"]: f["state"] for f in wh.list_flags()}[flag] == "seen"
        assert wh.con.execute("select count(*) from fm_articles").fetchone() == (articles_before + 1,)  # the page
    assert _stages(db) == []
