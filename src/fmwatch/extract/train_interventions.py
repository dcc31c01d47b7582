"""Train the intervention-span tagger (``intervention_model.py``) from SciBERT's conversion of
the EBM-NLP development file, read in place from ``../shared/eval/ebm_nlp`` (Nye et al., ACL 2018;
labels from crowd workers, aggregated by vote).

    python -m fmwatch.extract.train_interventions [--shared ../shared/eval] [--out PATH]

What it reads and for what:
- ``scibert_ebmnlp_dev.txt``: its abstracts whose PMID is NOT among the annotated documents of the
  EBM-NLP difficulty archive (``annotations/random`` and ``annotations/difficult``, which ``fmwatch
  eval`` scores: only the archive's file names are read here, never a label), 544 of 960. Of those,
  the abstracts whose PMID is divisible by ``VALIDATION_EVERY`` choose C and the tagging threshold
  (token F1 of the ``I-INT`` label); then the model is refitted on all 544 with that C;
- ``scibert_ebmnlp_test.txt`` (expert gold) and the difficulty archive's labels: never (they measure
  it: ``evaluate.evaluate_ebm_model``).

Each sentence is re-tokenised the way extraction tokenises text (``intervention_model.tokens`` on
the tokens joined by spaces) and a word takes the label of the corpus token it starts in. The fit is
scikit-learn's ``LogisticRegression`` (liblinear, L2) on binary features, deterministic for the same
data, code and library versions; features seen in fewer than ``MIN_COUNT`` words are dropped, then
all but the ``MAX_FEATURES`` of largest weight, and the model refitted on those (so the stored model
is exactly the one measured). Weights are written with 5 significant digits. scikit-learn is needed
here only (the ``dev`` extra).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tarfile
from pathlib import Path

from .intervention_model import FEATURES_VERSION, MODEL_PATH, InterventionModel, sentence_features, title_words, tokens

MODEL_VERSION = "1.0"
DATA_FILE = "ebm_nlp/scibert_ebmnlp_dev.txt"
ARCHIVE = "ebm_nlp/ebm_nlp_difficulty.tar.gz"
MIN_COUNT = 2
MAX_FEATURES = 30000
C_GRID = (0.25, 0.5, 1.0, 2.0)
VALIDATION_EVERY = 5


def read_conll(path: Path) -> dict[str, list[list[tuple[str, str]]]]:
    """SciBERT's EBM-NLP file: PMID -> sentences, each a list of ``(token, label)`` (labels
    ``I-PAR``, ``I-INT``, ``I-OUT``, ``O``), in file order."""
    docs: dict[str, list[list[tuple[str, str]]]] = {}
    current: list[list[tuple[str, str]]] | None = None
    sentence: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("-DOCSTART-"):
            pmid = line.split("(", 1)[1].rstrip(")").strip()
            current = docs.setdefault(pmid, [])
            sentence = []
            continue
        parts = line.split()
        if not parts:
            if sentence and current is not None:
                current.append(sentence)
            sentence = []
            continue
        sentence.append((parts[0], parts[-1]))
    if sentence and current is not None:
        current.append(sentence)
    return docs


def scored_pmids(shared_eval: Path) -> set[str]:
    """The PMIDs of the EBM-NLP difficulty archive's annotated documents (``annotations/random``
    and ``annotations/difficult``: what ``fmwatch eval`` scores), from the archive's file names only."""
    with tarfile.open(shared_eval / ARCHIVE, "r:gz") as tar:
        return {Path(name).stem for name in tar.getnames()
                if "/annotations/" in name and name.endswith(".ann") and "/._" not in name}


def retokenised(sentence: list[tuple[str, str]]) -> tuple[list[str], list[int]]:
    """One corpus sentence as extraction would tokenise it (``intervention_model.tokens`` on the
    tokens joined by spaces): its words and, for each, 1 when the corpus token it starts in is
    ``I-INT``."""
    text, owner = [], []
    for index, (token, _) in enumerate(sentence):
        text.append(token)
        owner.extend([index] * (len(token) + 1))
    joined = " ".join(text)
    words, labels = [], []
    for start, end in tokens(joined):
        words.append(joined[start:end])
        labels.append(int(sentence[owner[start]][1] == "I-INT"))
    return words, labels


