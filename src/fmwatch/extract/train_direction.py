"""Train the result-direction model (``direction_model.py``) from Evidence Inference 2.0 read in
place from ``../shared/eval/evidence_inference`` (DeYoung et al., BioNLP 2020; MIT licence).

    python -m fmwatch.extract.train_direction [--shared ../shared/eval] [--out PATH]

What it reads and for what:
- the ``train`` split (``ev2_split`` of ``v2_prompts.jsonl``): every annotation whose label a
  verifier accepted, its evidence text and its own label, one example per distinct (prompt,
  evidence): the fit;
- the ``validation`` split: every prompt, its first accepted evidence: the choice of
  hyper-parameters (C, feature groups) by macro-F1, then the abstention threshold;
- the ``test`` split: never (``fmwatch eval`` measures on it).

The fit is scikit-learn's ``LogisticRegression`` (multinomial, lbfgs, L2) on binary features
scaled to unit length, deterministic for the same data, code and library versions. The features
kept are those seen in at least ``MIN_COUNT`` training examples, then the ``MAX_FEATURES`` with the
largest weights, refitted on those alone (so the stored model is exactly the one measured). Weights
are written with 6 significant digits. scikit-learn is needed here only (the ``dev`` extra);
reading the model needs nothing but the standard library.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from pathlib import Path

from .corpora import EI_LABELS, ClassScore, evidence_inference_prompts
from .direction import result_direction
from .direction_model import FEATURES_VERSION, LABELS, MODEL_PATH, DirectionModel, features

MODEL_VERSION = "1.1"
MIN_COUNT = 2
MAX_FEATURES = 12000
C_GRID = (8.0, 16.0, 32.0, 64.0, 128.0, 256.0)
# Word n-grams alone, with character n-grams, with the outcome's window: all four were compared
# on the validation split once (README); both groups on gave the best macro-F1, and the grid
# keeps only them (each fit takes seconds on a loaded 2-core machine).
FEATURE_GROUPS = ({"chars": True, "window": True},)
DATA_FILE = "evidence_inference/v2_prompts.jsonl"


def training_examples(shared_eval: Path, split: str = "train", limit: int | None = None) -> list[tuple[str, str, str]]:
    """``(evidence, outcome, label)`` for every accepted annotation of a split's prompts, one per
    distinct (prompt, evidence), in file order; ``limit`` keeps the first prompts only (tests)."""
    examples, seen, prompts = [], set(), 0
    for line in (shared_eval / DATA_FILE).read_text(encoding="utf-8").splitlines():
        prompt = json.loads(line)
        if prompt["ev2_split"] != split:
            continue
        prompts += 1
        if limit is not None and prompts > limit:
            break
        for annotation in prompt["annotations"]:
            label = EI_LABELS.get(annotation["label"])
            evidence = " ".join((annotation["evidence"] or "").split())
            key = (prompt["prompt_id"], evidence.lower())
            if label is None or not annotation["valid_label"] or not evidence or key in seen:
                continue
            seen.add(key)
            examples.append((evidence, prompt["outcome"], label))
    return examples


def _matrix(rows: list[list[str]], vocabulary: dict[str, int]):
    """A CSR matrix of binary features scaled by 1/sqrt(the number of the row's features, kept or
    not): what ``DirectionModel.probabilities`` computes."""
    from scipy.sparse import csr_matrix
    data, indices, pointers = [], [], [0]
    for found in rows:
        scale = 1.0 / math.sqrt(len(found)) if found else 0.0
        kept = sorted(vocabulary[name] for name in found if name in vocabulary)
        indices.extend(kept)
        data.extend([scale] * len(kept))
        pointers.append(len(indices))
    return csr_matrix((data, indices, pointers), shape=(len(rows), len(vocabulary)))


def _fit(rows: list[list[str]], labels: list[str], vocabulary: dict[str, int], c: float):
    """scikit-learn's multinomial logistic regression (lbfgs, L2 with inverse strength ``c``) on the rows."""
    from sklearn.linear_model import LogisticRegression
    classifier = LogisticRegression(C=c, solver="lbfgs", max_iter=5000, tol=1e-6, random_state=0)
    classifier.fit(_matrix(rows, vocabulary), [LABELS.index(label) for label in labels])
    return classifier


def _model(classifier, vocabulary: dict[str, int], options: dict, metadata: dict) -> DirectionModel:
    """The fitted classifier as a ``DirectionModel`` (weights rounded to 6 significant digits)."""
    round6 = (lambda x: float(f"{x:.6g}"))
    order = list(classifier.classes_)  # indices into LABELS
    coef = classifier.coef_
    weights = {name: tuple(round6(coef[order.index(k)][column]) for k in range(len(LABELS)))
               for name, column in vocabulary.items()}
    intercept = tuple(round6(classifier.intercept_[order.index(k)]) for k in range(len(LABELS)))
    return DirectionModel(LABELS, intercept, weights, options, metadata)


