"""A small learned reader of result direction: given one evidence sentence (and the outcome it is
about), is the outcome significantly increased, significantly decreased, or not significantly
different between the groups compared? The Evidence Inference task with the evidence given
(Lehman et al., NAACL 2019; DeYoung et al., BioNLP 2020), learned from Evidence Inference 2.0's
train split by ``fmwatch.extract.train_direction``.

The model is a multinomial logistic regression over binary text features (word 1-2 grams, their
character 3-5 grams, p-value and confidence-interval cues, and the words near the outcome),
scaled to unit length. It is stored as plain JSON (``models/direction_model.json``): labels,
intercepts and one weight per label for each kept feature, with a version and fingerprints of the
data and code that made it. JSON, not pickle: loading it runs no code, so a tampered model file
can give wrong answers but cannot execute anything. Inference is pure Python (no scikit-learn,
no numpy): a sentence costs a few hundred dictionary look-ups.

The rules (``direction.result_direction`` and ``outcomes``) decide first; the model answers only
where they give no direction (see ``model_direction``), and the evidence records which decided.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .direction import DECREASED, INCREASED, NO_DIFFERENCE

MODEL_PATH = Path(__file__).parent / "models" / "direction_model.json"
# Bump when ``features`` changes: a model trained on other features must not be loaded.
FEATURES_VERSION = "2"
LABELS = (INCREASED, DECREASED, NO_DIFFERENCE)

TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?|\d+(?:[.·]\d+)?|[<>=≤≥%±]")
# "p < 0.001", "P = .34", "p > 0.05", "p-value of 0.02": the operator and the value.
P_VALUE = re.compile(r"\bp\s*(?:-?\s*values?\s*(?:of|was|were|is)?\s*)?(?P<op>[=<>≤≥])?\s*(?P<value>0?[.·]\d+|[01](?:[.·]0+)?)\b",
                     re.I)
# "95% CI 0.8 to 1.3", "(95% CI, -2.1, 0.4)": the two bounds (their meaning depends on a ratio or a difference).
CI = re.compile(r"(?:\bci\b|confidence\s+interval)[\s:=,;]*\[?\(?\s*(?P<lo>[−-]?\d+(?:[.·]\d+)?)\s*(?:to|–|-|—|,|;)\s*"
                r"(?P<hi>[−-]?\d+(?:[.·]\d+)?)", re.I)
RATIO = re.compile(r"\b(?:ratio|or|rr|hr|irr|odds|hazard|relative\s+risk)\b", re.I)
OUTCOME_WINDOW = 6  # words either side of the outcome's mention that speak of it


def _tokens(text: str) -> list[str]:
    """Lower-case word tokens; every number is ``0`` (its value is read by the p-value and CI cues)."""
    return ["0" if t[0].isdigit() else t for t in TOKEN.findall(text.lower())]


def _cues(sentence: str) -> list[str]:
    """Significance cues a bag of words cannot see: each p-value as significant or not (0.05 the
    bound), and each 95% confidence interval as holding the null (1 for a ratio, 0 for a
    difference) or not."""
    cues = []
    for match in P_VALUE.finditer(sentence):
        value = float(match.group("value").replace("·", "."))
        op = match.group("op") or "="
        if op in "<≤":
            cues.append("P:sig" if value <= 0.05 else "P:lt_big")
        elif op in ">≥":
            cues.append("P:ns" if value >= 0.05 else "P:gt_small")
        else:
            cues.append("P:sig" if value < 0.05 else "P:ns")
    for match in CI.finditer(sentence):
        lo, hi = (float(match.group(g).replace("−", "-").replace("·", ".")) for g in ("lo", "hi"))
        lo, hi = min(lo, hi), max(lo, hi)
        null = 1.0 if RATIO.search(sentence, 0, match.start()) else 0.0
        cues.append("CI:null" if lo < null < hi else "CI:excludes")
    return cues


def _outcome_window(tokens: list[str], outcome: str | None) -> list[str]:
    """The words around the first mention of the outcome (its first word of four letters or more
    found in the sentence), or nothing: what the sentence says about that outcome."""
    if not outcome:
        return []
    wanted = [w for w in _tokens(outcome) if len(w) >= 4][:4]
    at = next((i for w in wanted for i, t in enumerate(tokens) if t == w), None)
    if at is None:
        return []
    return tokens[max(0, at - OUTCOME_WINDOW):at + OUTCOME_WINDOW + 1]


def features(sentence: str, outcome: str | None = None, *, chars: bool = True, window: bool = True) -> list[str]:
    """The distinct features of one evidence sentence, sorted: ``w:`` word uni- and bigrams, ``c:``
    character 3-5 grams of each word (with ``_`` at its edges), ``P:``/``CI:`` significance cues,
    and ``o:`` words and bigrams within ``OUTCOME_WINDOW`` words of the outcome's mention.

    ``chars`` and ``window`` turn feature groups off (the training script compares them on the
    validation split; the stored model says which it used). Example: ``features("Pain was lower
    (p < 0.01)", chars=False)`` -> ``['P:sig', 'w:0', 'w:<', 'w:< 0', 'w:lower', 'w:lower p', 'w:p',
    'w:p <', 'w:pain', 'w:pain was', 'w:was', 'w:was lower']`` (numbers are ``0``, brackets dropped)."""
    tokens = _tokens(sentence)
    found = {f"w:{t}" for t in tokens}
    found.update(f"w:{a} {b}" for a, b in zip(tokens, tokens[1:]))
    if chars:
        for token in set(tokens):
            if len(token) < 3 or token == "0":
                continue
            padded = f"_{token}_"
            for n in (3, 4, 5):
                found.update(f"c:{padded[i:i + n]}" for i in range(len(padded) - n + 1))
    found.update(_cues(sentence))
    if window:
        near = _outcome_window(tokens, outcome)
        found.update(f"o:{t}" for t in near)
        found.update(f"o:{a} {b}" for a, b in zip(near, near[1:]))
    return sorted(found)


def model_json(head: dict, weights: dict) -> str:
    """A trained model as the JSON text stored in ``models/``: ``{"model": head, "weights": {...}}``
    with keys sorted and one feature a line, so the same model is the same bytes and a retrained one
    diffs line by line. ``weights``: feature name -> a number or a list of numbers (JSON values).
    Shared by the direction and result-sentence models."""
    lines = ["{", f'"model": {json.dumps(head, sort_keys=True)},', '"weights": {']
    names = sorted(weights)
    for index, name in enumerate(names):
        comma = "," if index < len(names) - 1 else ""
        lines.append(f"{json.dumps(name, ensure_ascii=False)}: {json.dumps(weights[name])}{comma}")
    lines += ["}", "}", ""]
    return "\n".join(lines)


@dataclass(frozen=True)
class DirectionModel:
    """A trained direction model: ``weights[feature]`` holds one weight per label in ``labels``
    order; ``options`` the feature groups it was trained with; ``metadata`` its version, training
    data and code fingerprints, hyper-parameters and validation scores."""

    labels: tuple[str, ...]
    intercept: tuple[float, ...]
    weights: dict[str, tuple[float, ...]]
    options: dict = field(default_factory=dict)
    metadata: dict = field(default_factory=dict)

    @property
    def version(self) -> str:
        """The model's version string (``train_direction.MODEL_VERSION`` when it was trained)."""
        return self.metadata.get("version", "")

    def probabilities(self, sentence: str, outcome: str | None = None) -> dict[str, float]:
        """Probability of each label (they sum to 1) for one evidence sentence."""
        found = features(sentence, outcome, chars=self.options.get("chars", True),
                         window=self.options.get("window", True))
        scale = 1.0 / math.sqrt(len(found)) if found else 0.0
        scores = list(self.intercept)
        for name in found:
            row = self.weights.get(name)
            if row is not None:
                for index, weight in enumerate(row):
                    scores[index] += weight * scale
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return {label: e / total for label, e in zip(self.labels, exps)}

    def predict(self, sentence: str, outcome: str | None = None) -> tuple[str, float]:
        """The most probable label and its probability (ties go to the first label in ``labels``)."""
        probabilities = self.probabilities(sentence, outcome)
        label = max(self.labels, key=lambda name: probabilities[name])
        return label, probabilities[label]

    def to_json(self) -> str:
        """The model as the JSON text stored in ``models/`` (keys sorted, one feature a line, so that
        the same model is the same bytes and a retrained one diffs line by line)."""
        head = {"format": "fmwatch-direction-model", "labels": list(self.labels), "intercept": list(self.intercept),
                "options": self.options, "metadata": self.metadata}
        return model_json(head, {name: list(weights) for name, weights in self.weights.items()})

    @classmethod
    def from_json(cls, text: str) -> "DirectionModel":
        """Read a model written by ``to_json``. Raises ValueError for another format or features
        version (retrain with ``python -m fmwatch.extract.train_direction``)."""
        data = json.loads(text)
        head = data.get("model", {})
        if head.get("format") != "fmwatch-direction-model":
            raise ValueError("not an fmwatch direction model")
        if head.get("options", {}).get("features_version") != FEATURES_VERSION:
            raise ValueError(f"direction model made with features version {head.get('options', {}).get('features_version')}, "
                             f"this code reads {FEATURES_VERSION}: retrain it")
        return cls(tuple(head["labels"]), tuple(head["intercept"]),
                   {name: tuple(row) for name, row in data["weights"].items()}, head["options"], head["metadata"])


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_PATH) -> DirectionModel | None:
    """The stored model, read once per process from the package (offline), or None when the file is
    missing (a checkout without it: the rules then answer alone). Raises ValueError for a file of
    another format or features version."""
    if not path.is_file():
        return None
    return DirectionModel.from_json(path.read_text(encoding="utf-8"))


