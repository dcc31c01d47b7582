"""Train the result-sentence model (``result_sentence_model.py``) from Evidence Inference 2.0 read in
place from ``../shared/eval/evidence_inference`` (DeYoung et al., BioNLP 2020; MIT licence).

    python -m fmwatch.extract.train_result_sentence [--shared ../shared/eval] [--out PATH]

What it reads and for what (``corpora.result_sentence_abstracts``: the sentences of each abstract,
a result where an accepted evidence span covers it, trained on the sentences whose label can be
trusted: results, and sentences under a heading that announces none, ``LabelledAbstract.trusted``):
- the ``train`` split: the fit;
- the ``validation`` split: the choice of the regularisation C (by the best F1 over thresholds on
  the sentences whose label can be trusted), then the thresholds stored with the model:
  ``decide_at`` (the model alone, best F1 over every sentence),
  ``veto_below`` (the rules' result sentences kept only from here: the best F1 of the two
  together, on trusted labels, pooled with the train split's scored out of fold) and
  ``armless_from`` (the same with trials whose arms were not found read too, an option extraction
  leaves off: ``result_sentence_model.reads_armless_trials``);
- the ``test`` split: never. Nor the measured-only documents of our corpus labels.

The fit is scikit-learn's ``LogisticRegression`` (lbfgs, L2) on binary features scaled to unit
length, deterministic for the same data, code and library versions. The features kept are those
seen in at least ``MIN_COUNT`` training sentences, then the ``MAX_FEATURES`` with the largest
weights, refitted on those alone (so the stored model is exactly the one measured). Weights are
written with 5 significant digits. scikit-learn is needed here only (the ``dev`` extra); reading
the model needs nothing but the standard library.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from .corpora import result_sentence_abstracts, rule_result_sentences
from .result_sentence_model import FEATURES_VERSION, MODEL_PATH, ResultSentenceModel, features
# (the same matrix as the direction model's: binary features scaled by 1/sqrt(their number), as
# ``ResultSentenceModel.probability`` computes)
from .train_direction import _matrix, training_command

MODEL_VERSION = "1.1"
MIN_COUNT = 2
MAX_FEATURES = 5000
C_GRID = (1.0, 4.0, 16.0, 64.0)
FOLDS = 5
DATA_FILE = "evidence_inference/v2_prompts.jsonl"


def labelled_sentences(abstracts: list) -> tuple[list[str], list[bool]]:
    """``(sentences, is_result)`` of labelled abstracts in order (``corpora.result_sentence_abstracts``),
    the sentences whose label can be trusted only (``LabelledAbstract.trusted``)."""
    texts, labels = [], []
    for abstract in abstracts:
        for sentence, result, trusted in zip(abstract.sentences, abstract.results, abstract.trusted):
            if trusted:
                texts.append(sentence.text)
                labels.append(result)
    return texts, labels


def out_of_fold(abstracts: list, vocabulary: dict[str, int], c: float, folds: int = FOLDS) -> list[tuple[float, bool, bool]]:
    """``(probability, is_result, the rules report a result from it)`` of every trusted sentence of
    the abstracts, its probability from a fit on the other folds (abstract ``i`` in fold ``i %
    folds``): probabilities as the model gives on text it was not fitted on, for choosing the veto
    threshold on more than the validation split."""
    scored = []
    for fold in range(folds):
        texts, labels = labelled_sentences([a for i, a in enumerate(abstracts) if i % folds != fold])
        classifier = _fit([features(t) for t in texts], labels, vocabulary, c)
        held = [a for i, a in enumerate(abstracts) if i % folds == fold]
        for abstract in held:
            rules = rule_result_sentences(abstract)
            kept = [(s.text, r, rule) for s, r, t, rule in zip(abstract.sentences, abstract.results, abstract.trusted, rules) if t]
            if kept:
                probabilities = classifier.predict_proba(_matrix([features(t) for t, _, _ in kept], vocabulary))[:, 1]
                scored.extend((float(p), r, rule) for p, (_, r, rule) in zip(probabilities, kept))
    return scored


def _fit(rows: list[list[str]], labels: list[bool], vocabulary: dict[str, int], c: float):
    """scikit-learn's logistic regression (lbfgs, L2 with inverse strength ``c``) on the rows."""
    from sklearn.linear_model import LogisticRegression
    classifier = LogisticRegression(C=c, solver="lbfgs", max_iter=5000, tol=1e-6, random_state=0)
    classifier.fit(_matrix(rows, vocabulary), [int(label) for label in labels])
    return classifier


