"""bench/extraction_speed.py on a few abstracts: it runs, reports both trees, and its identity check
finds a difference when there is one (no timing is asserted)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def _run(*args: str) -> dict:
    done = subprocess.run([sys.executable, str(REPO / "bench" / "extraction_speed.py"), "--limit", "20", "--rounds", "1",
                           *args], check=True, capture_output=True, text=True, timeout=600)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_extraction_speed_alone_reports_this_tree():
    report = _run()
    assert report["abstracts"] == 20 and len(report["trees"]) == 1
    assert report["trees"][0]["package"] == str(REPO / "src" / "fmwatch")
    assert report["trees"][0]["abstracts_per_second"] > 0 and "ratio_this_to_compared" not in report


def test_identity_check_counts_records_that_differ(tmp_path):
    # a copy of this tree whose records differ in one value (the extractor version each record carries)
    other = tmp_path / "src"
    shutil.copytree(REPO / "src" / "fmwatch", other / "fmwatch", ignore=shutil.ignore_patterns("__pycache__"))
    core = other / "fmwatch" / "extract" / "core.py"
    text = core.read_text(encoding="utf-8")
    assert 'EXTRACTOR_VERSION = "' in text
    core.write_text(text.replace('EXTRACTOR_VERSION = "', 'EXTRACTOR_VERSION = "changed-', 1), encoding="utf-8")
    report = _run("--compare-src", str(other), "--check-identical")
    assert [t["package"] for t in report["trees"]] == [str(REPO / "src" / "fmwatch"), str(other / "fmwatch")]
    assert report["ratio_this_to_compared"] > 0
    identical = report["identical"]
    assert identical["ebm_nlp"] == {"records": 20, "differ": 20, "first_ids": identical["ebm_nlp"]["first_ids"]}
    assert len(identical["ebm_nlp"]["first_ids"]) == 10
    development = identical["mgfm_dev_development"]
    assert development["records"] > 0 and development["differ"] == development["records"]
    assert all(i.startswith("mgfm:") for i in development["first_ids"])
    assert identical["gold"]["differ"] == identical["gold"]["records"] > 0


def test_identity_check_of_a_tree_against_itself_finds_none():
    report = _run("--compare-src", str(REPO / "src"), "--check-identical")
    assert all(row["differ"] == 0 and row["records"] > 0 for row in report["identical"].values())
