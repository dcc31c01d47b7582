"""CPU cost of the learned direction model in extraction: the 1,999 distinct EBM-NLP abstracts
extracted with the model and without it (the rules alone), side by side in one process on the same
100-abstract batches, alternating which goes first, three rounds, the best round of each kept. CPU
time of ``extract`` alone (``time.process_time``), one core, so the figure is the extractor's and not
the shared machine's load. Also counts the outcomes the model decided and the records it changed.

    python bench/direction_model.py [--rounds 3]

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

from fmwatch.extract import direction_model as dm  # noqa: E402
from fmwatch.extract.core import Document, extract, substance_mentions  # noqa: E402
from fmwatch.extract.evaluate import EBM_ARCHIVE, EbmCorpus  # noqa: E402

STORED = dm.load_model


def _run(batch: list[Document], with_model: bool) -> tuple[float, list[dict]]:
    dm.load_model = STORED if with_model else (lambda *args: None)
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
    STORED()  # loaded once per process, before timing (as in a run)
    batches = [docs[i:i + 100] for i in range(0, len(docs), 100)]
    totals = {True: [], False: []}
    decided = changed = outcomes = 0
    for round_ in range(args.rounds):
        seconds = {True: 0.0, False: 0.0}
        for index, batch in enumerate(batches):
            order = (True, False) if (index + round_) % 2 == 0 else (False, True)
            results = {}
            for with_model in order:
                elapsed, results[with_model] = _run(batch, with_model)
                seconds[with_model] += elapsed
            if round_ == 0:
                for with_model_record, rules_record in zip(results[True], results[False]):
                    outcomes += len(with_model_record["outcomes"])
                    decided += sum(o.get("direction_by") == "model" for o in with_model_record["outcomes"])
                    strip = [{k: v for k, v in o.items() if k != "direction_by"} for o in with_model_record["outcomes"]]
                    base = [{k: v for k, v in o.items() if k != "direction_by"} for o in rules_record["outcomes"]]
                    changed += strip != base
        for key in seconds:
            totals[key].append(seconds[key])
    dm.load_model = STORED
    best = {key: min(values) for key, values in totals.items()}
    report = {"abstracts": len(docs), "rounds": args.rounds,
              "rules_alone": {"cpu_seconds": round(best[False], 2), "abstracts_per_second": round(len(docs) / best[False], 1)},
              "with_model": {"cpu_seconds": round(best[True], 2), "abstracts_per_second": round(len(docs) / best[True], 1)},
              "ratio_with_to_without": round(best[True] / best[False], 3),
              "outcomes_with_model": outcomes, "outcomes_decided_by_model": decided, "records_changed": changed}
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