def prf(gold: list[bool], predicted: list[bool]) -> dict:
    """Precision, recall and F1 of "is a result sentence" (4 decimals)."""
    tp = sum(g and p for g, p in zip(gold, predicted))
    fp = sum(p and not g for g, p in zip(gold, predicted))
    fn = sum(g and not p for g, p in zip(gold, predicted))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def best_threshold(probabilities: list[float], gold: list[bool], among: list[bool] | None = None) -> tuple[float, float]:
    """``(threshold, F1)``: the probability from which a sentence is called a result that gives the
    best F1 on ``gold``; with ``among`` (the rules' choice), only those sentences may be called
    (a veto of the others). Ties go to the lower threshold."""
    allowed = among or [True] * len(gold)
    best = (0.0, prf(gold, allowed)["f1"])
    for threshold in sorted({round(p, 4) for p, a in zip(probabilities, allowed) if a}):
        f1 = prf(gold, [a and p >= threshold for p, a in zip(probabilities, allowed)])["f1"]
        if f1 > best[1] + 1e-9:
            best = (threshold, f1)
    return best


def fingerprint(shared_eval: Path, abstracts: dict[str, list] | None = None) -> dict:
    """What the stored model was made from, as SHA-256 hex digests:

    - ``data_sha256``: the training data file;
    - ``code_sha256``: the code that turns it into a model (this script, ``result_sentence_model.py``,
      and the source of the shared ``train_direction._matrix``);
    - ``sentences_sha256``: what the fit and the thresholds read, by behaviour rather than by source:
      every labelled sentence of the ``train`` and ``validation`` abstracts (PMC id, the sentence's
      text and offsets, its label and heading), so a change to the corpus reader
      (``corpus_texts``), the sentence splitter (``text.sentences``) or the labelling
      (``corpora.result_sentence_abstracts``) that changes a sentence fails
      ``tests/test_result_sentence_model.py``, and a change that alters no sentence (a faster
      splitter) leaves the model current;
    - ``rules_sha256``: which validation sentences the outcome rules report a result from, with and
      without reading trials whose arms were not found (``corpora.rule_result_sentences``): the
      thresholds ``veto_below`` and ``armless_from`` are chosen on them, so a change of the outcome
      rules that changes one makes them stale (the weights are not: they read sentences only).

    ``abstracts``: the labelled abstracts by split, when the caller has them already (training)."""
    import inspect
    here = Path(__file__).parent
    code = hashlib.sha256()
    for name in ("train_result_sentence.py", "result_sentence_model.py"):
        code.update((here / name).read_bytes())
    code.update(inspect.getsource(_matrix).encode("utf-8"))
    abstracts = abstracts or {split: result_sentence_abstracts(shared_eval, split) for split in ("train", "validation")}
    said = hashlib.sha256()
    for split in ("train", "validation"):
        for abstract in abstracts[split]:
            said.update(json.dumps([split, abstract.pmcid, [[s.text, s.start, s.end] for s in abstract.sentences],
                                    abstract.results, abstract.sections], ensure_ascii=False).encode("utf-8"))
    rules = hashlib.sha256()
    for abstract in abstracts["validation"]:
        rules.update(json.dumps([abstract.pmcid, rule_result_sentences(abstract),
                                 rule_result_sentences(abstract, armless_trials=True)]).encode("utf-8"))
    return {"data_sha256": hashlib.sha256((shared_eval / DATA_FILE).read_bytes()).hexdigest(),
            "code_sha256": code.hexdigest(), "sentences_sha256": said.hexdigest(), "rules_sha256": rules.hexdigest()}


def _model(classifier, vocabulary: dict[str, int], metadata: dict) -> ResultSentenceModel:
    """The fitted classifier as a ``ResultSentenceModel`` (weights rounded to 5 significant digits)."""
    round5 = (lambda x: float(f"{x:.5g}"))
    weights = {name: round5(classifier.coef_[0][column]) for name, column in vocabulary.items()}
    return ResultSentenceModel(round5(classifier.intercept_[0]), weights,
                               {"features_version": FEATURES_VERSION}, metadata)


