"""The rule that chose the documents of our fourth measured set: abstracts of the kinds of study
``mgfm_dev`` holds (trials in other pain and neuromuscular conditions, mineral and supplement trials,
level studies, reviews / case reports / animal studies), from the corpora's TRAINING halves only
(``mg_split.toml`` states the rule; ``tests/gold/mg_labels.jsonl`` labels the documents).

Run ``python -m fmwatch.extract.mg_split [SHARED_EVAL]`` to recompute the two lists and print each
chosen document's id, kind and title (nothing else of its text), so anyone can check the rule gives the
ids the split file holds.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import sys
from pathlib import Path

from .corpus_texts import EBM_DEV, EBM_DIFFICULTY, EVIDENCE_INFERENCE, PICO, _ebm_difficulty, _split_tokens, relevant_docs

# The stated title patterns (mg_split.toml, rule 2), tried in this order, case-insensitive.
KIND_PATTERNS = {
    "other": re.compile(r"review|meta-analys|case report|\brats?\b|\bmice\b|\bmouse\b|animal|in vitro", re.I),
    "level": re.compile(r"(serum|plasma|erythrocyte|red cell|red blood cell|urinary|blood|tissue).{0,40}"
                        r"(level|concentration|status)|deficien", re.I),
    "mineral": re.compile(r"magnesium|zinc|vitamin d|cholecalciferol|ergocalciferol|calcium|potassium|selenium"
                          r"|mineral|micronutrient", re.I),
    "pain": re.compile(r"migraine|headache|neuropath|neuralg|cramp|restless leg|chronic fatigue|postoperative pain"
                       r"|back pain|fibromyalg", re.I),
}
QUOTAS = {"other": 6, "level": 8, "mineral": 10, "pain": 12}
FILL_KIND = "pain"
EXCLUDING_GOLD = ("gold.jsonl", "corpus_labels.jsonl", "pain_labels.jsonl", "ebm_blind_design_population.jsonl")
# Label id prefix -> the corpus file it names (corpus_texts reads each in place).
PREFIXES = {"ebm_nlp": EBM_DIFFICULTY, "pico": PICO, "evidence_inference": EVIDENCE_INFERENCE}


def _named_in(gold_dir: Path) -> set[str]:
    """Bare ids (PMC ids, 7-8 digit PMIDs) that any of our gold files names."""
    named: set[str] = set()
    for name in EXCLUDING_GOLD:
        path = gold_dir / name
        if path.exists():
            text = path.read_text(encoding="utf-8")
            named |= set(re.findall(r"PMC\d+", text)) | set(re.findall(r"(?<![\d.])\d{7,8}(?![\d.])", text))
    return named


def _title_key(title: str) -> str:
    return re.sub(r"[^a-z0-9]", "", title.lower())


def pool(shared_eval: Path, gold_dir: Path) -> dict[str, str]:
    """``{label_id: title}`` of the training-half documents the rule may choose (rule 1): EBM-NLP
    training documents, PICO corpus even PMIDs, Evidence Inference train articles with an abstract, less
    ``relevant_docs.tsv``, those our gold files name, and a title already seen. Raises FileNotFoundError
    when a corpus file is missing."""
    excluded = {doc_id.removeprefix("PMID ").strip() for _, doc_id in relevant_docs(shared_eval)}
    excluded |= _named_in(gold_dir)
    seen: set[str] = set()
    found: dict[str, str] = {}

    def add(label_id: str, bare: str, title: str) -> None:
        key = _title_key(title)
        if bare not in excluded and key and key not in seen:
            seen.add(key)
            found[label_id] = title

    test_gold = {json.loads(line)["pmid"] for line in (shared_eval / "ebm_nlp/test_gold_pio.jsonl").open(encoding="utf-8")
                 if line.strip()}
    dev = set(re.findall(r"-DOCSTART-[^(]*\((\d+)\)", (shared_eval / EBM_DEV).read_text(encoding="utf-8")))
    for pmid, tokens in sorted(_ebm_difficulty(shared_eval / EBM_DIFFICULTY).documents().items()):
        if pmid not in test_gold and pmid not in dev and tokens:
            add(f"ebm_nlp:{pmid}", pmid, _split_tokens(tokens)[0])
    with (shared_eval / PICO).open(encoding="utf-8") as lines:
        for line in lines:
            entry = json.loads(line)
            if int(entry["pmid"]) % 2 == 0:
                text = entry["text"].strip()
                end = re.search(r"[.?] (?=[A-Z])", text)
                add(f"pico:{entry['pmid']}", entry["pmid"], text[: end.start() + 1] if end else text)
    train = {f"PMC{line.strip()}" for line in
             (shared_eval / "evidence_inference/splits/train_article_ids.txt").read_text().splitlines() if line.strip()}
    with gzip.open(shared_eval / EVIDENCE_INFERENCE, "rt", encoding="utf-8") as lines:
        for line in lines:
            entry = json.loads(line)
            if entry["pmcid"] in train and entry["abstract"].strip():
                add(f"evidence_inference:{entry['pmcid']}", entry["pmcid"], entry["title"].strip())
    return found


def kind_of(title: str) -> str | None:
    """The first kind (rule 2's order) whose title pattern ``title`` matches, or None."""
    return next((kind for kind, pattern in KIND_PATTERNS.items() if pattern.search(title)), None)


def _sha1(label_id: str) -> str:
    return hashlib.sha1(label_id.encode("utf-8")).hexdigest()


def chosen(shared_eval: Path, gold_dir: Path) -> dict[str, list[str]]:
    """``{kind: [label ids]}`` in the rule's order (rules 2-3), with the fill from ``FILL_KIND``."""
    by_kind: dict[str, list[str]] = {kind: [] for kind in KIND_PATTERNS}
    for label_id, title in pool(shared_eval, gold_dir).items():
        kind = kind_of(title)
        if kind:
            by_kind[kind].append(label_id)
    picked = {kind: sorted(ids, key=_sha1)[: QUOTAS[kind]] for kind, ids in by_kind.items()}
    short = sum(QUOTAS.values()) - sum(len(ids) for ids in picked.values())
    picked[FILL_KIND] = sorted(by_kind[FILL_KIND], key=_sha1)[: QUOTAS[FILL_KIND] + short]
    return picked


def select(shared_eval: Path, gold_dir: Path) -> dict[str, list[str]]:
    """The split the rule gives (rule 4): ``{"development": [label ids], "measured": [label ids]}``,
    alternating within each kind. Raises FileNotFoundError when a corpus file is missing."""
    parts: dict[str, list[str]] = {"development": [], "measured": []}
    for ids in chosen(shared_eval, gold_dir).values():
        parts["development"] += ids[0::2]
        parts["measured"] += ids[1::2]
    return parts


def corpus_file(label_id: str) -> str:
    """The corpus file (relative to the eval folder) a label id of this set names."""
    return PREFIXES[label_id.split(":", 1)[0]]


def main(argv: list[str]) -> None:
    """Print the chosen ids, kinds and titles of each part, in the rule's order."""
    shared_eval = Path(argv[0]) if argv else Path("../shared/eval")
    titles = pool(shared_eval, Path("tests/gold"))
    kinds = {label_id: kind for kind, ids in chosen(shared_eval, Path("tests/gold")).items() for label_id in ids}
    for part, ids in select(shared_eval, Path("tests/gold")).items():
        print(f"# {part} ({len(ids)})")
        for label_id in ids:
            print(f"{label_id}\t{kinds[label_id]}\t{titles[label_id]}")


if __name__ == "__main__":
    main(sys.argv[1:])