def _score(gold: list[str], predicted: list[str | None]) -> ClassScore:
    score = ClassScore()
    for g, p in zip(gold, predicted):
        score.add(g, p)
    return score


def macro_f1(gold: list[str], predicted: list[str | None]) -> float:
    """Macro-F1 over the three labels (None predicts nothing), as ``fmwatch eval`` counts it."""
    return _score(gold, predicted).macro_f1


def _accuracy(gold: list[str], predicted: list[str | None]) -> float:
    return _score(gold, predicted).accuracy


def fingerprint(shared_eval: Path, validation: list[dict] | None = None) -> dict:
    """What the stored model was made from, as SHA-256 hex digests:

    - ``data_sha256``: the training data file;
    - ``code_sha256``: the code that turns it into a model (this script and ``direction_model.py``);
    - ``rules_sha256``: the direction rules' answers (``direction.result_direction``) on the
      ``validation`` prompts the script reads (``rules_answers``), by behaviour rather than by source.
      ``abstain_below`` is chosen on them (the model answers for the rules only where it is about as
      often right as they are where they answer) and the stored validation figures count them, so a
      change of the rules that moves one answer makes both stale and fails
      ``tests/test_direction_model.py`` until the model is retrained, while a faster rule that gives
      the same answers leaves it current. The fit reads no rule: the weights do not depend on them.

    ``validation``: the prompts (``corpora.evidence_inference_prompts(..., "validation",
    in_abstract=False)``) when the caller has them already (training)."""
    here = Path(__file__).parent
    code = hashlib.sha256()
    for name in ("train_direction.py", "direction_model.py"):
        code.update((here / name).read_bytes())
    if validation is None:
        validation = evidence_inference_prompts(shared_eval, "validation", in_abstract=False)
    rules = hashlib.sha256()
    for prompt, answer in zip(validation, rules_answers(validation)):
        rules.update(json.dumps([prompt["prompt_id"], prompt["outcome"], prompt["evidence"], answer],
                                ensure_ascii=False).encode("utf-8"))
    return {"data_sha256": hashlib.sha256((shared_eval / DATA_FILE).read_bytes()).hexdigest(),
            "code_sha256": code.hexdigest(), "rules_sha256": rules.hexdigest()}


def rules_answers(prompts: list[dict]) -> list[str | None]:
    """The direction rules' answer (``direction.result_direction``: increased, decreased,
    no_difference or None) for each prompt's evidence and outcome, in order."""
    return [result_direction(p["evidence"], p["outcome"]) for p in prompts]


def abstain_threshold(probabilities: list[float], right: list[bool], target: float) -> float:
    """The smallest probability t such that the model's answers with probability >= t are right at
    least ``target`` of the time (on the validation split), so that where it answers for the rules it
    is about as accurate as the rules are where they answer. 1.0 when no t reaches it."""
    pairs = sorted(zip(probabilities, right), reverse=True)
    best, hits = 1.0, 0
    for count, (probability, ok) in enumerate(pairs, 1):
        hits += ok
        if hits / count >= target:
            best = probability
    return round(best, 4)


def choose_abstain_below(gold: list[str], rules: list[str | None], predicted: list[tuple[str, float]]
                         ) -> tuple[float, float]:
    """``(abstain_below, the rules' precision)`` on the validation prompts: the rules' precision is
    the share of their answers (``rules``, None where they give none) that are the gold label;
    ``abstain_below`` the lowest probability at which the model's answers (``predicted``: label,
    probability) are right as often (``abstain_threshold``). The training script stores both; a
    test recomputes them from the stored model and today's rules."""
    answered = [(g, r) for g, r in zip(gold, rules) if r is not None]
    precision = _accuracy([g for g, _ in answered], [r for _, r in answered])
    return abstain_threshold([p for _, p in predicted], [g == label for g, (label, _) in zip(gold, predicted)],
                             precision), precision


