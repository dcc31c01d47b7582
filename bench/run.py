"""fmwatch's benchmarks: throughput, memory and request efficiency, as ratios against references
measured side by side in the same run, on the same files.

    python bench/run.py            # the full benchmark (1k, 10k and 50k records)
    python bench/run.py --smoke    # 1k records only, for CI (no timing is asserted anywhere)

Corpora are built from the real PubMed records in ../shared/fixtures/eutils/ (copies with fresh
PMIDs and entrez dates). Each measurement runs in its own process, so peak RSS is its own.
Results go to bench/results/latest.json and a table is printed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

# A benchmark talks to nothing: not even Prefect's telemetry from the temporary server.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = Path(os.environ.get("FMWATCH_SHARED", REPO.parent / "shared"))
RESULTS = HERE / "results"

# --- corpora ---------------------------------------------------------------------------------------

# Bio.Entrez needs the DOCTYPE (it ships the DTD); our parser never loads it.
DOCTYPE = (b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
           b'"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n')
_ARTICLE = re.compile(rb"<PubmedArticle>.*?</PubmedArticle>", re.S)


def fixture_articles() -> list[bytes]:
    articles = []
    for path in sorted((SHARED / "fixtures" / "eutils").glob("pubmed*.xml")):
        articles += _ARTICLE.findall(path.read_bytes())
    return articles


def with_identity(article: bytes, pmid: int, entrez: date) -> bytes:
    """A copy of a real record under a fresh PMID and entrez date."""
    article = re.sub(rb"(<MedlineCitation[^>]*>\s*<PMID[^>]*>)\d+(</PMID>)", rb"\g<1>%d\g<2>" % pmid, article, count=1)
    article = re.sub(rb'(<ArticleId IdType="pubmed">)\d+(</ArticleId>)', rb"\g<1>%d\g<2>" % pmid, article)
    stamp = b'<PubMedPubDate PubStatus="entrez"><Year>%d</Year><Month>%d</Month><Day>%d</Day></PubMedPubDate>' % (
        entrez.year, entrez.month, entrez.day)
    article = re.sub(rb'<PubMedPubDate PubStatus="entrez">.*?</PubMedPubDate>', b"", article, flags=re.S)
    if b"<History>" in article:
        return article.replace(b"<History>", b"<History>" + stamp, 1)
    return article.replace(b"<PubmedData>", b"<PubmedData><History>" + stamp + b"</History>", 1)


def build_corpus(n: int, folder: Path, seed: int = 7) -> Path:
    path = folder / f"corpus-{n}.xml"
    if path.exists():
        return path
    rng = random.Random(seed)
    articles = fixture_articles()
    with open(path, "wb") as out:
        out.write(DOCTYPE + b"<PubmedArticleSet>\n")
        for i in range(n):
            out.write(with_identity(rng.choice(articles), 80_000_000 + i, date(2020, 1, 1) + timedelta(days=i % 1500)))
            out.write(b"\n")
        out.write(b"</PubmedArticleSet>\n")
    return path


# --- one measurement in its own process ------------------------------------------------------------

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
    code = f"""
import resource, time, json
PATH = {str(path)!r}
{imports}
start = time.perf_counter()
{body}
elapsed = time.perf_counter() - start
print(json.dumps({{"records": n, "seconds": elapsed, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
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


# --- the report ---------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="1k records only (CI)")
    parser.add_argument("--out", type=Path, default=RESULTS / "latest.json")
    args = parser.parse_args()
    sizes = [1_000] if args.smoke else [1_000, 10_000, 50_000]
    work = Path(tempfile.mkdtemp(prefix="fmwatch-bench-"))
    report: dict = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}, "parse": {}, "goals": {}}
    started = time.perf_counter()
    for n in sizes:
        corpus = build_corpus(n, work)
        row = {kind: measure(kind, corpus) for kind in WORKERS
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
    report["total_seconds"] = round(time.perf_counter() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1, default=str))
    print("\ngoal                                        measured")
    for goal, value in goals.items():
        print(f"{goal:<44}{value}")
    print(f"\nwritten to {args.out} in {report['total_seconds']} s")


if __name__ == "__main__":
    main()