def training_documents(shared_eval: Path) -> dict[str, list[list[tuple[str, str]]]]:
    """The development file's abstracts the tagger may learn from: those ``fmwatch eval`` never
    scores (``scored_pmids``) and not in the expert test file."""
    docs = read_conll(shared_eval / DATA_FILE)
    test = read_conll(shared_eval / "ebm_nlp" / "scibert_ebmnlp_test.txt").keys()
    unseen = scored_pmids(shared_eval) | set(test)
    return {pmid: sentences for pmid, sentences in docs.items() if pmid not in unseen}


def _rows(docs: dict[str, list[list[tuple[str, str]]]]) -> tuple[list[list[str]], list[int]]:
    rows, labels = [], []
    for pmid in sorted(docs):
        title = frozenset()
        for number, sentence in enumerate(docs[pmid]):
            words, gold = retokenised(sentence)
            if number == 0:
                title = title_words(" ".join(words))
            if words:
                rows.extend(sentence_features(words, first=number == 0, title=title if number else frozenset()))
                labels.extend(gold)
    return rows, labels


def _matrix(rows: list[list[str]], vocabulary: dict[str, int]):
    from scipy.sparse import csr_matrix
    data, indices, pointers = [], [], [0]
    for found in rows:
        kept = sorted({vocabulary[name] for name in found if name in vocabulary})
        indices.extend(kept)
        data.extend([1.0] * len(kept))
        pointers.append(len(indices))
    return csr_matrix((data, indices, pointers), shape=(len(rows), len(vocabulary)))


def _fit(rows, labels, vocabulary, c: float):
    from sklearn.linear_model import LogisticRegression
    classifier = LogisticRegression(C=c, solver="liblinear", max_iter=2000, tol=1e-5, random_state=0)
    classifier.fit(_matrix(rows, vocabulary), labels)
    return classifier


def _vocabulary(rows: list[list[str]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for found in rows:
        for name in found:
            counts[name] = counts.get(name, 0) + 1
    return {name: i for i, name in enumerate(sorted(n for n, k in counts.items() if k >= MIN_COUNT))}


def token_scores(gold: list[int], predicted: list[bool]) -> dict:
    """Token precision, recall and F1 of the predicted words against the gold ones (3 decimals)."""
    tp = sum(1 for g, p in zip(gold, predicted) if g and p)
    fp = sum(1 for g, p in zip(gold, predicted) if p and not g)
    fn = sum(1 for g, p in zip(gold, predicted) if g and not p)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3), "tp": tp, "fp": fp, "fn": fn}


def best_threshold(gold: list[int], probabilities: list[float]) -> tuple[float, float]:
    """``(threshold, F1)``: the probability cut (0.05 steps from 0.1 to 0.7) of the best token F1."""
    best = (0.5, -1.0)
    for step in range(2, 15):
        cut = step / 20
        f1 = token_scores(gold, [p >= cut for p in probabilities])["f1"]
        if f1 > best[1] + 1e-9:
            best = (cut, f1)
    return best


def lexicon_digest() -> str:
    """SHA-256 hex digest of what the ``lex`` features read: the one-word substance names and the
    drug-name endings and exceptions (``substances.SINGLE_WORD_SUBSTANCES``, ``lexicon.DRUG_SUFFIXES``,
    ``lexicon.NOT_DRUGS``), by content, so that a new name makes the model stale and a faster
    look-up does not."""
    from . import lexicon
    from .substances import SINGLE_WORD_SUBSTANCES
    content = [sorted(SINGLE_WORD_SUBSTANCES.items()), sorted(lexicon.DRUG_SUFFIXES), sorted(lexicon.NOT_DRUGS)]
    return hashlib.sha256(json.dumps(content).encode("utf-8")).hexdigest()


def fingerprint(shared_eval: Path | None) -> dict:
    """SHA-256 hex digests of what the stored model was made from: ``data_sha256`` the training
    file (omitted when ``shared_eval`` is None), ``code_sha256`` this script and
    ``intervention_model.py``, ``lexicon_sha256`` the substance lexicon its features read
    (``lexicon_digest``)."""
    here = Path(__file__).parent
    code = hashlib.sha256()
    for name in ("train_interventions.py", "intervention_model.py"):
        code.update((here / name).read_bytes())
    found = {"code_sha256": code.hexdigest(), "lexicon_sha256": lexicon_digest()}
    if shared_eval is not None:
        found["data_sha256"] = hashlib.sha256((shared_eval / DATA_FILE).read_bytes()).hexdigest()
    return found


