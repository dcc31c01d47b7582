"""A small learned judge of result sentences: does one sentence of an abstract report a result, a
measure compared between groups or over time ("Pain fell more with A than with B (p = 0.02)", "No
difference in nausea was seen between the groups")? Or is it an objective, a method, background?

Learned from Evidence Inference 2.0 (DeYoung et al., BioNLP 2020; Lehman et al., NAACL 2019) by
``fmwatch.extract.train_result_sentence``. Positives: the sentences of its abstracts that hold an
evidence span a verifier accepted. Negatives: the other sentences of the same abstracts, but only
those under a heading that announces no result (background, objective, methods). Annotators marked
the evidence of a few outcomes per article, so an unmarked sentence of the results may well be a
result; trained on those as negatives, the model learned that a short result without numbers
("Pain decreased and sleep improved in both groups.") is none.

The model is a binary logistic regression over binary text features (``feature_set``: word 1-2
grams with every number as ``0``, and a few shape cues: p-values, confidence intervals, percentages,
how many numbers, a comparison word, its length), scaled to unit length. It is stored as plain
JSON (``models/result_sentence_model.json``): intercept, one weight per kept feature, the
thresholds, a version and fingerprints of the data and code that made it. JSON, not pickle: loading
it runs no code. Scoring is pure Python (no scikit-learn, no numpy):
one regex pass over the sentence and a few dozen dictionary look-ups.

``outcomes`` asks ``vetoes`` whether a sentence its rules read as a result is one, and
``reads_armless_trials`` whether to read a trial whose arms it did not find, then
``armless_result_sentences`` which of its sentences: both answer no unless turned on (``options``),
as measured in ``corpora.evaluate_result_sentences``.
"""

from __future__ import annotations

import json
import math
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import repeat
from pathlib import Path

from .direction_model import model_json

MODEL_PATH = Path(__file__).parent / "models" / "result_sentence_model.json"
FORMAT = "fmwatch-result-sentence-model"
# Bump when ``features`` changes: a model trained on other features must not be loaded.
FEATURES_VERSION = "1"

TOKEN = re.compile(r"[a-z]+|\d+(?:[.·]\d+)?|[<>=≤≥%±]")
# "p < 0.001", "P = .34", "p-value of 0.02": the operator and the value.
P_VALUE = re.compile(r"\bp\s*(?:-?\s*values?\s*(?:of|was|were|is)?\s*)?(?P<op>[=<>≤≥])\s*(?P<value>0?[.·]\d+|[01](?:[.·]0+)?)",
                     re.I)
# "Results:", "METHODS AND RESULTS:" opening a sentence: the section of a structured abstract.
HEADING = re.compile(r"^\s*([A-Za-z][A-Za-z ]{2,30}?)\s*:")
COMPARISON_WORDS = frozenset({"than", "versus", "vs", "compared", "comparison", "between"})
DIGIT = re.compile(r"\d")
DIGITS = frozenset("0123456789")


def features(sentence: str) -> list[str]:
    """The distinct features of one sentence, sorted (``feature_set``'s, for reading and training).

    Example: ``features("Pain was lower (p < 0.01)")`` -> ``['0', '<', '< 0', 'S:cmp=0', 'S:len=<8',
    'S:nums=1', 'S:p', 'S:p_sig', 'lower', 'lower p', 'p', 'p <', 'pain', 'pain was', 'was',
    'was lower']``."""
    return sorted(feature_set(sentence))


