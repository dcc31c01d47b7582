"""The rule that chose the documents of our third measured set, pain and analgesia trials of Evidence
Inference 2.0 (``pain_split.toml`` states it; ``tests/gold/pain_labels.jsonl`` labels them).

Run ``python -m fmwatch.extract.pain_split [SHARED_EVAL]`` to recompute the two lists and print each
chosen document's id and title (nothing else of its text), so anyone can check the rule gives the ids
the split file holds.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import sys
from pathlib import Path

from .corpus_texts import EVIDENCE_INFERENCE, relevant_docs

# The stated title pattern (pain_split.toml, rule 1), case-insensitive.
PAIN_TITLE = re.compile(
    r"pain|analges|migraine|headache|neuralg|neuropathic|fibromyalg|myalgia|cramp|arthrit|dysmenorr|sciatica",
    re.IGNORECASE)
PART_SIZE = 20
SPLIT_FILES = {"measured": "evidence_inference/splits/test_article_ids.txt",
               "development": "evidence_inference/splits/train_article_ids.txt"}
_LABEL_PREFIX = "evidence_inference:"


def _named_in(path: Path) -> set[str]:
    """PMC ids of Evidence Inference articles a gold file of ours names (``evidence_inference:PMC…``)."""
    if not path.exists():
        return set()
    return set(re.findall(r"evidence_inference:(PMC\d+)", path.read_text(encoding="utf-8")))


def pain_candidates(shared_eval: Path, gold_dir: Path) -> dict[str, str]:
    """``{pmcid: title}`` of every Evidence Inference article with a non-empty abstract whose title
    matches ``PAIN_TITLE``, less those of ``relevant_docs.tsv`` and those our gold files in ``gold_dir``
    (``gold.jsonl``, ``corpus_labels.jsonl``) name. Raises FileNotFoundError when a corpus file is missing."""
    excluded = {doc_id for corpus_file, doc_id in relevant_docs(shared_eval) if corpus_file == EVIDENCE_INFERENCE}
    excluded |= _named_in(gold_dir / "gold.jsonl") | _named_in(gold_dir / "corpus_labels.jsonl")
    found = {}
    with gzip.open(shared_eval / EVIDENCE_INFERENCE, "rt", encoding="utf-8") as lines:
        for line in lines:
            entry = json.loads(line)
            title = entry["title"].strip()
            if entry["abstract"].strip() and PAIN_TITLE.search(title) and entry["pmcid"] not in excluded:
                found[entry["pmcid"]] = title
    return found


def _sha1(pmcid: str) -> str:
    return hashlib.sha1(pmcid.encode("utf-8")).hexdigest()


def select(shared_eval: Path, gold_dir: Path) -> dict[str, list[str]]:
    """The split the rule gives: ``{"development": [label ids], "measured": [label ids]}``, each the
    first ``PART_SIZE`` candidates of its Evidence Inference split (train, test) by sha1 of the PMC id;
    label ids read ``evidence_inference:PMC…``. Raises FileNotFoundError when a corpus file is missing."""
    candidates = pain_candidates(shared_eval, gold_dir)
    parts = {}
    for part, split_file in SPLIT_FILES.items():
        members = {f"PMC{line.strip()}" for line in (shared_eval / split_file).read_text().splitlines() if line.strip()}
        chosen = sorted((pmcid for pmcid in candidates if pmcid in members), key=_sha1)[:PART_SIZE]
        parts[part] = [_LABEL_PREFIX + pmcid for pmcid in chosen]
    return {"development": parts["development"], "measured": parts["measured"]}


def main(argv: list[str]) -> None:
    """Print the chosen ids and titles of each part, in the rule's order."""
    shared_eval = Path(argv[0]) if argv else Path("../shared/eval")
    candidates = pain_candidates(shared_eval, Path("tests/gold"))
    for part, ids in select(shared_eval, Path("tests/gold")).items():
        print(f"# {part} ({len(ids)})")
        for label_id in ids:
            print(f"{label_id}\t{candidates[label_id.removeprefix(_LABEL_PREFIX)]}")


if __name__ == "__main__":
    main(sys.argv[1:])