def _model(classifier, vocabulary: dict[str, int], threshold: float, metadata: dict) -> InterventionModel:
    round5 = (lambda x: float(f"{x:.5g}"))
    coef = classifier.coef_[0]
    weights = {name: round5(coef[column]) for name, column in vocabulary.items() if round5(coef[column]) != 0.0}
    return InterventionModel(round5(classifier.intercept_[0]), weights, threshold,
                             {"features_version": FEATURES_VERSION}, metadata)


def train(shared_eval: Path, limit: int | None = None, c_grid=C_GRID, max_features: int = MAX_FEATURES,
          log=print) -> InterventionModel:
    """Fit on the training abstracts, choose C and the threshold on their validation part, prune to
    ``max_features``, refit on all of them; return the model. ``limit``: the first N training
    abstracts only (by PMID; the reproducibility test)."""
    import numpy
    import sklearn
    docs = training_documents(shared_eval)
    if limit is not None:
        docs = {pmid: docs[pmid] for pmid in sorted(docs)[:limit]}
    validation = {p: s for p, s in docs.items() if int(p) % VALIDATION_EVERY == 0}
    fitting = {p: s for p, s in docs.items() if p not in validation}
    rows, labels = _rows(fitting)
    validation_rows, validation_labels = _rows(validation)
    vocabulary = _vocabulary(rows)
    best = None
    for c in c_grid:
        classifier = _fit(rows, labels, vocabulary, c)
        probabilities = classifier.predict_proba(_matrix(validation_rows, vocabulary))[:, 1].tolist()
        threshold, f1 = best_threshold(validation_labels, probabilities)
        log(f"validation token F1 {f1:.4f} at threshold {threshold}  C={c} features={len(vocabulary)}")
        if best is None or f1 > best[0] + 1e-9:
            best = (f1, c, threshold)
    _, c, threshold = best
    all_rows, all_labels = rows + validation_rows, labels + validation_labels
    vocabulary = _vocabulary(all_rows)
    classifier = _fit(all_rows, all_labels, vocabulary, c)
    if len(vocabulary) > max_features:
        strength = abs(classifier.coef_[0])
        names = sorted(vocabulary, key=lambda n: (-strength[vocabulary[n]], n))[:max_features]
        vocabulary = {name: i for i, name in enumerate(sorted(names))}
        classifier = _fit(all_rows, all_labels, vocabulary, c)
    metadata = {
        "version": MODEL_VERSION,
        "task": "EBM-NLP interventions (I-INT), token level",
        "training": {"data": DATA_FILE, "abstracts": len(docs), "validation_abstracts": len(validation),
                     "words": len(all_labels), "limit": limit,
                     "excluded": "abstracts annotated in ebm_nlp_difficulty.tar.gz (random, difficult) and the test file",
                     **fingerprint(shared_eval)},
        "hyper_parameters": {"C": c, "min_count": MIN_COUNT, "max_features": max_features, "solver": "liblinear",
                             "penalty": "l2", "random_state": 0, "validation_every": VALIDATION_EVERY},
        "validation_f1_before_refit": round(best[0], 4), "threshold": threshold,
        "trained_with": {"python": ".".join(map(str, sys.version_info[:2])), "scikit-learn": sklearn.__version__,
                         "numpy": numpy.__version__},
    }
    model = _model(classifier, vocabulary, threshold, metadata)
    log(f"threshold {threshold}, C {c}, {len(model.weights)} weights")
    return model


def main(argv: list[str] | None = None) -> int:
    """The command line: train, write the model (``--out``, default the package's), print its size."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared/eval"), help="the shared eval folder")
    parser.add_argument("--out", type=Path, default=MODEL_PATH, help="where to write the model (JSON)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N training abstracts")
    args = parser.parse_args(argv)
    if not (args.shared / DATA_FILE).is_file():
        print(f"no EBM-NLP data at {args.shared / DATA_FILE} (pass --shared)", file=sys.stderr)
        return 2
    model = train(args.shared, args.limit)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(model.to_json(), encoding="utf-8")
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes, {len(model.weights)} features)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