def feature_set(sentence: str) -> set[str]:
    """The features of one sentence: its word uni- and bigrams as they are (lower case, every
    number ``0``, two words joined by a space), and ``S:`` shape cues: ``S:p`` a p-value
    (``S:p_sig`` below 0.05 or said below it, ``S:p_ns`` otherwise), ``S:ci`` a confidence interval,
    ``S:pct`` a percentage, ``S:nums=`` how many numbers (0, 1, 2-3, 4+), ``S:cmp=`` a comparison
    word or not, ``S:len=`` words (<8, <20, <40, 40+). A heading opening the sentence ("RESULTS:")
    is left out: the model learns what a sentence says, not where it stands (its training negatives
    are chosen by heading). (Words hold no ``:``, so no word is taken for a cue.)"""
    if ":" in sentence[:40]:
        sentence = HEADING.sub("", sentence, count=1)  # (a heading says where, not what: never learned from)
    lowered = sentence.lower()
    tokens = TOKEN.findall(lowered)
    numbers = 0
    if DIGIT.search(lowered):
        tokens = ["0" if t[0] in DIGITS else t for t in tokens]
        numbers = tokens.count("0")
    found = set(tokens)
    found.update(map(" ".join, zip(tokens, tokens[1:])))
    words = len(tokens)
    found.add("S:nums=0" if numbers == 0 else "S:nums=1" if numbers == 1 else "S:nums=2-3" if numbers <= 3 else "S:nums=4+")
    found.add("S:len=<8" if words < 8 else "S:len=<20" if words < 20 else "S:len=<40" if words < 40 else "S:len=40+")
    found.add("S:cmp=0" if COMPARISON_WORDS.isdisjoint(found) else "S:cmp=1")
    if "%" in sentence:
        found.add("S:pct")
    if "ci" in found or "confidence interval" in lowered:
        found.add("S:ci")
    if "p" in found:
        for match in P_VALUE.finditer(sentence):
            value = float(match.group("value").replace("·", "."))
            found.add("S:p")
            found.add("S:p_sig" if (value <= 0.05 if match.group("op") in "<≤" else
                                    value < 0.05 if match.group("op") == "=" else False) else "S:p_ns")
    return found


@dataclass(frozen=True)
class ResultSentenceModel:
    """A trained result-sentence model: ``weights[feature]`` one weight each, ``intercept`` the
    bias; ``metadata`` its version, training data and code fingerprints, hyper-parameters, the
    thresholds (``decide_at``: the model alone says "result" from here; ``veto_below``: a sentence
    the rules read as a result is set aside below this) and validation scores."""

    intercept: float
    weights: dict[str, float]
    options: dict = field(default_factory=dict)
    metadata: dict = field(default_factory=dict)

    @property
    def version(self) -> str:
        """The model's version string (``train_result_sentence.MODEL_VERSION`` when trained)."""
        return self.metadata.get("version", "")

    def probability(self, sentence: str) -> float:
        """Probability (0-1) that the sentence reports a result comparing groups or over time."""
        found = feature_set(sentence)
        total = sum(map(self.weights.get, found, repeat(0.0)))
        score = self.intercept + total / math.sqrt(len(found))  # (never empty: the S:len cue is always there)
        return 1.0 / (1.0 + math.exp(-score)) if score > -700 else 0.0

    def to_json(self) -> str:
        """The model as the JSON text stored in ``models/`` (keys sorted, one feature a line: the same
        model is the same bytes and a retrained one diffs line by line)."""
        head = {"format": FORMAT, "intercept": self.intercept, "options": self.options, "metadata": self.metadata}
        return model_json(head, self.weights)

    @classmethod
    def from_json(cls, text: str) -> "ResultSentenceModel":
        """Read a model written by ``to_json``. Raises ValueError for another format or features
        version (retrain with ``python -m fmwatch.extract.train_result_sentence``)."""
        data = json.loads(text)
        head = data.get("model", {})
        if head.get("format") != FORMAT:
            raise ValueError("not an fmwatch result-sentence model")
        version = head.get("options", {}).get("features_version")
        if version != FEATURES_VERSION:
            raise ValueError(f"result-sentence model made with features version {version}, "
                             f"this code reads {FEATURES_VERSION}: retrain it")
        return cls(float(head["intercept"]), {name: float(w) for name, w in data["weights"].items()},
                   head["options"], head["metadata"])


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_PATH) -> ResultSentenceModel | None:
    """The stored model, read once per process from the package (offline), or None when the file is
    missing (the rules then decide alone). Raises ValueError for a file of another format or
    features version."""
    if not path.is_file():
        return None
    return ResultSentenceModel.from_json(path.read_text(encoding="utf-8"))


def result_probability(sentence: str, model: ResultSentenceModel | None = None) -> float | None:
    """The stored model's probability (0-1) that a sentence reports a result, or None without a model."""
    model = model or load_model()
    return None if model is None else model.probability(sentence)


# What extraction lets the model do; both off (README, "Result-sentence model"). The veto, at the
# threshold chosen on Evidence Inference, sets aside short result sentences of the kind small
# abstracts write ("Tender point counts were unchanged."). Reading the trials whose arms the rules
# missed (at most ``armless_most`` sentences each, ``armless_result_sentences``) raises the share of
# Evidence Inference's validation prompts found from 0.16 to 0.39 but costs about 11% of the
# extraction speed, above what the speed bar allows. ``options`` turns them on for a measurement.
_IN_USE = {"veto": False, "armless_trials": False, "armless_filter": True, "armless_most": 2}