def train(shared_eval: Path, limit: int | None = None, c_grid=C_GRID, groups=FEATURE_GROUPS,
          max_features: int = MAX_FEATURES, log=print) -> DirectionModel:
    """Fit on the train split, choose C and feature groups on the validation split (macro-F1), prune
    to ``max_features``, refit, choose the abstention threshold on validation; return the model.
    ``limit``: the first prompts of each split only (the reproducibility test)."""
    import sklearn
    import numpy
    train_set = training_examples(shared_eval, "train", limit)
    validation = evidence_inference_prompts(shared_eval, "validation", in_abstract=False)[:limit]
    gold = [p["label"] for p in validation]
    best = None
    for options in groups:
        rows = [features(s, o, **options) for s, o, _ in train_set]
        counts: dict[str, int] = {}
        for found in rows:
            for name in found:
                counts[name] = counts.get(name, 0) + 1
        vocabulary = {name: i for i, name in enumerate(sorted(n for n, k in counts.items() if k >= MIN_COUNT))}
        validation_rows = [features(p["evidence"], p["outcome"], **options) for p in validation]
        for c in c_grid:
            classifier = _fit(rows, [label for _, _, label in train_set], vocabulary, c)
            predicted = [LABELS[classifier.classes_[k]] for k in classifier.predict(_matrix(validation_rows, vocabulary))]
            score = macro_f1(gold, predicted)
            log(f"validation macro-F1 {score:.4f} accuracy {_accuracy(gold, predicted):.4f}  C={c} {options} "
                f"features={len(vocabulary)}")
            if best is None or score > best[0] + 1e-9:
                best = (score, c, options, rows, vocabulary, classifier)
    _, c, options, rows, vocabulary, classifier = best
    if len(vocabulary) > max_features:  # keep the features with the largest weights, refit on them
        strength = abs(classifier.coef_).max(axis=0)
        names = sorted(vocabulary, key=lambda n: (-strength[vocabulary[n]], n))[:max_features]
        vocabulary = {name: i for i, name in enumerate(sorted(names))}
        classifier = _fit(rows, [label for _, _, label in train_set], vocabulary, c)
    options = {"features_version": FEATURES_VERSION, **options}
    model = _model(classifier, vocabulary, options, {})
    # measured with the stored (rounded) weights, through the same code extraction uses
    predicted = [model.predict(p["evidence"], p["outcome"]) for p in validation]
    rules = rules_answers(validation)
    threshold, rules_precision = choose_abstain_below(gold, rules, predicted)
    combined = [r if r is not None else (label if probability >= threshold else None)
                for r, (label, probability) in zip(rules, predicted)]
    metadata = {
        "version": MODEL_VERSION, "task": "Evidence Inference 2.0 direction, evidence sentence given",
        "training": {"data": DATA_FILE, "split": "train", "examples": len(train_set), "limit": limit,
                     **fingerprint(shared_eval, validation)},
        "hyper_parameters": {"C": c, "min_count": MIN_COUNT, "max_features": max_features,
                             "solver": "lbfgs", "penalty": "l2", "random_state": 0},
        "abstain_below": threshold,
        "validation": {"prompts": len(validation),
                       "model": {"macro_f1": round(macro_f1(gold, [label for label, _ in predicted]), 4),
                                 "accuracy": round(_accuracy(gold, [label for label, _ in predicted]), 4)},
                       "rules": {"macro_f1": round(macro_f1(gold, rules), 4), "accuracy": round(_accuracy(gold, rules), 4),
                                 "precision_when_answered": round(rules_precision, 4)},
                       "rules_then_model": {"macro_f1": round(macro_f1(gold, combined), 4),
                                            "accuracy": round(_accuracy(gold, combined), 4)}},
        "trained_with": {"python": ".".join(map(str, sys.version_info[:2])), "scikit-learn": sklearn.__version__,
                         "numpy": numpy.__version__},
    }
    log(json.dumps(metadata, indent=1))
    return DirectionModel(model.labels, model.intercept, model.weights, options, metadata)


def main(argv: list[str] | None = None) -> int:
    """The command line: train, write the model, print its validation figures."""
    return training_command(argv, __doc__, train, MODEL_PATH, "only the first N prompts of each split")


def training_command(argv: list[str] | None, doc: str, train_model, model_path: Path, limit_help: str) -> int:
    """The command line of a model trained on Evidence Inference (this module's and
    ``train_result_sentence``'s): ``--shared`` (the eval folder), ``--out`` (default ``model_path``),
    ``--limit N``; calls ``train_model(shared, limit)`` and writes its ``to_json()``. Returns the exit
    status: 0, or 2 when the data file is missing."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared/eval"), help="the shared eval folder")
    parser.add_argument("--out", type=Path, default=model_path, help="where to write the model (JSON)")
    parser.add_argument("--limit", type=int, default=None, help=limit_help)
    args = parser.parse_args(argv)
    if not (args.shared / DATA_FILE).is_file():
        print(f"no Evidence Inference data at {args.shared / DATA_FILE} (pass --shared)", file=sys.stderr)
        return 2
    model = train_model(args.shared, args.limit)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(model.to_json(), encoding="utf-8")
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes, {len(model.weights)} features)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
