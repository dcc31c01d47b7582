"""The Prefect side of the parallel units (issue 15b): the flows run the library's own loop with each
file and each extraction batch a task on a process-pool task runner, and get what the library gets."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.task_runners import ProcessPoolTaskRunner
from prefect.testing.utilities import prefect_test_harness

from fmwatch import pipeline
from fmwatch.settings import load_settings

from .test_workers import FILES, evidence_state

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "flows"))
import fmwatch_flows  # noqa: E402


@pytest.fixture(scope="module")
def harness():
    with prefect_test_harness(server_startup_timeout=120):
        yield


def test_the_flows_run_on_a_process_pool_task_runner():
    for flow in (fmwatch_flows.import_files, fmwatch_flows.extract_and_flag):
        assert isinstance(flow.task_runner, ProcessPoolTaskRunner)


def test_the_import_flow_parses_and_extracts_in_tasks_and_matches_the_library(harness, tmp_path, monkeypatch):
    monkeypatch.setenv("FMWATCH_WORKERS", "2")
    library, flowed = tmp_path / "library.duckdb", tmp_path / "flow.duckdb"
    pipeline.import_files(load_settings(None, db=library), FILES, offline=True, workers=1)
    state = fmwatch_flows.import_files(paths=[str(p) for p in FILES], db=str(flowed), offline=True,
                                       extract=False, return_state=True)
    assert state.is_completed(), state
    result = fmwatch_flows.extract_and_flag(db=str(flowed), batch_size=4, return_state=True)
    assert result.is_completed(), result
    assert result.result()["records"] == state.result()["versions_new"] > 9
    assert evidence_state(library)[0] == evidence_state(flowed)[0]
    assert [r[:2] + r[3:] for r in evidence_state(library)[1]] == [r[:2] + r[3:] for r in evidence_state(flowed)[1]]
    assert evidence_state(library)[2] == evidence_state(flowed)[2]
    with get_client(sync_client=True) as client:
        runs = client.read_task_runs()
    parses = [t for t in runs if t.flow_run_id == state.state_details.flow_run_id and t.name.startswith("parse ")]
    extracts = [t for t in runs if t.flow_run_id == result.state_details.flow_run_id
                and t.name.startswith("extract and judge")]
    assert len(parses) == len(FILES) and all(t.state.is_completed() for t in parses)
    assert len(extracts) == -(-result.result()["records"] // 4)  # ceil: one task per batch of 4


def test_the_mirror_flow_ingests_bulk_files_in_tasks_and_a_rerun_skips_them(harness, tmp_path, httpserver, monkeypatch):
    from .test_mirror import NlmServer, bulk_file, mirror_files, real_articles

    nlm = NlmServer(httpserver)
    articles = real_articles()
    nlm.put("baseline", "pubmed26n0001.xml.gz", bulk_file(articles[:6]))
    nlm.put("updatefiles", "pubmed26n0002.xml.gz", bulk_file(articles[6:]))
    monkeypatch.setenv("FMWATCH_MIRROR_URL", nlm.url)
    monkeypatch.setenv("FMWATCH_WORKERS", "2")
    db = str(tmp_path / "w.duckdb")
    first = fmwatch_flows.sync_mirror(db=db, return_state=True)
    assert first.is_completed(), first
    assert first.result()["files"] == 2 and first.result()["records"] == len(articles)
    assert [f[0] for f in mirror_files(tmp_path / "w.duckdb")] == ["pubmed26n0001.xml.gz", "pubmed26n0002.xml.gz"]
    assert fmwatch_flows.sync_mirror(db=db)["files"] == 0
    with get_client(sync_client=True) as client:
        units = [t for t in client.read_task_runs() if t.flow_run_id == first.state_details.flow_run_id]
    assert sorted(t.name for t in units) == ["bulk file pubmed26n0001.xml.gz", "bulk file pubmed26n0002.xml.gz"]
