"""The benchmark's 1k-record smoke run: it must run and report every figure (timings are not asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_bench_smoke_reports_every_figure(tmp_path):
    out = tmp_path / "latest.json"
    subprocess.run([sys.executable, str(REPO / "bench" / "run.py"), "--smoke", "--out", str(out)],
                   check=True, capture_output=True, timeout=600)
    report = json.loads(out.read_text())
    parse = report["parse"]["1000"]
    assert set(parse) == {"floor_iterparse", "biopython", "fmwatch_parse", "fmwatch_parse_load"}
    assert all(row["records"] == 1000 for row in parse.values())
    assert report["extraction"]["abstracts"] == 1999
    pipeline = report["pipeline"]
    assert pipeline["versions_new_first_run"] == 1000 and pipeline["versions_new_rerun"] == 0
    assert pipeline["requests_first_run"] <= pipeline["requests_goal_first_run"]
    assert pipeline["requests_no_op_rerun"] <= 2