def reads_armless_trials() -> bool:
    """Whether ``outcomes`` reads the results of a trial whose arms the rules did not find (only
    with a stored model to set its non-result sentences aside, and only where turned on)."""
    return _IN_USE["armless_trials"] and load_model() is not None


# The literal pre-test before the model in a trial whose arms were not found (substrings of the
# lower-cased sentence, no regex: asked of every sentence of such a trial): a p-value, a word of
# significance, difference, comparison, change or effect. Nine in ten of Evidence Inference's result
# sentences hold one.
RESULT_NEEDLES = ("signific", "differ", "than", "versus", " vs", "compar", "unchang", "similar", "improv", "reduc",
                  "decreas", "increas", "effect", "p <", "p<", "p =", "p=", "p >", "p>", "p ≤", "p≤")
# A result on tolerability ("no serious adverse events occurred") is read whatever the model says
# (``outcomes._tolerability`` reads it; Evidence Inference's results seldom word it so).
TOLERABILITY_NEEDLES = ("tolerat", "adverse", "side effect", "side-effect")
def armless_result_sentences(texts: list[str]) -> list[bool] | None:
    """For each sentence of an abstract, whether ``outcomes`` reads it in a trial whose arms the
    rules did not find: it passes the literal pre-test (``RESULT_NEEDLES``), the stored model scores
    it at or above its ``armless_from`` (chosen on Evidence Inference's validation split by the
    training script), and it is among the ``armless_most`` (``options``; 2) most probable such; or
    it speaks of tolerability (``TOLERABILITY_NEEDLES``). Each sentence read costs the outcome rules
    about a quarter of a millisecond, the model 16 µs. None (read them all) when the filter is off
    (``rules_alone``); all False without a model.

    Example (the model's probabilities in brackets): ``["We randomised 40 adults.", "Pain fell more
    than with usual care (p = 0.01).", "No adverse events occurred."]`` -> ``[False, True, True]``:
    the first holds no cue and is not scored, the second is a result (0.99), the third speaks of
    tolerability."""
    if not _IN_USE["armless_filter"]:
        return None
    model = load_model()
    if model is None:
        return [False] * len(texts)
    threshold = model.metadata.get("armless_from", 0.0)
    lowered = [text.lower() for text in texts]
    results = []  # (-probability, index) of the sentences the model calls results, most probable first
    for index, low in enumerate(lowered):
        if any(map(low.__contains__, RESULT_NEEDLES)):  # (map over a bound method: no Python frame a needle)
            probability = model.probability(texts[index])
            if probability >= threshold:
                results.append((-probability, index))
    kept = {index for _, index in sorted(results)[:_IN_USE["armless_most"]]}
    return [i in kept or any(map(low.__contains__, TOLERABILITY_NEEDLES)) for i, low in enumerate(lowered)]


def vetoes(sentence: str) -> bool:
    """Whether the stored model sets aside a sentence the outcome rules read as a result: its
    probability is below the model's ``veto_below`` (chosen on Evidence Inference's validation
    split by the training script). False without a model, or unless turned on (``options``)."""
    if not _IN_USE["veto"]:
        return False
    model = load_model()
    if model is None:
        return False
    return model.probability(sentence) < model.metadata.get("veto_below", 0.0)


@contextmanager
def options(veto: bool = True, armless_trials: bool = False, armless_filter: bool = True, armless_most: int = 2):
    """A context in which extraction uses the model as told: ``veto`` (sentences below
    ``veto_below`` set aside), ``armless_trials`` (trials with no arm found read, see
    ``reads_armless_trials``), only their sentences ``armless_result_sentences`` picks (at most
    ``armless_most``) unless not ``armless_filter``. For measurements; not thread-safe."""
    saved = dict(_IN_USE)
    _IN_USE.update(veto=veto, armless_trials=armless_trials, armless_filter=armless_filter, armless_most=armless_most)
    try:
        yield
    finally:
        _IN_USE.update(saved)


def rules_alone(armless_trials: bool = False):
    """A context in which the model sets nothing aside: the outcome rules by themselves (reading
    trials with no arm found too, if ``armless_trials``), for measuring them against the model."""
    return options(veto=False, armless_trials=armless_trials, armless_filter=False)