def train(shared_eval: Path, limit: int | None = None, c_grid=C_GRID, max_features: int = MAX_FEATURES,
          log=print) -> ResultSentenceModel:
    """Fit on the train split, choose C on the validation split (best F1), prune to
    ``max_features``, refit, choose the thresholds on validation; return the model. ``limit``: the
    first N abstracts of each split only (the reproducibility test)."""
    import numpy
    import sklearn
    training = result_sentence_abstracts(shared_eval, "train", limit)
    texts, gold_train = labelled_sentences(training)
    validation = result_sentence_abstracts(shared_eval, "validation", limit)
    made_from = fingerprint(shared_eval, {"train": training, "validation": validation})
    validation_texts = [s.text for a in validation for s in a.sentences]
    gold = [r for a in validation for r in a.results]
    trusted = [t for a in validation for t in a.trusted]
    trusted_gold = [g for g, t in zip(gold, trusted) if t]
    rows = [features(t) for t in texts]
    counts: dict[str, int] = {}
    for found in rows:
        for name in found:
            counts[name] = counts.get(name, 0) + 1
    vocabulary = {name: i for i, name in enumerate(sorted(n for n, k in counts.items() if k >= MIN_COUNT))}
    validation_rows = [features(t) for t in validation_texts]
    best = None
    for c in c_grid:
        classifier = _fit(rows, gold_train, vocabulary, c)
        probabilities = list(classifier.predict_proba(_matrix(validation_rows, vocabulary))[:, 1])
        threshold, f1 = best_threshold([p for p, t in zip(probabilities, trusted) if t], trusted_gold)
        log(f"validation best F1 {f1:.4f} at {threshold:.3f}  C={c} features={len(vocabulary)}")
        if best is None or f1 > best[0] + 1e-9:
            best = (f1, c, classifier)
    _, c, classifier = best
    if len(vocabulary) > max_features:  # keep the features with the largest weights, refit on them
        strength = abs(classifier.coef_[0])
        names = sorted(vocabulary, key=lambda n: (-strength[vocabulary[n]], n))[:max_features]
        vocabulary = {name: i for i, name in enumerate(sorted(names))}
        classifier = _fit(rows, gold_train, vocabulary, c)
    model = _model(classifier, vocabulary, {})
    # thresholds and figures with the stored (rounded) weights, through the code extraction uses
    probabilities = [model.probability(t) for t in validation_texts]
    rules = [r for a in validation for r in rule_result_sentences(a)]
    armless = [r for a in validation for r in rule_result_sentences(a, armless_trials=True)]
    decide_at, _ = best_threshold(probabilities, gold)
    kept = [i for i, t in enumerate(trusted) if t]  # (the veto thresholds: on labels that can be trusted)
    pooled = out_of_fold(training, vocabulary, c) + [(probabilities[i], gold[i], rules[i]) for i in kept]
    veto_below, _ = best_threshold([p for p, _, _ in pooled], [g for _, g, _ in pooled], [r for _, _, r in pooled])
    armless_from, _ = best_threshold([probabilities[i] for i in kept], trusted_gold, [armless[i] for i in kept])
    metadata = {
        "version": MODEL_VERSION,
        "task": "Evidence Inference 2.0: does a sentence of an abstract hold an accepted evidence span (a result)?",
        "training": {"data": DATA_FILE, "split": "train", "sentences": len(texts), "results": sum(gold_train),
                     "limit": limit, **made_from},
        "hyper_parameters": {"C": c, "min_count": MIN_COUNT, "max_features": max_features, "solver": "lbfgs",
                             "penalty": "l2", "random_state": 0},
        "decide_at": decide_at, "veto_below": veto_below, "armless_from": armless_from,
        "validation": {"abstracts": len(validation), "sentences": len(gold), "results": sum(gold),
                       "rules": prf(gold, rules),
                       "model": prf(gold, [p >= decide_at for p in probabilities]),
                       "model_on_trusted_labels": {"sentences": len(kept), **prf(
                           trusted_gold, [probabilities[i] >= best_threshold([probabilities[j] for j in kept],
                                                                             trusted_gold)[0] for i in kept])},
                       "rules_vetoed": prf(gold, [r and p >= veto_below for r, p in zip(rules, probabilities)]),
                       "rules_armless_trials": prf(gold, armless),
                       "rules_armless_trials_vetoed": prf(gold, [r and p >= armless_from
                                                                 for r, p in zip(armless, probabilities)])},
        "trained_with": {"python": ".".join(map(str, sys.version_info[:2])), "scikit-learn": sklearn.__version__,
                         "numpy": numpy.__version__},
    }
    log(json.dumps(metadata, indent=1))
    return ResultSentenceModel(model.intercept, model.weights, model.options, metadata)


def main(argv: list[str] | None = None) -> int:
    """The command line: train, write the model, print its validation figures."""
    return training_command(argv, __doc__, train, MODEL_PATH, "only the first N abstracts of each split")


if __name__ == "__main__":
    raise SystemExit(main())
