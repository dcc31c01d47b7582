"""Readers and the writer of the embedded DuckDB warehouse: analysts read immutable snapshots, so they
never block a run or an editor's triage, and a publish never breaks a reader. Opening writes nothing
unless a migration is due. Pending evidence comes in bounded batches."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from fmwatch import pipeline
from fmwatch.cli import app
from fmwatch.settings import load_settings
from fmwatch.warehouse import (Warehouse, WarehouseError, _file_state, current_snapshot, read_pointer,
                               snapshot_folder)

from .conftest import PUBMED_XML_FILES

runner = CliRunner()


def fmwatch(db, *args):
    return runner.invoke(app, ["--db", str(db), *args], catch_exceptions=False)


def holder(path: Path, sql: str = "select count(*) from articles"):
    """An analyst in another process: opens ``path`` read-only, answers one query, then waits."""
    process = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=True); "
         "print(c.execute(sys.argv[2]).fetchall()[0][0], flush=True); sys.stdin.readline(); "
         "print(c.execute(sys.argv[2]).fetchall()[0][0], flush=True)", str(path), sql],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    return process, process.stdout.readline().strip()


def release(process) -> str:
    """Ask the analyst for the same query again on the connection it kept, then let it go."""
    answer, _ = process.communicate("again\n", timeout=60)
    return answer.strip()


@pytest.fixture
def offline_db(db_path):
    assert fmwatch(db_path, "run", "--offline").exit_code == 0
    return db_path


def test_a_run_publishes_a_read_snapshot_that_the_read_commands_open(offline_db):
    link = read_pointer(offline_db)
    assert link.is_symlink() and link.name == "fmwatch-read.duckdb"
    snapshot = current_snapshot(offline_db)
    assert snapshot.parent == snapshot_folder(offline_db) and snapshot.exists()
    with Warehouse.open(offline_db, read_only=True) as wh:
        assert wh.snapshot == snapshot
        assert wh.con.execute("select count(*) from articles").fetchall() == [(5,)]
        assert wh.con.execute("select count(*) from trials").fetchall()[0][0] > 0  # the evidence is in it too
    # the snapshot is a whole warehouse an analyst opens with DuckDB alone, views included
    with duckdb.connect(str(link), read_only=True) as con:
        assert con.execute("select count(*) from evidence_flags").fetchall()[0][0] > 0


def test_an_analyst_holding_the_snapshot_blocks_neither_a_run_nor_triage(offline_db, tmp_path):
    flag_id = json.loads(fmwatch(offline_db, "flags", "--format", "json").stdout)[0]["id"]
    analyst, first = holder(read_pointer(offline_db), "select count(*) from run_log")
    try:
        assert first == "1"
        again = fmwatch(offline_db, "run", "--offline")  # a run writes while the analyst reads
        assert again.exit_code == 0, again.output
        triage = fmwatch(offline_db, "flag", "seen", flag_id)
        assert triage.exit_code == 0, triage.output
        digest = fmwatch(offline_db, "digest", "--out", str(tmp_path / "digests"))
        assert digest.exit_code == 0, digest.output
        # new readers see the new state; the analyst keeps a consistent view of the old one
        states = json.loads(fmwatch(offline_db, "flags", "--format", "json").stdout)
        assert {f["id"]: f["state"] for f in states}[flag_id] == "seen"
        out = fmwatch(offline_db, "sql", "select count(*) as n from runs", "--format", "json")
        assert json.loads(out.stdout) == [{"n": 2}]
        assert json.loads(fmwatch(offline_db, "sql", "select count(*) as n from digests", "--format", "json")
                          .stdout) == [{"n": 1}]
    finally:
        still = release(analyst)
    assert still == "1"  # its snapshot was neither changed nor taken away under it


def test_old_snapshots_are_collected_unless_a_reader_holds_them(offline_db):
    held = current_snapshot(offline_db)
    analyst, _ = holder(held)
    try:
        for _ in range(4):
            with Warehouse.open(offline_db) as wh:
                wh.publish_read_snapshot()
        names = sorted(p.name for p in snapshot_folder(offline_db).iterdir())
        current = current_snapshot(offline_db)
        # the one held, the current one and the one before it; the others are gone
        previous = f"{int(current.name.split('.')[0]) - 1:06d}.duckdb"
        assert names == sorted({held.name, previous, current.name})
    finally:
        release(analyst)
    with Warehouse.open(offline_db) as wh:
        wh.publish_read_snapshot()
    assert held.name not in {p.name for p in snapshot_folder(offline_db).iterdir()}


def test_opening_and_reading_write_nothing_unless_a_migration_is_due(offline_db):
    with Warehouse.open(offline_db) as wh:  # settle: whatever the close of the run left
        pass
    before = _file_state(str(offline_db))
    snapshots = sorted(snapshot_folder(offline_db).iterdir())
    for _ in range(2):
        with Warehouse.open(offline_db) as wh:
            assert wh.migrate_if_due() == []
            wh.con.execute("select count(*) from articles").fetchall()
        with Warehouse.open(offline_db, read_only=True) as wh:
            wh.con.execute("select count(*) from articles").fetchall()
    assert _file_state(str(offline_db)) == before
    assert sorted(snapshot_folder(offline_db).iterdir()) == snapshots  # and no new snapshot
    # a changed view is due: the next writer rebuilds the views (and only then writes)
    with Warehouse.open(offline_db) as wh:
        wh.con.execute("update schema_views set fingerprint = 'an older set of views'")
    with Warehouse.open(offline_db) as wh:
        assert wh.migrate_if_due() == []
        assert wh.con.execute("select fingerprint from schema_views").fetchall() != [("an older set of views",)]


def _can_bind_mount_read_only() -> bool:
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount --bind / /mnt && mount -o remount,bind,ro /mnt"],
                           capture_output=True)
    return probe.returncode == 0


def test_a_warehouse_in_a_read_only_folder_is_read_without_a_traceback(offline_db):
    if not _can_bind_mount_read_only():
        pytest.skip("no mount namespaces here (unshare -m)")
    folder = offline_db.parent
    flag_id = json.loads(fmwatch(offline_db, "flags", "--format", "json").stdout)[0]["id"]
    mount = f"mount --bind {folder} {folder} && mount -o remount,bind,ro {folder} && exec \"$@\""

    def cli(*args):
        return subprocess.run(["unshare", "-m", "sh", "-c", mount, "sh", sys.executable, "-m", "fmwatch.cli",
                               "--db", str(offline_db), *args], capture_output=True, text=True, timeout=120)
    for args in (("status",), ("flags",), ("sql", "select count(*) from articles")):
        result = cli(*args)
        assert result.returncode == 0 and "Traceback" not in result.stderr, (args, result.stderr)
    # the same without snapshots (a warehouse from before them): read-only opens of the file itself
    os.unlink(read_pointer(offline_db))
    assert cli("status").returncode == 0
    # a writer opens without writing, and a triage that must write fails with what to do
    result = cli("flag", "seen", flag_id)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "cannot write the warehouse" in result.stderr


def test_a_writer_waits_for_another_writer_then_names_it(offline_db):
    blocker = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                                "print('held', flush=True); time.sleep(float(sys.argv[2]))", str(offline_db), "1.5"],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert blocker.stdout.readline().strip() == "held"
        with Warehouse.open(offline_db, lock_wait=30) as wh:  # waits the 1.5 s out
            assert wh.con.execute("select count(*) from run_log").fetchall() == [(1,)]
    finally:
        blocker.wait()
    blocker = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                                "print('held', flush=True); time.sleep(30)", str(offline_db)],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert blocker.stdout.readline().strip() == "held"
        with pytest.raises(WarehouseError, match="locked by another process"):
            Warehouse.open(offline_db, lock_wait=0.3)
    finally:
        blocker.kill()
        blocker.wait()


def test_pending_evidence_comes_in_bounded_batches(db_path):
    settings = load_settings(None, db=db_path)
    pipeline.import_files(settings, PUBMED_XML_FILES, extract=False)
    with Warehouse.open(db_path) as wh:
        whole_pubmed, whole_fm = wh.pending_evidence()
        batches = list(wh.iter_pending_evidence(batch_size=2))
        assert batches and all(len(p) + len(f) <= 2 and not (p and f) for p, f in batches)
        streamed = [row for p, _ in batches for row in p]
        assert sorted(streamed) == sorted(whole_pubmed) and len(streamed) == len(whole_pubmed) > 2
        pmids = {pmid for pmid, in wh.con.execute("select pmid from articles").fetchall()}
        assert {row[0] for row in streamed} == pmids
        # staging evidence between batches is allowed: the cursor reads on
        rows = []
        for pubmed_rows, _ in wh.iter_pending_evidence(batch_size=3):
            rows += pubmed_rows
            wh.stage_evidence("test-run", [(f"pubmed:{r[0]}", r[1], "pubmed", "test", {"pmid": r[0]})
                                           for r in pubmed_rows], [])
        assert len(rows) == len(whole_pubmed)
        wh.publish_evidence()
        assert list(wh.iter_pending_evidence()) == []
        assert sum(len(p) for p, _ in wh.iter_pending_evidence(everything=True, batch_size=4)) == len(pmids)
        # a generator closed early closes its cursor, and the warehouse goes on working
        early = wh.iter_pending_evidence(everything=True, batch_size=1)
        next(early)
        early.close()
        wh.clear_staging()


def test_publishing_a_snapshot_keeps_the_write_lock(offline_db):
    """POSIX drops a process's fcntl locks on a file when it closes any descriptor of it: the copy
    must not hand the writer's lock to another process (the soak test found it)."""
    probe = [sys.executable, "-c", "import duckdb, sys\ntry:\n    duckdb.connect(sys.argv[1])\nexcept duckdb.IOException "
             "as e:\n    print('refused' if 'lock' in str(e).lower() else e)\nelse:\n    print('opened')", str(offline_db)]
    with Warehouse.open(offline_db) as wh:
        assert subprocess.run(probe, capture_output=True, text=True).stdout.strip() == "refused"
        wh.publish_read_snapshot()
        assert subprocess.run(probe, capture_output=True, text=True).stdout.strip() == "refused"
    assert subprocess.run(probe, capture_output=True, text=True).stdout.strip() == "opened"
