"""The analysts-and-writer soak on the embedded DuckDB warehouse: three analyst processes look at
the warehouse every second while ten imports publish, one after another, and an editor triages
flags. Nobody may see an error, and every look must be made of whole runs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from .conftest import PUBMED_XML_FILES

ANALYST = Path(__file__).with_name("analyst.py")
_ARTICLE = re.compile(rb"<PubmedArticle>.*?</PubmedArticle>", re.S)


def write_pubmed_batches(folder: Path, count: int, size: int, first_pmid: int = 91_000_000) -> list[Path]:
    """``count`` PubMed XML files of ``size`` records each, every record a real one from the shared
    fixtures under a PMID of its own, so each file is new to the warehouse (written by the test)."""
    articles = [a for path in PUBMED_XML_FILES for a in _ARTICLE.findall(path.read_bytes())]
    assert articles, "no <PubmedArticle> in the shared fixtures"
    folder.mkdir(parents=True, exist_ok=True)
    paths, pmid = [], first_pmid
    for number in range(count):
        path = folder / f"batch-{number:02d}.xml"
        with open(path, "wb") as out:
            out.write(b'<?xml version="1.0"?>\n<PubmedArticleSet>\n')
            for i in range(size):
                article = articles[(number * size + i) % len(articles)]
                article = re.sub(rb"(<PMID[^>]*>)\d+(</PMID>)", rb"\g<1>%d\g<2>" % pmid, article, count=1)
                out.write(re.sub(rb'(<ArticleId IdType="pubmed">)\d+(</ArticleId>)', rb"\g<1>%d\g<2>" % pmid,
                                 article) + b"\n")
                pmid += 1
            out.write(b"</PubmedArticleSet>\n")
        paths.append(path)
    return paths


def cli(env, *args, timeout=300):
    return subprocess.run([sys.executable, "-m", "fmwatch.cli", *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


def run_soak(db_path: Path, workdir: Path, *, readers: int = 3, runs: int = 10, records: int = 60,
             interval: float = 1.0) -> dict:
    """The soak, as a benchmark can call it too: ``readers`` analyst processes look every ``interval``
    seconds while ``runs`` imports of ``records`` new records each publish one after another and an
    editor triages every flag of a first offline run. Returns what each side saw (errors listed)."""
    env = {**os.environ, "FMWATCH_DB": str(db_path), "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
           # a writer waits for another writer (an import, a triage) rather than failing; readers never wait
           "FMWATCH_DB_LOCK_WAIT_SECONDS": "120"}
    first = cli(env, "run", "--offline")
    assert first.returncode == 0, first.stderr
    flag_ids = [f["id"] for f in json.loads(cli(env, "flags", "--format", "json").stdout)]
    batches = write_pubmed_batches(workdir / "batches", count=runs, size=records)

    analysts = [subprocess.Popen([sys.executable, str(ANALYST), str(db_path), str(interval)], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, text=True, env=env) for _ in range(readers)]
    for analyst in analysts:
        assert json.loads(analyst.stdout.readline()) == {"ready": True}

    triaged, editor_errors, stop = [], [], threading.Event()

    def editor():
        for number, flag_id in enumerate(flag_ids):
            if stop.is_set():
                return
            args = ("flag", "seen", flag_id) if number % 2 else ("flag", "dismiss", flag_id, "--reason", "soak")
            result = cli(env, *args)
            (triaged if result.returncode == 0 else editor_errors).append((flag_id, result.stderr.strip()))
            time.sleep(0.5)

    started = time.monotonic()
    editing = threading.Thread(target=editor)
    editing.start()
    writer_errors = []
    try:
        for batch in batches:
            result = cli(env, "import", str(batch))
            if result.returncode != 0:
                writer_errors.append((batch.name, result.returncode, result.stderr[-2000:]))
    finally:
        editing.join(timeout=600)
        stop.set()
        looks = [[json.loads(line) for line in analyst.communicate("stop\n", timeout=120)[0].splitlines()]
                 for analyst in analysts]
    seconds = [look["seconds"] for seen in looks for look in seen if "seconds" in look]
    return {
        "seconds": round(time.monotonic() - started, 1), "imports": len(batches), "flag_ids": flag_ids,
        "triaged": len(triaged), "writer_errors": writer_errors, "editor_errors": editor_errors,
        "looks": looks, "looks_total": sum(map(len, looks)),
        "reader_errors": [look for seen in looks for look in seen if "error" in look],
        "not_whole": [look for seen in looks for look in seen if "error" not in look and not look["whole"]],
        "look_seconds_max": max(seconds, default=None),
        "look_seconds_median": sorted(seconds)[len(seconds) // 2] if seconds else None,
        "env": env,
    }


@pytest.mark.slow
def test_three_analysts_ten_runs_and_an_editor_see_no_error_and_only_whole_runs(db_path, tmp_path):
    report = run_soak(db_path, tmp_path, readers=3, runs=10, records=60)
    print(f"soak: {report['seconds']:.0f} s, {report['looks_total']} looks by 3 analysts "
          f"(median {report['look_seconds_median']} s, max {report['look_seconds_max']} s), "
          f"{report['triaged']} triaged, {report['imports']} imports")
    assert len(report["flag_ids"]) >= 10
    assert report["writer_errors"] == [] and report["editor_errors"] == []
    assert report["reader_errors"] == [] and report["not_whole"] == []
    assert report["triaged"] == len(report["flag_ids"])
    for seen in report["looks"]:
        runs = [look["runs"] for look in seen]
        assert runs == sorted(runs)  # a reconnecting reader never goes back in time
        assert len(set(runs)) >= 3, runs  # it looked while the runs published
        assert len(seen) >= report["seconds"] / 3  # it kept looking all along (about one look a second)
    env = report["env"]
    final = cli(env, "sql", "select count(*) as runs, sum(versions_new) as versions from runs", "--format", "json")
    assert json.loads(final.stdout) == [{"runs": 11, "versions": 11 + 10 * 60}]
    triage = cli(env, "sql", "select count(*) as n from evidence_flags where state <> 'new'", "--format", "json")
    assert json.loads(triage.stdout) == [{"n": len(report["flag_ids"])}]
