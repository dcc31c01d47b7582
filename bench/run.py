"""fmwatch's benchmarks: throughput, memory and request efficiency, as ratios against references
measured side by side in the same run, on the same files.

    python bench/run.py            # the full benchmark (1k, 10k and 50k records)
    python bench/run.py --smoke    # 1k records only, for CI (no timing is asserted anywhere)

Corpora are distinct real records turned into PubMed XML at bench time (bench/corpus.py: the 2016
MEDLINE update file and the EBM-NLP, Evidence Inference and PICO abstracts, about 7,600); a corpus
larger than that repeats them under fresh PMIDs, and the report says how many were distinct. Each
measurement runs in its own process, so peak RSS is its own. Results go to
bench/results/latest.json and a table is printed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# A benchmark talks to nothing: not even Prefect's telemetry from the temporary server.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = Path(os.environ.get("FMWATCH_SHARED", REPO.parent / "shared"))
RESULTS = HERE / "results"
sys.path.insert(0, str(HERE))
import corpus  # noqa: E402  (bench/corpus.py)

# --- corpora ---------------------------------------------------------------------------------------

_ARTICLE = re.compile(rb"<PubmedArticle>.*?</PubmedArticle>", re.S)


_POOL: list[bytes] = []


def pool() -> list[bytes]:
    """The distinct real records (built once per benchmark run)."""
    if not _POOL:
        _POOL.extend(corpus.distinct_pool(SHARED))
    return _POOL


def build_corpus(n: int, folder: Path) -> Path:
    """One file of ``n`` records: the distinct pool first, repeated under fresh PMIDs beyond it."""
    path = folder / f"corpus-{n}" / "pubmed26n0001.xml"
    if not path.exists():
        corpus.write_corpus(pool(), n, path.parent, per_file=n)
    return path


# --- one measurement in its own process ------------------------------------------------------------

# Peak RSS from /proc (VmHWM, per process image): getrusage's ru_maxrss survives exec, so a child
# started from this benchmark (or a spawned worker) would report this process's peak instead of its own.
# Worker processes are sampled from a thread every 50 ms (their high-water mark only grows).
MEMORY = """
import os as _os, threading as _threading
def peak_mb(pid="self"):
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0
worker_peaks = {}
def _children():
    found = set()
    for task in _os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/children") as handle:
                found.update(handle.read().split())
        except OSError:
            pass
    return found
def _sample(stop=_threading.Event()):
    while not stop.wait(0.05):
        for pid in _children():
            try:
                worker_peaks[pid] = max(worker_peaks.get(pid, 0.0), peak_mb(pid))
            except (OSError, ValueError):
                pass
_threading.Thread(target=_sample, daemon=True).start()
"""


# (imports, timed body): imports are not timed, so a one-off import cost does not blur the rates
WORKERS = {
    "floor_iterparse": ("from lxml import etree", """
n = 0
for _, el in etree.iterparse(PATH, events=("end",), tag="PubmedArticle"):
    n += 1
    el.clear(); p = el.getparent()
    while el.getprevious() is not None: del p[0]
"""),
    "biopython": ("from Bio import Entrez", """
with open(PATH, "rb") as h:
    n = len(Entrez.read(h, validate=False)["PubmedArticle"])
"""),
    "fmwatch_parse": ("from fmwatch.parse.pubmed_xml import iter_pubmed_xml", """
n = sum(1 for _ in iter_pubmed_xml(PATH))
"""),
    "fmwatch_parse_load": ("""
from fmwatch.pipeline import import_files
from fmwatch.settings import load_settings
import tempfile, pathlib
db = pathlib.Path(tempfile.mkdtemp()) / "b.duckdb"
""", """
s = import_files(load_settings(None, db=db), [pathlib.Path(PATH)], extract=False)
n = s.published.records_seen
"""),
}


# This machine's timings wander by a quarter from one run to the next; the quick measurements are
# taken three times and the fastest kept (the slow ones, once: they average over a minute).
REPEATS = {"floor_iterparse": 3, "fmwatch_parse": 3}


def measure(kind: str, path: Path) -> dict:
    runs = [_measure_once(kind, path) for _ in range(REPEATS.get(kind, 1))]
    return min(runs, key=lambda r: r["seconds"])


def _measure_once(kind: str, path: Path) -> dict:
    imports, body = WORKERS[kind]
    code = MEMORY + f"""