def model_direction(sentence: str, outcome: str | None = None, model: DirectionModel | None = None) -> tuple[str, float] | None:
    """``(label, probability)`` of the stored model for a sentence where the rules gave no
    direction, or None when there is no model or its probability is below ``abstain_below`` (in the
    model's metadata: chosen on the validation split by the training script). Labels are
    ``direction.INCREASED`` / ``DECREASED`` / ``NO_DIFFERENCE``."""
    model = model or load_model()
    if model is None:
        return None
    label, probability = model.predict(sentence, outcome)
    if probability < model.metadata.get("abstain_below", 0.0):
        return None
    return label, probability


def decide_undirected(outcome_list: list[dict]) -> None:
    """Say, in place, who decided each outcome's direction: ``"direction_by": "rule"`` where the
    rules gave one; where they gave none for a result sentence (``outcomes`` marks it with
    ``_model_input`` = (sentence, measure label, higher_is_better): a p-value or a word of
    significance but no direction word), the model's label if it is sure enough
    (``model_direction``), as improved / worsened / no_change with the measure's polarity, and
    ``"direction_by": "model"``, ``"direction_probability"`` (0-1, 3 decimals) and
    ``"direction_model"`` (its version). The ``_model_input`` mark is removed from every outcome."""
    for outcome in outcome_list:
        candidate = outcome.pop("_model_input", None)
        if outcome["direction"] is not None:
            outcome.setdefault("direction_by", "rule")
            continue
        if candidate is None:
            continue
        sentence, label, higher_is_better = candidate
        answer = model_direction(sentence, label)
        if answer is None:
            continue
        direction, probability = answer
        if direction == NO_DIFFERENCE:
            outcome["direction"] = "no_change"
        else:
            outcome["direction"] = "improved" if (direction == INCREASED) == bool(higher_is_better) else "worsened"
        model = load_model()
        outcome.update(direction_by="model", direction_probability=round(probability, 3),
                       direction_model=model.version if model else None)
