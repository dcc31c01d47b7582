"""Small runs stay in one process (README, "Worker processes"): the first `make run`, a few PubMed
records and a few site pages, must not start worker processes, each of which started a temporary
Prefect server of its own under the flows (measured: 11 records took 51 s to extract, 2 s after).

The pool here records what it is asked to run elsewhere; the flows pass one that submits each unit
as a Prefect task to a process pool."""

from __future__ import annotations

from fmwatch import pipeline
from fmwatch.warehouse import Warehouse, new_run_id
from fmwatch.workers import WorkerPool


class RecordingPool(WorkerPool):
    """A WorkerPool whose ``submit`` runs the unit here, noting each one it was handed."""

    def __init__(self):
        self.submitted: list[tuple[int, int]] = []  # (PubMed rows, site rows) of each unit

        class Done:
            def __init__(self, value):
                self.value = value

            def result(self):
                return self.value

        def submit(fn, run_id, pubmed_rows, fm_rows, known):
            self.submitted.append((len(pubmed_rows), len(fm_rows)))
            return Done(fn(run_id, pubmed_rows, fm_rows, known))

        super().__init__(2, submit=submit)


def _extract(db, batch_size: int) -> tuple[pipeline.ExtractSummary, RecordingPool]:
    pool = RecordingPool()
    with Warehouse.open(db) as warehouse:
        summary = pipeline.extract_and_flag(warehouse, new_run_id(), everything=True, pool=pool,
                                            batch_size=batch_size)
    return summary, pool


def test_a_small_run_of_both_sources_is_one_unit_run_in_this_process(offline_db, tmp_path):
    db = tmp_path / "copy.duckdb"
    db.write_bytes(offline_db.read_bytes())
    with Warehouse.open(db, read_only=True) as wh:
        pubmed = wh.con.execute("select count(*) from articles").fetchone()[0]
        site = wh.con.execute("select count(*) from fm_articles").fetchone()[0]
    assert pubmed and site  # both sources, as in the first `make run`
    summary, pool = _extract(db, batch_size=pipeline.EXTRACT_BATCH)
    assert pool.submitted == []  # one unit: no worker started
    assert summary.records == pubmed + site and not summary.failed


def test_a_large_run_still_goes_to_the_workers_in_full_batches(offline_db, tmp_path):
    db = tmp_path / "copy.duckdb"
    db.write_bytes(offline_db.read_bytes())
    with Warehouse.open(db, read_only=True) as wh:
        pubmed = wh.con.execute("select count(*) from articles").fetchone()[0]
        site = wh.con.execute("select count(*) from fm_articles").fetchone()[0]
    batch = 3
    summary, pool = _extract(db, batch_size=batch)
    assert summary.records == pubmed + site
    assert len(pool.submitted) >= 2 and all(sum(unit) <= batch for unit in pool.submitted)
    assert sum(p for p, _ in pool.submitted) == pubmed and sum(f for _, f in pool.submitted) == site
    # a short last page of PubMed is topped up with site pages rather than sent alone
    assert sum(1 for unit in pool.submitted if sum(unit) < batch) <= 1