import resource, time, json
PATH = {str(path)!r}
{imports}
start = time.perf_counter()
{body}
elapsed = time.perf_counter() - start
print(json.dumps({{"records": n, "seconds": elapsed, "peak_rss_mb": peak_mb()}}))
"""
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env={**os.environ, "OMP_NUM_THREADS": "1"}).stdout
    result = json.loads(output.strip().splitlines()[-1])
    result["records_per_second"] = round(result["records"] / result["seconds"], 1)
    return result


# --- extraction, pipeline and requests ----------------------------------------------------------------

def extraction_speed() -> dict:
    sys.path.insert(0, str(REPO / "src"))
    from fmwatch.extract.core import Document, extract, substance_mentions
    from fmwatch.extract.evaluate import EBM_ARCHIVE, EbmCorpus
    corpus = EbmCorpus(SHARED / "eval" / EBM_ARCHIVE)
    docs = [Document(f"pubmed:{p}", "pubmed", "", {"abstract": " ".join(t)}, pmid=p) for p, t in corpus.documents().items()]
    timings = []
    for _ in range(3):  # fresh documents each pass: a document caches what it has found
        fresh = [Document(d.record_id, d.source, d.title, dict(d.fields), pmid=d.pmid) for d in docs]
        substance_mentions.cache_clear()
        start = time.perf_counter()
        for doc in fresh:
            extract(doc)
        timings.append(time.perf_counter() - start)
    elapsed = min(timings)
    return {"abstracts": len(docs), "seconds": round(elapsed, 2), "abstracts_per_second": round(len(docs) / elapsed, 1)}


def write_snapshot(folder: Path, corpus: Path, n: int, batch: int = 500) -> None:
    """An E-utilities snapshot serving ``n`` records (ReplayAdapter's format): what a live run
    against NCBI would fetch, replayed locally through the same HTTP layer."""
    eutils = folder / "eutils"
    eutils.mkdir(parents=True, exist_ok=True)
    articles = _ARTICLE.findall(corpus.read_bytes())[:n]
    (eutils / "esearch.xml").write_text(
        f"<eSearchResult><Count>{n}</Count><RetMax>0</RetMax><RetStart>0</RetStart><QueryKey>1</QueryKey>"
        f"<WebEnv>MCID_bench</WebEnv><IdList/></eSearchResult>")
    (eutils / "esearch-empty.xml").write_text(
        "<eSearchResult><Count>0</Count><RetMax>0</RetMax><RetStart>0</RetStart><QueryKey>1</QueryKey>"
        "<WebEnv>MCID_bench_empty</WebEnv><IdList/></eSearchResult>")
    # the backfill (no date range) finds everything; a later run, searching the CRDT/MDAT window from
    # the watermark, finds nothing new
    (eutils / "elink.xml").write_text("<eLinkResult><LinkSet><DbFrom>pubmed</DbFrom></LinkSet></eLinkResult>")
    index = [{"path": "esearch.fcgi", "params_contain": {"term": "[CRDT]"}, "file": "esearch-empty.xml"},
             {"path": "esearch.fcgi", "file": "esearch.xml"},
             {"path": "elink.fcgi", "file": "elink.xml"}]  # records citing the reference study: none here
    for number in range(math.ceil(n / batch)):
        name = f"efetch-{number}.xml"
        (eutils / name).write_bytes(b'<?xml version="1.0" ?>\n<PubmedArticleSet>\n' +
                                    b"\n".join(articles[number * batch:(number + 1) * batch]) + b"\n</PubmedArticleSet>\n")
        index.append({"path": "efetch.fcgi", "params": {"retstart": str(number * batch)}, "file": name})
    (eutils / "index.json").write_text(json.dumps(index))


def pipeline_runs(corpus: Path, n: int, work: Path) -> dict:
    sys.path.insert(0, str(REPO / "src"))
    sys.path.insert(0, str(REPO / "flows"))
    from fmwatch.pipeline import run_pipeline
    from fmwatch.settings import Watch, load_settings
    snapshot = work / f"snapshot-{n}"
    write_snapshot(snapshot, corpus, n)
    watch = [Watch(name="bench", query="magnesium AND fibromyalgia")]

    def settings(db):
        return load_settings(None, db=db, snapshot_dir=snapshot, watches=watch)

    start = time.perf_counter()
    first = run_pipeline(settings(work / f"plain-{n}.duckdb"), offline=True, sources=["pubmed"])
    plain = time.perf_counter() - start
    rerun = run_pipeline(settings(work / f"plain-{n}.duckdb"), offline=True, sources=["pubmed"])

    os.environ["PREFECT_LOCAL_STORAGE_PATH"] = str(work / "prefect-results")  # a cold parse cache
    import fmwatch_flows
    from prefect.testing.utilities import prefect_test_harness
    # The flows read their settings as an operator's run does: the same one watch as the plain run.
    config = work / "bench-watch.toml"
    config.write_text(f'[[watch]]\nname = "{watch[0].name}"\nquery = "{watch[0].query}"\n')
    with prefect_test_harness(server_startup_timeout=120):
        os.environ["FMWATCH_SNAPSHOT_DIR"] = str(snapshot)
        os.environ["FMWATCH_CONFIG"] = str(config)
        try:
            db = work / f"prefect-{n}.duckdb"
            start = time.perf_counter()
            fmwatch_flows.ingest_pubmed(watches=None, offline=True, db=str(db))  # parse cache on, as operators run it
            with_prefect_ingest = time.perf_counter() - start
            fmwatch_flows.extract_and_flag(db=str(db))
            with_prefect = time.perf_counter() - start
        finally:
            del os.environ["FMWATCH_SNAPSHOT_DIR"], os.environ["FMWATCH_CONFIG"]
    return {
        "records": n,
        "plain_seconds": round(plain, 2),
        "prefect_seconds": round(with_prefect, 2),
        "prefect_ingest_seconds": round(with_prefect_ingest, 2),
        "prefect_over_plain": round(with_prefect / plain, 2),
        "requests_first_run": first.requests,
        "requests_goal_first_run": 2 + math.ceil(n / 500),
        "requests_no_op_rerun": rerun.requests,
        "versions_new_first_run": first.published.versions_new,
        "versions_new_rerun": rerun.published.versions_new,
    }


# --- end to end, in worker processes (issue 15b) ---------------------------------------------------

# One import (parse + load + extract + judge) at the default settings (128 MB DuckDB limit), in its
# own process: wall time, this process's CPU (the publisher, and with one worker everything) and the
# workers' CPU (RUSAGE_CHILDREN, counted once the pool has ended; it includes the small child processes
# that copy each read snapshot) and peak RSS (the largest worker's).
_END_TO_END = MEMORY + """
import json, pathlib, resource, sys, tempfile, time
from fmwatch.pipeline import import_files
from fmwatch.settings import load_settings
paths = [pathlib.Path(p) for p in json.loads(sys.argv[1])]
workers = int(sys.argv[2])
db = pathlib.Path(tempfile.mkdtemp()) / "b.duckdb"
settings = load_settings(None, db=db)
before = resource.getrusage(resource.RUSAGE_SELF)
start = time.perf_counter()
summary = import_files(settings, paths, workers=workers)
elapsed = time.perf_counter() - start
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
publisher_cpu = me.ru_utime + me.ru_stime - before.ru_utime - before.ru_stime  # not the imports before start
cpu = publisher_cpu + kids.ru_utime + kids.ru_stime
print(json.dumps({"records": summary.published.records_seen, "evidence": summary.extracted.records,
                  "cpu_seconds": cpu, "cores_used": cpu / elapsed,
                  "failed": len(summary.extracted.failed), "seconds": elapsed, "workers": workers,
                  "db_memory_limit": settings.db_memory_limit,
                  "publisher_cpu_seconds": publisher_cpu, "workers_cpu_seconds": kids.ru_utime + kids.ru_stime,
                  "peak_rss_mb": peak_mb(), "worker_peak_rss_mb": max(worker_peaks.values(), default=0.0),
                  "child_processes": len(worker_peaks)}))
"""

_FLOOR = """
import json, sys, time
from lxml import etree
paths = json.loads(sys.argv[1])
start = time.perf_counter()
n = 0
for path in paths:
    for _, el in etree.iterparse(path, events=("end",), tag="PubmedArticle"):
        n += 1
        el.clear(); p = el.getparent()
        while el.getprevious() is not None: del p[0]
print(json.dumps({"records": n, "seconds": time.perf_counter() - start}))
"""


def _run(code: str, *args: str, src: str | None = None) -> dict:
    """Run ``code`` in a fresh process; ``src``, when given, is another fmwatch source tree (its
    ``src`` folder) to import instead of this checkout's (``--compare-src``: before and after)."""
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    if src:
        env["PYTHONPATH"] = os.pathsep.join([src, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env)
    if done.returncode:
        raise RuntimeError(f"benchmark step failed: {done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["records_per_second"] = round(result["records"] / result["seconds"], 1)
    return result


def end_to_end(n: int, work: Path, per_file: int, rounds: int, records: list[bytes] | None = None,
               name: str = "e2e", trees: dict[str, str | None] | None = None) -> dict:
    """Import with extraction on 1 and 2 worker processes against the bare iterparse floor, on the same
    distinct records (``records``, default: the whole pool) in files of ``per_file``, interleaved
    ``rounds`` times (the fastest of each kept: the machine is shared, so they are taken side by
    side, not one after the other). ``trees`` maps a label to a source tree (None: this checkout):
    with two, each round runs both, and the report has a row per label (before and after)."""
    made = corpus.write_corpus(records or pool(), n, work / f"{name}-{n}", per_file=per_file)
    paths = json.dumps([str(p) for p in made.files])
    trees = trees or {"": None}
    runs: dict[str, list[dict]] = {"floor_iterparse": []}
    for label in trees:
        runs[f"{label}workers_1"], runs[f"{label}workers_2"] = [], []
    for _ in range(rounds):
        runs["floor_iterparse"].append(_run(_FLOOR, paths))
        for label, src in trees.items():
            runs[f"{label}workers_1"].append(_run(_END_TO_END, paths, "1", src=src))
            runs[f"{label}workers_2"].append(_run(_END_TO_END, paths, "2", src=src))
    row = {kind: min(results, key=lambda r: r["seconds"]) for kind, results in runs.items()}
    floor = row["floor_iterparse"]["records_per_second"]
    for result in row.values():
        result["ratio_to_floor"] = round(result["records_per_second"] / floor, 3)
    for label in trees:
        one, two = row[f"{label}workers_1"], row[f"{label}workers_2"]
        row[f"{label}scaling_efficiency_1_to_2"] = round(two["records_per_second"] / (2 * one["records_per_second"]), 3)
        # contention-free view: the CPU the same work took on 1 and on 2 workers (1.0: no parallel overhead)
        row[f"{label}cpu_work_efficiency_1_to_2"] = round(one["cpu_seconds"] / two["cpu_seconds"], 3)
        # the rate each got per core it was given (the machine is shared: a run may get less than 2)
        row[f"{label}records_per_cpu_second"] = {k: round(n / r["cpu_seconds"], 1) for k, r in
                                                 (("workers_1", one), ("workers_2", two))}
    row["all_rounds_seconds"] = {kind: [round(r["seconds"], 2) for r in results] for kind, results in runs.items()}
    row["load_average"] = os.getloadavg()
    row.update(records=n, distinct=made.distinct, files=len(made.files))
    return row


# Per-record CPU of each stage, in one process on the same files (CPU seconds, not wall: the
# machine is shared): the floor, fmwatch's parser, the parse unit (parse, staged rows with their
# content hash, Parquet), and extraction + judgement of the parsed records. From these, the best
# end-to-end rate W workers could reach if the publisher cost nothing: W / (unit + extraction).
_BREAKDOWN = """
import gc, json, pathlib, sys, tempfile, time
gc.set_threshold(50_000, 20, 20)
from lxml import etree
from fmwatch.pipeline import document_of, evidence_record, parse_file_unit
from fmwatch.records import ArticleRecord
from fmwatch.sources.files import iter_file_items
paths = json.loads(sys.argv[1])
def cpu(fn):
    best = None
    for _ in range(int(sys.argv[2])):
        start = time.process_time(); fn(); took = time.process_time() - start
        best = took if best is None else min(best, took)
    return best
def floor():
    for path in paths:
        for _, el in etree.iterparse(path, events=("end",), tag="PubmedArticle"):
            el.clear(); p = el.getparent()
            while el.getprevious() is not None: del p[0]
items = [i for p in paths for i in iter_file_items(pathlib.Path(p)) if isinstance(i, ArticleRecord)]
spool = tempfile.mkdtemp()
parse_file_unit(paths[0], 0, "r", spool)  # imports and first calls: not timed
def extraction():
    for item in items:
        evidence_record(*document_of(item))
n = len(items)
out = {"records": n, "floor": cpu(floor), "parse": cpu(lambda: [i for p in paths for i in iter_file_items(pathlib.Path(p))]),
       "parse_unit": cpu(lambda: [parse_file_unit(p, k, "r", spool) for k, p in enumerate(paths, 1)]),
       "extract_and_judge": cpu(extraction)}
print(json.dumps({"records": n, "seconds": out["floor"], **{f"{k}_ms_per_record": round(v / n * 1000, 4)
                                                              for k, v in out.items() if k != "records"}}))
"""


def cpu_breakdown(n: int, work: Path, per_file: int, records: list[bytes] | None = None, name: str = "e2e",
                  repeats: int = 2) -> dict:
    """Per-record CPU of each stage (``_BREAKDOWN``) on the files ``end_to_end`` used, and the arithmetic
    it gives: the floor's rate, and the best end-to-end rate and ratio on 2 cores with a free publisher."""
    made = corpus.write_corpus(records or pool(), n, work / f"{name}-{n}", per_file=per_file)
    result = _run(_BREAKDOWN, json.dumps([str(p) for p in made.files]), str(repeats))
    per_core = 1000 / (result["parse_unit_ms_per_record"] + result["extract_and_judge_ms_per_record"])
    floor_rate = 1000 / result["floor_ms_per_record"]
    result.update(floor_records_per_cpu_second=round(floor_rate, 1), best_records_per_second_per_core=round(per_core, 1),
                  best_ratio_2_cores_free_publisher=round(2 * per_core / floor_rate, 4),
                  cores_for_a_quarter_of_the_floor=round(0.25 * floor_rate / per_core, 1),
                  extraction_ms_allowed_for_a_quarter_on_2_cores=round(
                      2000 / (0.25 * floor_rate) - result["parse_unit_ms_per_record"], 4))
    return result


def memory_growth(sizes: list[int], work: Path, per_file: int) -> dict:
    """Peak RSS of the whole import with extraction at the default settings and workers."""
    out = {}
    for n in sizes:
        made = corpus.write_corpus(pool(), n, work / f"mem-{n}", per_file=per_file)
        result = _run(_END_TO_END, json.dumps([str(p) for p in made.files]), "2")
        result["distinct"] = made.distinct
        out[n] = result
    return out


# --- the mirror's ingest of a baseline-shaped file (issue 15b) -----------------------------------------

_MIRROR = MEMORY + """
import json, pathlib, resource, sys, tempfile, time
from fmwatch import pipeline
from fmwatch.settings import load_settings
from fmwatch.warehouse import Warehouse
applying = [0.0]
real = Warehouse.apply_mirror_file
def timed(self, *args, **kwargs):
    start = time.perf_counter()
    try:
        return real(self, *args, **kwargs)
    finally:
        applying[0] += time.perf_counter() - start
Warehouse.apply_mirror_file = timed
db = pathlib.Path(tempfile.mkdtemp()) / "m.duckdb"
settings = load_settings(None, db=db, mirror_url=sys.argv[1])
start = time.perf_counter()
summary = pipeline.sync_mirror(settings, workers=1)
elapsed = time.perf_counter() - start
again = time.perf_counter()
rerun = pipeline.sync_mirror(settings, workers=1)
rerun_seconds = time.perf_counter() - again
first_apply = applying[0]
# The publisher's cost on a large mirror: pad it with rows of other PMIDs, then apply an update file
# holding the same records again (each replaces its PMID's row: the DELETE scans the whole mirror).
padding = int(sys.argv[3])
with Warehouse.open(db) as warehouse:
    warehouse.con.execute("INSERT INTO mirror_articles (pmid, mirror_file) SELECT 'pad' || i, 'pad' FROM range(?) t(i)", [padding])
root = pathlib.Path(sys.argv[2])
updates = root / "pubmed" / "updatefiles"
updates.mkdir()
for path in (root / "pubmed" / "baseline").glob("*.xml.gz*"):
    (updates / path.name.replace("n0001", "n0002")).write_bytes(path.read_bytes().replace(b"n0001", b"n0002") if path.name.endswith(".md5") else path.read_bytes())
(updates / "index.html").write_text('<a href="pubmed26n0002.xml.gz">u</a> <a href="pubmed26n0002.xml.gz.md5">m</a>')
applying[0] = 0.0
update = pipeline.sync_mirror(settings, workers=1)
print(json.dumps({"records": sum(f["records"] for f in summary.files), "files": len(summary.files),
                  "seconds": elapsed, "publisher_seconds": first_apply, "rerun_seconds": rerun_seconds,
                  "rerun_files": len(rerun.files), "peak_rss_mb": peak_mb(),
                  "padded_mirror_rows": padding + sum(f["records"] for f in summary.files),
                  "update_records": sum(f["records"] for f in update.files),
                  "update_publisher_seconds": applying[0]}))
"""

_FLOOR_GZ = """
import gzip, json, sys, time
from lxml import etree
start = time.perf_counter()
n = 0
with gzip.open(sys.argv[1], "rb") as handle:
    for _, el in etree.iterparse(handle, events=("end",), tag="PubmedArticle"):
        n += 1
        el.clear(); p = el.getparent()
        while el.getprevious() is not None: del p[0]
print(json.dumps({"records": n, "seconds": time.perf_counter() - start}))
"""


def mirror_ingest(n: int, work: Path, padding: int) -> dict:
    """Sync a mirror from one baseline-shaped bulk file (gzipped, with its .md5, behind a listing
    page on a loopback HTTP server) against the floor: iterparse through gzip of the same file."""
    import hashlib
    import http.server
    import threading
    from functools import partial

    root = work / f"nlm-{n}"
    made = corpus.write_corpus(pool(), n, root / "pubmed" / "baseline", per_file=n, gzipped=True)
    for path in made.files:
        path.with_name(path.name + ".md5").write_text(f"MD5({path.name})= {hashlib.md5(path.read_bytes()).hexdigest()}\n")
    (root / "pubmed" / "baseline" / "index.html").write_text("<html><body>" + "".join(
        f'<a href="{p.name}">{p.name}</a> <a href="{p.name}.md5">{p.name}.md5</a>' for p in made.files) + "</body></html>")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/pubmed/"
        floor = min((_run(_FLOOR_GZ, str(made.files[0])) for _ in range(2)), key=lambda r: r["seconds"])
        result = _run(_MIRROR, url, str(root), str(padding))
    finally:
        server.shutdown()
    result.update(distinct=made.distinct, gz_bytes=made.files[0].stat().st_size,
                  floor_records_per_second=floor["records_per_second"],
                  ratio_to_floor=round(result["records_per_second"] / floor["records_per_second"], 3),
                  worker_records_per_second=round(result["records"] / (result["seconds"] - result["publisher_seconds"]), 1),
                  publisher_records_per_second=round(result["records"] / result["publisher_seconds"], 1),
                  publisher_records_per_second_padded=round(result["update_records"] / result["update_publisher_seconds"], 1))
    return result


BASELINE_FILES, BASELINE_RECORDS = 1_334, 38_000_000


def baseline_plan(mirror: dict, e2e: dict) -> dict:
    """The whole 2026 baseline on a Kubernetes work pool, from the measured rates: one worker pod per
    core downloads and parses a file at a time (the worker rate), one publisher applies the files in
    order (the publisher rate, its own pod). Workers beyond publisher rate / worker rate only wait."""
    worker_rate = mirror["worker_records_per_second"]
    # the publisher's rate on a mirror of millions of rows (its DELETE scans them all): the slower one
    publisher_rate = min(mirror["publisher_records_per_second"], mirror["publisher_records_per_second_padded"])
    useful_workers = max(1, math.ceil(publisher_rate / worker_rate))
    plan = {"files": BASELINE_FILES, "records": BASELINE_RECORDS,
            "worker_records_per_second_per_core": worker_rate, "publisher_records_per_second": publisher_rate,
            "workers_until_the_publisher_bounds": useful_workers}
    for workers in sorted({1, 8, 32, useful_workers}):
        rate = min(workers * worker_rate, publisher_rate)
        plan[f"hours_with_{workers}_workers"] = round(BASELINE_RECORDS / rate / 3600, 2)
    plan["publisher_busy_hours"] = round(BASELINE_RECORDS / publisher_rate / 3600, 2)
    plan["hours_one_process_today"] = round(BASELINE_RECORDS / e2e["workers_1"]["records_per_second"] / 3600, 1)
    return plan


# --- the report ---------------------------------------------------------------------------------------

def end_to_end_figures(smoke: bool, work: Path, rounds: int, trees: dict[str, str | None] | None = None) -> dict:
    """The end-to-end import on the bench corpus (the whole distinct pool, mostly short annotated
    abstracts) and on the complete MEDLINE citations alone (the shape of NLM's baseline files: a much
    slower floor), each beside its floor, with the per-record CPU of each stage."""
    full = corpus.distinct_pool(SHARED, abstracts=False)
    e2e_n, per_file = (1_000, 250) if smoke else (len(pool()) // 1000 * 1000, 1_000)
    full_n = min(len(full), 200 if smoke else len(full))
    full_per_file = -(-full_n // 4)  # four files: both workers busy
    return {
        "end_to_end": end_to_end(e2e_n, work, per_file, rounds, trees=trees),
        "end_to_end_full_records": end_to_end(full_n, work, full_per_file, rounds, records=full, name="full",
                                              trees=trees),
        "cpu_breakdown": {"bench_corpus": cpu_breakdown(e2e_n, work, per_file, repeats=1 if smoke else 2),
                          "full_medline_records": cpu_breakdown(full_n, work, full_per_file, records=full,
                                                                name="full", repeats=1 if smoke else 3)},
    }


def end_to_end_goals(report: dict, goals: dict, label: str = "") -> None:
    for key, name in (("end_to_end", ""), ("end_to_end_full_records", "full_records_")):
        e2e = report[key]
        goals[f"{label}{name}end_to_end_2_workers_vs_floor (>= 0.25)"] = e2e[f"{label}workers_2"]["ratio_to_floor"]
        goals[f"{label}{name}end_to_end_1_worker_vs_floor"] = e2e[f"{label}workers_1"]["ratio_to_floor"]
        goals[f"{label}{name}records_per_second_1_and_2_workers"] = (
            e2e[f"{label}workers_1"]["records_per_second"], e2e[f"{label}workers_2"]["records_per_second"])
        goals[f"{label}{name}scaling_efficiency_1_to_2 (>= 0.8)"] = e2e[f"{label}scaling_efficiency_1_to_2"]
        goals[f"{label}{name}cpu_work_efficiency_1_to_2"] = e2e[f"{label}cpu_work_efficiency_1_to_2"]
        goals[f"{label}{name}cores_used_1_and_2_workers"] = (round(e2e[f"{label}workers_1"]["cores_used"], 2),
                                                             round(e2e[f"{label}workers_2"]["cores_used"], 2))


def _report(report: dict, out: Path, started: float) -> None:
    report["total_seconds"] = round(time.perf_counter() - started, 1)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1, default=str))
    print("\ngoal                                        measured")
    for goal, value in report["goals"].items():
        print(f"{goal:<44}{value}")
    for corpus_name, row in report.get("cpu_breakdown", {}).items():
        print(f"CPU ms per record, {corpus_name}: " + ", ".join(
            f"{k.replace('_ms_per_record', '')} {v}" for k, v in row.items() if k.endswith("_ms_per_record")))
    print(f"\nwritten to {out} in {report['total_seconds']} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="1k records only (CI)")
    parser.add_argument("--out", type=Path, default=RESULTS / "latest.json")
    parser.add_argument("--only", choices=["end-to-end"],
                        help="only the end-to-end import figures (both corpora) and the per-stage CPU")
    parser.add_argument("--compare-src", type=Path, metavar="SRC",
                        help="with --only end-to-end: another fmwatch checkout's src/ folder (e.g. a git worktree "
                             "of main); its import runs beside this checkout's in every round (before/after)")
    parser.add_argument("--rounds", type=int, help="interleaved rounds of the end-to-end import (default 2; smoke 1)")
    args = parser.parse_args()
    rounds = args.rounds or (1 if args.smoke else 2)
    work = Path(tempfile.mkdtemp(prefix="fmwatch-bench-"))
    started = time.perf_counter()
    if args.only == "end-to-end":
        trees = {"before_": str(args.compare_src.resolve()), "after_": None} if args.compare_src else None
        report = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}, "goals": {},
                  **end_to_end_figures(args.smoke, work, rounds, trees)}
        for label in (trees or {"": None}):
            end_to_end_goals(report, report["goals"], label)
        _report(report, args.out, started)
        return
    sizes = [1_000] if args.smoke else [1_000, 10_000, 50_000]
    report: dict = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}, "parse": {}, "goals": {}}
    for n in sizes:
        path = build_corpus(n, work)
        row = {kind: measure(kind, path) for kind in WORKERS
               if not (kind == "biopython" and n > 10_000)}  # the reference is slow; 10k shows the ratio
        floor = row["floor_iterparse"]["records_per_second"]
        for kind, result in row.items():
            result["ratio_to_floor"] = round(result["records_per_second"] / floor, 3)
        report["parse"][n] = row
        print(f"{n:>6} records: " + ", ".join(f"{k} {v['records_per_second']:.0f}/s ({v['ratio_to_floor']}x floor, "
                                               f"{v['peak_rss_mb']:.0f} MB)" for k, v in row.items()), flush=True)
    report["extraction"] = extraction_speed()
    # 9,500 rather than 10,000: a search of 10,000 or more is split into date windows, which a
    # replayed snapshot cannot answer window by window
    pipeline_n = 1_000 if args.smoke else 9_500
    report["pipeline"] = pipeline_runs(build_corpus(max(pipeline_n, sizes[0]), work), pipeline_n, work)
    parse = report["parse"]
    largest = parse[max(sizes)]
    goals = report["goals"]
    goals["parser_vs_floor (>= 0.6)"] = largest["fmwatch_parse"]["ratio_to_floor"]
    goals["parse_load_vs_floor (>= 0.4)"] = largest["fmwatch_parse_load"]["ratio_to_floor"]
    if 10_000 in parse and 50_000 in parse:
        goals["rss_growth_10k_to_50k (<= 1.2)"] = round(
            parse[50_000]["fmwatch_parse_load"]["peak_rss_mb"] / parse[10_000]["fmwatch_parse_load"]["peak_rss_mb"], 3)
    goals["requests_first_run (<= 2 + ceil(N/500))"] = (report["pipeline"]["requests_first_run"],
                                                         report["pipeline"]["requests_goal_first_run"])
    goals["requests_no_op_rerun (<= 2)"] = report["pipeline"]["requests_no_op_rerun"]
    goals["prefect_over_plain (<= 1.5)"] = report["pipeline"]["prefect_over_plain"]
    goals["extraction_per_second (>= 500)"] = report["extraction"]["abstracts_per_second"]
    # issue 15b: end to end in worker processes, memory growth, the mirror, the baseline plan
    per_file = 250 if args.smoke else 1_000
    report.update(end_to_end_figures(args.smoke, work, rounds))
    report["memory_growth"] = memory_growth([1_000, 2_000] if args.smoke else [10_000, 50_000], work, per_file)
    report["mirror"] = mirror_ingest(1_000 if args.smoke else len(pool()), work,
                                     padding=100_000 if args.smoke else 5_000_000)
    report["baseline_plan"] = baseline_plan(report["mirror"], report["end_to_end"])
    mem = report["memory_growth"]
    small, large = sorted(mem)
    end_to_end_goals(report, goals)
    goals[f"e2e_rss_growth_{small}_to_{large} (<= 1.2)"] = round(mem[large]["peak_rss_mb"] / mem[small]["peak_rss_mb"], 3)
    goals[f"e2e_worker_rss_growth_{small}_to_{large} (<= 1.2)"] = round(
        mem[large]["worker_peak_rss_mb"] / mem[small]["worker_peak_rss_mb"], 3)
    goals["mirror_ingest_vs_gzip_floor"] = report["mirror"]["ratio_to_floor"]
    _report(report, args.out, started)


if __name__ == "__main__":
    main()
