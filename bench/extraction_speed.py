"""Extraction speed of this source tree, alone or paired against another fmwatch source tree, and
whether the two extract the same records (issue 12: ">= 500 abstracts/s on one core").

    python bench/extraction_speed.py                                  # this tree: abstracts/s
    python bench/extraction_speed.py --compare-src /work/main/src     # this tree vs another, paired
    python bench/extraction_speed.py --compare-src ../main/src --check-identical [--wide]

How it measures: each tree runs in its own worker process (``sys.path`` starts with that tree's
``src``), so the two never share a module. The 1,999 distinct EBM-NLP abstracts (one document each,
built as ``bench/run.py``'s ``extraction_speed`` builds them: the tokens joined, no title) are cut into
batches of 100; every batch goes to both workers, alternating which goes first, so a burst of load
on the shared machine hits both. Each worker times ``extract`` alone with ``time.process_time``
(CPU time of its own process: one core, not the wall clock of a busy machine), on fresh Documents
(a Document caches what it has found) with ``substance_mentions``' cache cleared per batch. A round
is the sum over the batches; ``--rounds`` rounds are run and each worker's best round kept. The
direction model is loaded and one batch extracted before timing, as in a long run.

``--check-identical`` compares the JSON (keys in order, as ``json.dumps`` writes them) of every
record both trees extract from: the EBM-NLP abstracts; the development half of ``mgfm_dev``
(``src/fmwatch/extract/mgfm_split.toml``; the measured half is never read, extracted or shown);
and the ``tests/gold`` documents. ``--wide`` adds the benchmark corpus's distinct real records
(``bench/corpus.py``: the 2016 MEDLINE file, the EBM-NLP abstracts in PubMed shape with a title,
Evidence Inference and PICO-corpus abstracts, about 7,600; a minute more of CPU). It prints how many records differ and the ids of the first few.

No timing is asserted anywhere; the README reports the numbers. Output: a table, and one JSON
object on the last line.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = Path(os.environ.get("FMWATCH_SHARED", REPO.parent / "shared"))
BATCH = 100


# --- the worker: one source tree in its own process --------------------------------------------------

def worker(src: str) -> None:
    """Serve requests on stdin (one JSON object a line), answer on stdout (one JSON line each):
    ``{"docs": [...]}`` stores the documents; ``{"batch": [i, j], "records": bool}`` extracts
    documents i..j-1 and answers ``{"seconds": cpu, "records": [json, ...] | null}``."""
    sys.path.insert(0, src)
    import fmwatch
    from fmwatch.extract.core import Document, extract, substance_mentions

    out = sys.stdout
    sys.stdout = sys.stderr  # whatever the library prints never garbles the answers
    print(json.dumps({"fmwatch": str(Path(fmwatch.__file__).resolve().parent)}), file=out, flush=True)
    specs: list[dict] = []
    for line in sys.stdin:
        request = json.loads(line)
        if "docs" in request:
            specs = request["docs"]
            print(json.dumps({"stored": len(specs)}), file=out, flush=True)
            continue
        start_index, end_index = request["batch"]
        fresh = [Document(**spec) for spec in specs[start_index:end_index]]
        substance_mentions.cache_clear()
        start = time.process_time()
        records = [extract(doc) for doc in fresh]
        seconds = time.process_time() - start
        dumped = [json.dumps(r, ensure_ascii=False, default=str) for r in records] if request.get("records") else None
        print(json.dumps({"seconds": seconds, "records": dumped}), file=out, flush=True)


class Worker:
    """A worker process for one source tree, spoken to over pipes."""

    def __init__(self, src: Path) -> None:
        self.src = src
        self.process = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--worker", str(src)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                        env={**os.environ, "OMP_NUM_THREADS": "1", "PYTHONHASHSEED": "0"})
        self.package = self._answer()["fmwatch"]

    def _answer(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the worker for {self.src} stopped (see its stderr above)")
        return json.loads(line)

    def ask(self, request: dict) -> dict:
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        return self._answer()

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=60)


# --- the documents -----------------------------------------------------------------------------------

def _spec(doc) -> dict:
    return {"record_id": doc.record_id, "source": doc.source, "title": doc.title, "fields": dict(doc.fields),
            "pmid": doc.pmid, "doi": doc.doi, "publication_types": list(doc.publication_types),
            "mesh": list(doc.mesh), "language": doc.language}


def ebm_documents(limit: int | None = None) -> list[dict]:
    """The distinct EBM-NLP abstracts as document specs (``bench/run.py``'s way: tokens joined, no title)."""
    from fmwatch.extract.evaluate import EBM_ARCHIVE, EbmCorpus
    items = list(EbmCorpus(SHARED / "eval" / EBM_ARCHIVE).documents().items())[:limit]
    return [{"record_id": f"pubmed:{p}", "source": "pubmed", "title": "", "fields": {"abstract": " ".join(t)},
             "pmid": p} for p, t in items]


def mgfm_development_documents() -> list[dict]:
    """The development half of ``mgfm_dev``, built as ``fmwatch.extract.mgfm.load`` builds them; the
    measured half's texts are never opened."""
    from fmwatch.extract import mgfm
    folder = SHARED / "eval" / mgfm.MGFM_FOLDER
    development = set(mgfm.split()["development"])
    pmids = {}
    for line in (folder / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        opening = re.match(r'\s*\{\s*"id"\s*:\s*"([^"]+)"', line)  # a measured record's line is not even parsed
        if opening and opening.group(1) in development:
            pmids[opening.group(1)] = json.loads(line).get("pmid")
    specs = []
    for record_id in sorted(pmids):
        title, _, abstract = (folder / "texts" / f"{record_id}.txt").read_text(encoding="utf-8").partition("\n")
        title, abstract = title.strip(), abstract.strip()
        specs.append({"record_id": f"mgfm:{record_id}", "source": "pubmed", "title": title,
                      "fields": {"title": title, "abstract": abstract}, "pmid": pmids[record_id]})
    return specs


def gold_documents() -> list[dict]:
    from fmwatch.extract.evaluate import gold_documents as gold
    from fmwatch.pipeline import snapshot_folder
    return [_spec(doc) for _, doc in gold(REPO / "tests" / "gold" / "gold.jsonl", SHARED / "eval", snapshot_folder(""))]


def wide_documents() -> list[dict]:
    """The benchmark corpus's distinct real records (``bench/corpus.py``) as PubMed documents."""
    import tempfile
    sys.path.insert(0, str(HERE))
    import corpus
    from fmwatch.extract.core import Document
    from fmwatch.parse.pubmed_xml import iter_pubmed_xml
    from fmwatch.records import ArticleRecord
    with tempfile.TemporaryDirectory() as folder:
        pool = corpus.distinct_pool(SHARED)
        built = corpus.write_corpus(pool, len(pool), Path(folder), per_file=len(pool))
        return [_spec(Document.from_article(r)) for r in iter_pubmed_xml(str(built.files[0]))
                if isinstance(r, ArticleRecord)]


# --- the measurement ---------------------------------------------------------------------------------

def time_trees(workers: list[Worker], n_docs: int, rounds: int) -> list[float]:
    """Each worker's best round of CPU seconds over ``n_docs`` documents in batches, order alternating."""
    batches = [(i, min(i + BATCH, n_docs)) for i in range(0, n_docs, BATCH)]
    for w in workers:  # warm up: the direction model loaded, the regexes compiled, caches allocated
        w.ask({"batch": list(batches[0])})
    best = [float("inf")] * len(workers)
    for round_ in range(rounds):
        seconds = [0.0] * len(workers)
        for index, batch in enumerate(batches):
            order = list(range(len(workers)))
            if (index + round_) % 2:
                order.reverse()
            for k in order:
                seconds[k] += workers[k].ask({"batch": list(batch)})["seconds"]
        best = [min(b, s) for b, s in zip(best, seconds)]
    return best


def compare_records(workers: list[Worker], specs: list[dict]) -> tuple[int, list[str]]:
    """(records that differ, their ids) between the two workers over ``specs``."""
    for w in workers:
        w.ask({"docs": specs})
    differ: list[str] = []
    for i in range(0, len(specs), BATCH):
        mine, theirs = (w.ask({"batch": [i, min(i + BATCH, len(specs))], "records": True})["records"] for w in workers)
        differ += [spec["record_id"] for spec, a, b in zip(specs[i:], mine, theirs) if a != b]
    return len(differ), differ


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--compare-src", type=Path, help="another fmwatch source tree (its src/ folder)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--check-identical", action="store_true", help="compare every extracted record's JSON")
    parser.add_argument("--wide", action="store_true", help="with --check-identical: the benchmark corpus too")
    parser.add_argument("--limit", type=int, help="only the first LIMIT EBM-NLP abstracts (a smoke run)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker)
        return {}
    sys.path.insert(0, str(REPO / "src"))  # this tree builds the documents; each worker extracts them
    trees = [REPO / "src"] + ([args.compare_src.resolve()] if args.compare_src else [])
    ebm = ebm_documents(args.limit)
    workers = [Worker(src) for src in trees]
    try:
        for w in workers:
            w.ask({"docs": ebm})
        best = time_trees(workers, len(ebm), args.rounds)
        report: dict = {"abstracts": len(ebm), "rounds": args.rounds, "batch": BATCH,
                        "trees": [{"src": str(w.src), "package": w.package, "cpu_seconds": round(s, 3),
                                   "abstracts_per_second": round(len(ebm) / s, 1)} for w, s in zip(workers, best)]}
        if len(workers) == 2:
            report["ratio_this_to_compared"] = round(best[1] / best[0], 3)  # > 1: this tree is faster
        if args.check_identical and len(workers) == 2:
            sets = {"ebm_nlp": ebm, "mgfm_dev_development": mgfm_development_documents(), "gold": gold_documents()}
            if args.wide:
                sets["bench_corpus"] = wide_documents()
            report["identical"] = {}
            for name, specs in sets.items():
                count, ids = compare_records(workers, specs)
                report["identical"][name] = {"records": len(specs), "differ": count, "first_ids": ids[:10]}
    finally:
        for w in workers:
            w.close()
    for tree in report["trees"]:
        print(f"{tree['abstracts_per_second']:8.1f} abstracts/s  {tree['cpu_seconds']:7.3f} s cpu  {tree['src']}")
    if "ratio_this_to_compared" in report:
        print(f"ratio (this tree's speed / the compared tree's): {report['ratio_this_to_compared']:.3f}")
    for name, row in report.get("identical", {}).items():
        print(f"identical? {name}: {row['differ']} of {row['records']} records differ {row['first_ids'] or ''}")
    print(json.dumps(report))
    return report


if __name__ == "__main__":
    main()
