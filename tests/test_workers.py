"""Parallel parsing and extraction (issue 15b): worker processes give the warehouse exactly what one
process gives, evidence is read and written in bounded batches, and one process writes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fmwatch import pipeline
from fmwatch.parse.pubmed_xml import iter_pubmed_xml
from fmwatch.settings import load_settings
from fmwatch.warehouse import Warehouse
from fmwatch.workers import WorkerPool, default_workers

from .conftest import FIXTURES, MEDLINE_FILES, PUBMED_XML_FILES

SNAPSHOT = Path(pipeline.snapshot_folder("eutils"))
# The shipped snapshot's magnesium and trial records (written by the team) raise flags; the
# shared fixtures are real records of other subjects.
FILES = [*PUBMED_XML_FILES, *MEDLINE_FILES, SNAPSHOT / "efetch_mg.xml", SNAPSHOT / "efetch_trials.xml",
         FIXTURES / "pubmed-files" / "test_current_medline.xml.gz"]


def square(n: int) -> int:
    return n * n


def pid_of(_: int) -> int:
    return os.getpid()


def fails_on(n: int) -> int:
    if n == 3:
        raise ValueError("unit 3 is bad")
    return n


def dies(n: int) -> int:
    if n == 2:
        os._exit(9)  # a worker killed (the kernel's OOM killer, a pod evicted)
    return n


def evidence_state(db) -> tuple[list, list, list]:
    with Warehouse.open(db, read_only=True) as wh:
        return (
            wh.con.execute("select source, record_key, version, content_hash, deleted from record_versions order by all").fetchall(),
            wh.con.execute("select record_id, version, extractor, record::VARCHAR from evidence_records order by all").fetchall(),
            wh.con.execute("select record_id, flag_key, version, relation, judgement_hash from flags order by all").fetchall(),
        )


def test_the_default_is_one_worker_per_cpu_and_zero_is_refused():
    assert default_workers() == len(os.sched_getaffinity(0))
    assert load_settings(None).workers == default_workers()
    with pytest.raises(ValueError, match="at least 1"):
        WorkerPool(0)


def test_the_pool_returns_results_in_order_from_other_processes():
    with WorkerPool(2) as pool:
        assert list(pool.map(square, ((n,) for n in range(7)), in_flight=2)) == [n * n for n in range(7)]
        pids = set(pool.map(pid_of, ((n,) for n in range(4))))
    assert os.getpid() not in pids and 1 <= len(pids) <= 2
    with WorkerPool(1) as pool:  # one worker: the work stays in this process
        assert set(pool.map(pid_of, ((n,) for n in range(3)))) == {os.getpid()}
    with WorkerPool(2) as pool:  # a single unit never starts a pool
        assert list(pool.map(pid_of, [(0,)])) == [os.getpid()]


def test_a_units_error_is_raised_at_its_turn_after_the_results_before_it():
    seen = []
    with pytest.raises(ValueError, match="unit 3 is bad"), WorkerPool(2) as pool:
        for result in pool.map(fails_on, ((n,) for n in range(6))):
            seen.append(result)
    assert seen == [0, 1, 2]


def test_the_pool_draws_units_lazily_with_a_bounded_number_in_flight():
    drawn = []

    def units():
        for n in range(20):
            drawn.append(n)
            yield (n,)

    with WorkerPool(2) as pool:
        results = pool.map(square, units(), in_flight=3)
        assert next(results) == 0
        assert len(drawn) <= 4  # three in flight, plus the one being submitted
        assert list(results) == [n * n for n in range(1, 20)]


def test_pending_evidence_comes_in_bounded_keyset_batches_covering_every_row_once(tmp_path):
    db = tmp_path / "w.duckdb"
    pipeline.import_files(load_settings(None, db=db), FILES, offline=True, extract=False, workers=1)
    with Warehouse.open(db) as wh:
        whole_pubmed, whole_fm = wh.pending_evidence()
        batches = list(wh.iter_pending_evidence(False, batch_size=3))
        again = list(wh.iter_pending_evidence(True, batch_size=4))
    assert len(whole_pubmed) > 9 and all(0 < len(p) + len(f) <= 3 and not (p and f) for p, f in batches)
    assert [row for p, _ in batches for row in p] == whole_pubmed  # same rows, same order, none twice
    assert [row for _, f in batches for row in f] == whole_fm
    assert sum(len(p) for p, _ in again) == len(whole_pubmed)


def test_two_worker_processes_give_the_warehouse_one_process_gives(tmp_path):
    one, two = tmp_path / "one.duckdb", tmp_path / "two.duckdb"
    first = pipeline.import_files(load_settings(None, db=one), FILES, offline=True, workers=1)
    second = pipeline.import_files(load_settings(None, db=two), FILES, offline=True, workers=2)
    # the extraction in small batches, so several batches go through the pool
    with Warehouse.open(two) as wh:
        wh.con.execute("delete from evidence_records; delete from flags")
    with Warehouse.open(two) as wh:
        rerun = pipeline.extract_and_flag(wh, "rerun", workers=2, batch_size=4)
    assert first.published.versions_new == second.published.versions_new > 9
    assert first.extracted.records == second.extracted.records == rerun.records == first.published.versions_new
    assert rerun.flags == first.extracted.flags > 0 and not rerun.failed
    state_one, state_two = evidence_state(one), evidence_state(two)
    assert state_one[0] == state_two[0]
    assert [row[:3] for row in state_one[1]] == [row[:3] for row in state_two[1]]
    assert [row[3] for row in state_one[1]] == [row[3] for row in state_two[1]]  # the same JSON, record by record
    assert state_one[2] == state_two[2]
    # and a rerun of the import through the pool changes nothing
    again = pipeline.import_files(load_settings(None, db=two), FILES, offline=True, workers=2)
    assert again.published.versions_new == 0 and not again.published.recorded


def test_the_last_file_wins_for_a_pmid_however_the_workers_finish(tmp_path):
    original = PUBMED_XML_FILES[0].read_bytes()
    changed = tmp_path / "changed.xml"
    title = original.split(b"<ArticleTitle>", 1)[1].split(b"</ArticleTitle>", 1)[0]
    changed.write_bytes(original.replace(b"<ArticleTitle>" + title, b"<ArticleTitle>Changed title", 1))
    # a large first file, so the small last one is parsed first
    big = FILES[:-3]
    for order, expected in (([*big, PUBMED_XML_FILES[0], changed], "Changed title"),
                            ([*big, changed, PUBMED_XML_FILES[0]], title.decode())):
        db = tmp_path / f"{expected[:3]}.duckdb"
        pipeline.import_files(load_settings(None, db=db), order, offline=True, extract=False, workers=2)
        with Warehouse.open(db, read_only=True) as wh:
            titles = {r[0] for r in wh.con.execute("select title from pubmed_article_versions").fetchall()}
        assert expected in titles and ({"Changed title", title.decode()} - {expected}).isdisjoint(titles)


def test_an_unreadable_file_among_others_is_quarantined_by_the_workers(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"neither PubMed XML nor MEDLINE text")
    db = tmp_path / "w.duckdb"
    summary = pipeline.import_files(load_settings(None, db=db), [*PUBMED_XML_FILES, bad], offline=True,
                                    extract=False, workers=2)
    assert [q.origin for q in summary.quarantined] == [str(bad.resolve())]
    assert summary.published.versions_new == sum(1 for f in PUBMED_XML_FILES for _ in iter_pubmed_xml(str(f)))


def test_a_worker_that_dies_ends_the_map_with_broken_process_pool():
    from concurrent.futures.process import BrokenProcessPool

    with pytest.raises(BrokenProcessPool), WorkerPool(2) as pool:
        list(pool.map(dies, ((n,) for n in range(5))))


def test_an_import_never_reads_every_pending_row_at_once(tmp_path, monkeypatch):
    """The unbounded pending_evidence (all rows, sorted, fetched at once: out of memory at 50k
    records under the 128 MB limit) is not on the import's path; evidence goes in batches."""
    def unbounded(*args, **kwargs):
        raise AssertionError("pending_evidence read every pending row at once")

    staged = []
    real = Warehouse.stage_tables

    def counting(self, evidence=None, flags=None, pubmed=None):
        staged.append(evidence.num_rows if evidence is not None else 0)
        return real(self, evidence, flags, pubmed)

    monkeypatch.setattr(Warehouse, "pending_evidence", unbounded)
    monkeypatch.setattr(Warehouse, "stage_tables", counting)
    db = tmp_path / "w.duckdb"
    summary = pipeline.import_files(load_settings(None, db=db), FILES, offline=True, extract=False, workers=1)
    with Warehouse.open(db) as wh:
        result = pipeline.extract_and_flag(wh, "batched", workers=1, batch_size=5)
    assert result.records == summary.published.versions_new > 10
    assert max(staged) <= 5 and sum(staged) == result.records and len(staged) >= result.records / 5
