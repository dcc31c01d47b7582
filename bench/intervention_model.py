"""CPU cost of the learned intervention-span tagger in extraction: the 1,999 distinct EBM-NLP
abstracts extracted three ways, side by side in one process on the same 100-abstract batches (the
order turning each batch), three rounds, the best round of each kept: ``off`` (the tagger names
nothing: the rules alone), ``inference`` (the tagger reads the records where the rules found no
tested arm but its names are thrown away: its own cost) and ``on`` (as extraction runs with
``intervention_model.options(arms=True)``; off by default: its names read by the arm rules, whose records then cost what any record with arms costs). CPU time of
``extract`` alone (``time.process_time``), one core. Also counts the records given an arm named by
the tagger.

    python bench/intervention_model.py [--rounds 3]

No timing is asserted anywhere; the README reports the numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = Path(os.environ.get("FMWATCH_SHARED", REPO.parent / "shared"))
sys.path.insert(0, str(REPO / "src"))

from fmwatch.extract import intervention_model as im  # noqa: E402
from fmwatch.extract.core import Document, extract, substance_mentions  # noqa: E402
from fmwatch.extract.evaluate import EBM_ARCHIVE, EbmCorpus  # noqa: E402

STORED = im.arm_names


def _inference_only(doc, model=None):
    STORED(doc, model)
    return ()


WAYS = {"off": lambda doc, model=None: (), "inference": _inference_only, "on": STORED}


def _run(batch: list[Document], way: str) -> tuple[float, list[dict]]:
    im.arm_names = WAYS[way]
    fresh = [Document(d.record_id, d.source, d.title, dict(d.fields), pmid=d.pmid) for d in batch]
    substance_mentions.cache_clear()
    start = time.process_time()
    records = [extract(doc) for doc in fresh]
    return time.process_time() - start, records


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    corpus = EbmCorpus(SHARED / "eval" / EBM_ARCHIVE)
    docs = [Document(f"pubmed:{p}", "pubmed", "", {"abstract": " ".join(t)}, pmid=p) for p, t in corpus.documents().items()]
    im.load_model()  # loaded once per process, before timing (as in a run)
    im._IN_USE["arms"] = True  # (off by default in extraction: this measures what turning it on costs)
    batches = [docs[i:i + 100] for i in range(0, len(docs), 100)]
    totals: dict[str, list[float]] = {way: [] for way in WAYS}
    named = 0
    ways = list(WAYS)
    for round_ in range(args.rounds):
        seconds = dict.fromkeys(WAYS, 0.0)
        for index, batch in enumerate(batches):
            shift = (index + round_) % len(ways)
            for way in ways[shift:] + ways[:shift]:
                elapsed, records = _run(batch, way)
                seconds[way] += elapsed
                if round_ == 0 and way == "on":
                    named += sum(any(i.get("named_by") == "model" for a in r["arms"] for i in a["interventions"])
                                 for r in records)
        for way in WAYS:
            totals[way].append(seconds[way])
    im.arm_names = STORED
    best = {way: min(values) for way, values in totals.items()}
    report = {"abstracts": len(docs), "rounds": args.rounds,
              **{way: {"cpu_seconds": round(best[way], 2), "abstracts_per_second": round(len(docs) / best[way], 1)}
                 for way in WAYS},
              "inference_cost": round(best["inference"] / best["off"] - 1, 3),
              "total_cost": round(best["on"] / best["off"] - 1, 3),
              "records_with_an_arm_named_by_the_tagger": named}
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
