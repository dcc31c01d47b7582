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
    # issue 15b: end to end with extraction on 1 and 2 worker processes beside the floor, on distinct records
    e2e = report["end_to_end"]
    assert e2e["distinct"] == e2e["records"] == 1000 and e2e["files"] > 1
    for kind in ("workers_1", "workers_2"):
        assert e2e[kind]["records"] == e2e[kind]["evidence"] == 1000 and e2e[kind]["failed"] == 0
        assert e2e[kind]["db_memory_limit"] == "128MB" and e2e[kind]["peak_rss_mb"] > 0
    # one worker runs in the main process: its child processes are only the read-snapshot copies
    assert e2e["workers_1"]["workers_cpu_seconds"] < e2e["workers_2"]["workers_cpu_seconds"]
    assert e2e["workers_2"]["worker_peak_rss_mb"] > 0 and e2e["scaling_efficiency_1_to_2"] > 0
    # the same beside its own floor on the complete MEDLINE citations alone, and the CPU of each stage
    full = report["end_to_end_full_records"]
    assert full["distinct"] == full["records"] > 0 and full["files"] > 1
    assert all(full[kind]["evidence"] == full["records"] for kind in ("workers_1", "workers_2"))
    for corpus, n in (("bench_corpus", 1000), ("full_medline_records", full["records"])):
        stages = report["cpu_breakdown"][corpus]
        assert stages["records"] == n
        assert 0 < stages["floor_ms_per_record"] < stages["parse_ms_per_record"] and stages["parse_unit_ms_per_record"] > 0
        assert stages["extract_and_judge_ms_per_record"] > 0 and stages["cores_for_a_quarter_of_the_floor"] > 0
    assert set(report["memory_growth"]) == {"1000", "2000"}
    assert all(row["evidence"] == int(n) for n, row in report["memory_growth"].items())
    mirror = report["mirror"]
    assert mirror["records"] == 1000 and mirror["files"] == 1 and mirror["rerun_files"] == 0
    plan = report["baseline_plan"]
    assert plan["files"] == 1334 and plan["workers_until_the_publisher_bounds"] >= 1
    assert plan["publisher_busy_hours"] > 0
