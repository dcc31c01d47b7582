"""Measuring the extractor: per-field precision, recall and F1 on the team's gold file, and
token-level F1 of intervention spans on the EBM-NLP corpus (expert labels)."""

from __future__ import annotations

import bisect
import json
import re
import tarfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..parse.fmnetwork import parse_article_html
from ..parse.pubmed_xml import iter_pubmed_xml
from ..records import ArticleRecord
from .core import Document, extract, sentences, substance_mentions
from .lexicon import (ABBREVIATION_AFTER, COMPARATOR_PHRASE, DOSE, GENERIC_LEADS, INTERVENTION_PHRASE, MEASURES,
                      SPECIFIC_ALONE)

EBM_ARCHIVE = "ebm_nlp/ebm_nlp_difficulty.tar.gz"


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, predicted: set, gold: set) -> None:
        self.tp += len(predicted & gold)
        self.fp += len(predicted - gold)
        self.fn += len(gold - predicted)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def row(self) -> dict:
        return {"precision": round(self.precision, 3), "recall": round(self.recall, 3), "f1": round(self.f1, 3),
                "tp": self.tp, "fp": self.fp, "fn": self.fn}


# --- the gold file --------------------------------------------------------------------------------

def _number(value) -> float | None:
    return None if value is None else round(float(value), 1)


# The fields the issue holds to F1 >= 0.9; the others are measured and reported beside them.
REQUIRED_FIELDS = ("design_type", "n_enrolled", "arms", "duration_weeks", "outcomes")
DESIGN_FLAGS = ("randomized", "blinding", "placebo_controlled", "crossover")
# The gold file annotates the measures of the schema's vocabulary only (its README); measures the
# extractor names in other words are outside its scope.
VOCABULARY = frozenset(key for key, _, _ in MEASURES)


def whole_group(outcomes: list[dict]) -> list[dict]:
    """The outcomes of everyone randomised: a subgroup's or an open phase's result of a measure that
    also has a whole-group result stands beside it and is not what gold files annotate."""
    whole = {o["measure"] for o in outcomes if not o.get("population")}
    return [o for o in outcomes if not o.get("population") or o["measure"] not in whole]


def _known(name: str, value) -> set:
    """One fact as a set, so that "not said" (None) is neither right nor wrong, only missing."""
    return set() if value is None else {(name, value)}


def predicted_fields(record: dict) -> dict[str, set]:
    design, population = record["design"], record["population"]
    return _field_sets(
        design["type"], population["n_enrolled"],
        [(i["name"], i["dose_mg"], i["frequency_per_day"], i["route"]) for a in record["arms"] for i in a["interventions"]],
        record["duration_weeks"], [(o["measure"], o["direction"]) for o in whole_group(record["outcomes"])
                                   if o["measure"] in VOCABULARY],
        record["topics"],
        {name: design[name] for name in DESIGN_FLAGS}, population,
        [(m["compartment"], m["fm_vs_controls"], m["correlation_with_symptoms"]) for m in record["magnesium_levels"]])


def gold_fields(gold: dict) -> dict[str, set]:
    return _field_sets(gold["design_type"], gold["n_enrolled"], gold["arms"], gold["duration_weeks"],
                       gold["outcomes"], gold["topics"], {name: gold[name] for name in DESIGN_FLAGS}, gold,
                       gold["magnesium_levels"])


def _field_sets(design_type, n_enrolled, arms, duration_weeks, outcomes, topics, flags: dict, population: dict,
                levels) -> dict[str, set]:
    """The facts of one record as sets, one per scored field, the same way for prediction and gold."""
    return {
        "design_type": {design_type},
        "n_enrolled": {n_enrolled} - {None},
        "arms": {(name, _number(dose), _number(frequency), route) for name, dose, frequency, route in arms},
        "duration_weeks": {_number(duration_weeks)} - {None},
        "outcomes": {tuple(o) for o in outcomes},
        "topics": {name for name, on in topics.items() if on},
        "design_flags": set().union(*(_known(name, value) for name, value in flags.items())),
        "sex": _known("sex", population["sex"]),
        "n_controls": _known("n_controls", population["n_controls"]),
        "n_analyzed": _known("n_analyzed", population["n_analyzed"]),
        "magnesium_levels": {tuple(level) for level in levels},
    }


def gold_documents(gold_path: Path, shared_eval: Path, snapshot: Path) -> Iterator[tuple[dict, Document]]:
    ebm = EbmCorpus(shared_eval / EBM_ARCHIVE) if shared_eval else None
    pubmed = {r.pmid: r for path in sorted((snapshot / "eutils").glob("efetch_id_*.xml"))
              for r in iter_pubmed_xml(str(path)) if isinstance(r, ArticleRecord)}
    for line in gold_path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        kind, _, key = entry["text_source"].partition(":")
        if kind == "ebm_nlp":
            tokens = ebm.tokens(key)
            doc = Document(f"pubmed:{key}", "pubmed", "", {"abstract": " ".join(tokens)}, pmid=key)
        elif kind == "snapshot" and key.startswith("pubmed:"):
            doc = Document.from_article(pubmed[key.split(":")[1]])
        elif kind == "snapshot" and key.startswith("fmnetwork:"):
            page = (snapshot / "fmnetwork" / f"article-{key.split(':')[1]}.html").read_bytes()
            doc = Document.from_fm_article(parse_article_html(page))
        else:
            doc = Document(f"file:{entry['id']}", "file", entry["title"],
                           {"title": entry["title"], "abstract": entry["abstract"]})
        yield entry, doc


def evaluate_gold(gold_path: Path, shared_eval: Path, snapshot: Path) -> tuple[dict[str, Score], list[dict]]:
    scores: dict[str, Score] = {}
    misses = []
    for entry, doc in gold_documents(gold_path, shared_eval, snapshot):
        predicted, gold = predicted_fields(extract(doc)), gold_fields(entry["gold"])
        for name in gold:
            scores.setdefault(name, Score()).add(predicted[name], gold[name])
            if predicted[name] != gold[name]:
                misses.append({"id": entry["id"], "field": name, "predicted": sorted(map(str, predicted[name])),
                               "gold": sorted(map(str, gold[name]))})
    return scores, misses


# --- EBM-NLP --------------------------------------------------------------------------------------

@dataclass
class EbmCorpus:
    """The EBM-NLP difficulty subset, read straight from its archive (never unpacked into the repo)."""

    archive: Path
    _docs: dict[str, list[str]] = field(default_factory=dict)
    _labels: dict[str, dict[str, list[int]]] = field(default_factory=dict)

    def _load(self) -> None:
        if self._docs:
            return
        with tarfile.open(self.archive, "r:gz") as tar:
            for member in tar:
                name = member.name
                if not member.isfile() or "/._" in name:
                    continue
                if name.endswith(".tokens") and "/documents/" in name:
                    self._docs[Path(name).stem] = _lines(tar, member)
                elif name.endswith(".ann") and "/interventions/" in name:
                    split = "difficult" if "/difficult/" in name else "random"
                    self._labels.setdefault(split, {})[Path(name).stem] = [int(x) for x in _lines(tar, member)]

    def tokens(self, pmid: str) -> list[str]:
        self._load()
        return self._docs[pmid]

    def documents(self) -> dict[str, list[str]]:
        self._load()
        return self._docs

    def labels(self, split: str) -> dict[str, list[int]]:
        self._load()
        return self._labels.get(split, {})


def _lines(tar: tarfile.TarFile, member: tarfile.TarInfo) -> list[str]:
    data = tar.extractfile(member).read().decode("utf-8", errors="replace")
    return [line for line in data.split("\n")][: data.count("\n") + (0 if data.endswith("\n") else 1)]


def intervention_spans(doc: Document) -> list[tuple[str, int, int]]:
    """Every mention of an intervention (and its dose) in the text: what EBM-NLP's annotators
    mark. The names come from the arms' vocabulary, intervention phrases with a modifier ("usual
    care", "weight-bearing exercise"; never a bare "treatment"), comparator groups, and an
    abbreviation defined right after a name; every later mention of a name counts too."""
    spans = []
    names: set[str] = set()
    for sentence in sentences(doc):
        text = sentence.text
        found = [(m.start, m.end) for m in substance_mentions(text)]
        found += [(m.start(), m.end()) for m in INTERVENTION_PHRASE.finditer(text) if _specific(m.group(0))]
        found += [(m.start(), m.end()) for m in COMPARATOR_PHRASE.finditer(text)]
        found = _joined(text, sorted(found))
        for start, end in found:
            names.add(text[start:end].lower())
            abbreviation = ABBREVIATION_AFTER.match(text, end)  # "oxytocin ( OT )": OT is a name too
            if abbreviation:
                names.add(abbreviation.group("abbr").lower())
                end = abbreviation.end()
            spans.append((sentence.field, sentence.start + start, sentence.start + end))
            dose = DOSE.match(text, end + 1) or DOSE.match(text, end)
            if dose:
                spans.append((sentence.field, sentence.start + dose.start(), sentence.start + dose.end()))
    for name in doc.text_fields:  # every further mention of a name already found
        lowered = doc.fields[name].lower()
        for phrase in names:
            for match in re.finditer(rf"(?<!\w){re.escape(phrase)}(?!\w)", lowered):
                spans.append((name, match.start(), match.end()))
    return spans


# What joins two named interventions into one (a combination) or follows one as part of its name:
# "A plus B", "A + B", "A combined with B", "A and B"; "A alone".
JOINED_BY = re.compile(r"\s*(?:plus|\+|combined\s+with|together\s+with|in\s+combination\s+with)\s*$", re.I)
ALONE_AFTER = re.compile(r"\s+(?:alone|monotherapy)\b", re.I)


def _joined(text: str, found: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans of named interventions in a sentence, a combination joined into one span ("magnesium plus
    amitriptyline", EBM-NLP marks the whole) and "alone" kept with its name ("placebo alone")."""
    joined: list[tuple[int, int]] = []
    for start, end in found:
        alone = ALONE_AFTER.match(text, end)
        end = alone.end() if alone else end
        if joined and joined[-1][1] <= start and JOINED_BY.fullmatch(text, joined[-1][1], start):
            joined[-1] = (joined[-1][0], end)
        elif joined and start < joined[-1][1]:
            joined[-1] = (joined[-1][0], max(end, joined[-1][1]))
        else:
            joined.append((start, end))
    return joined


def _specific(phrase: str) -> bool:
    """An intervention phrase with at least one real modifier ("exercise training", not "treatment"),
    or one that names a kind of intervention by itself ("chemotherapy", "acupuncture")."""
    words = phrase.lower().split()
    while words and words[0] in GENERIC_LEADS:
        words.pop(0)
    return len(words) >= 2 or (len(words) == 1 and words[0] in SPECIFIC_ALONE)


def _token_document(pmid: str, tokens: list[str]) -> tuple[Document, list[tuple[int, int]]]:
    """An EBM-NLP abstract as the extractor reads it (its tokens joined by spaces, in ``abstract``)
    and each token's character offsets there."""
    offsets, position = [], 0
    for token in tokens:
        offsets.append((position, position + len(token)))
        position += len(token) + 1
    return Document(f"pubmed:{pmid}", "pubmed", "", {"abstract": " ".join(tokens)}, pmid=pmid), offsets


def _marked(spans: list[tuple[str, int, int]], offsets: list[tuple[int, int]]) -> list[int]:
    """1 for each token that overlaps one of the spans, else 0."""
    starts = [s for s, _ in offsets]
    predicted = [0] * len(offsets)
    for _, start, end in spans:
        index = max(0, bisect.bisect_right(starts, start) - 1)
        while index < len(offsets) and offsets[index][0] < end:
            if start < offsets[index][1]:
                predicted[index] = 1
            index += 1
    return predicted


def _add_tokens(score: Score, predicted: list[int], labels: list[int]) -> None:
    score.tp += sum(1 for p, g in zip(predicted, labels) if p and g)
    score.fp += sum(1 for p, g in zip(predicted, labels) if p and not g)
    score.fn += sum(1 for p, g in zip(predicted, labels) if g and not p)


def evaluate_ebm(shared_eval: Path) -> dict[str, Score]:
    """Token-level precision, recall and F1 of the rules' intervention spans
    (``intervention_spans``) against the EBM-NLP difficulty archive's expert labels, for its
    ``random`` and ``difficult`` documents separately."""
    return {split: scores["rules"] for split, scores in evaluate_ebm_spans(shared_eval, model=False).items()}


SPAN_SOURCES = ("rules", "model", "union", "rules_else_model")


def _span_sources(doc: Document, model: bool) -> dict[str, list[tuple[str, int, int]]]:
    """The intervention spans of one document by source: ``rules`` (``intervention_spans``) and,
    with ``model``, ``model`` (``intervention_model.document_spans``), ``union`` (both), and
    ``rules_else_model`` (the rules, plus the model's spans in sentences where the rules found none)."""
    rules = intervention_spans(doc)
    found = {"rules": rules}
    if not model:
        return found
    from .intervention_model import document_spans
    tagged = document_spans(doc)
    ruled = [(s.field, s.start, s.end) for s in sentences(doc)
             if any(f == s.field and s.start <= start < s.end for f, start, _ in rules)]
    found.update(model=tagged, union=rules + tagged,
                 rules_else_model=rules + [t for t in tagged
                                           if not any(f == t[0] and a <= t[1] < b for f, a, b in ruled)])
    return found


def evaluate_ebm_spans(shared_eval: Path, model: bool = True) -> dict[str, dict[str, Score]]:
    """Token-level scores of intervention spans against the EBM-NLP difficulty archive's expert
    labels, per split (``random``, ``difficult``) and per source (``SPAN_SOURCES``: the rules, the
    learned tagger, both, the rules then the tagger where a sentence has none of theirs; only
    ``rules`` when ``model`` is False). The tagger never trained on these documents
    (``train_interventions``)."""
    corpus = EbmCorpus(shared_eval / EBM_ARCHIVE)
    scores = {}
    for split in ("random", "difficult"):
        scores[split] = {}
        for pmid, labels in corpus.labels(split).items():
            doc, offsets = _token_document(pmid, corpus.tokens(pmid)[: len(labels)])
            for source, spans in _span_sources(doc, model).items():
                _add_tokens(scores[split].setdefault(source, Score()), _marked(spans, offsets), labels)
    return scores


def evaluate_scibert_interventions(shared_eval: Path) -> dict[str, Score]:
    """Token-level scores of intervention spans (``SPAN_SOURCES``) against the ``I-INT`` labels of
    SciBERT's EBM-NLP expert test file (191 abstracts; the other labels, P and O, are not scored, so
    the published macro-F1s over P/I/O are not comparable). The tagger never trained on it."""
    from .train_interventions import read_conll
    scores: dict[str, Score] = {}
    for pmid, sentence_list in read_conll(shared_eval / "ebm_nlp" / "scibert_ebmnlp_test.txt").items():
        pairs = [pair for sentence in sentence_list for pair in sentence]
        doc, offsets = _token_document(pmid, [token for token, _ in pairs])
        labels = [int(label == "I-INT") for _, label in pairs]
        for source, spans in _span_sources(doc, True).items():
            _add_tokens(scores.setdefault(source, Score()), _marked(spans, offsets), labels)
    return scores


def extract_all_ebm(shared_eval: Path) -> Counter:
    """Run the extractor over every EBM-NLP abstract; returns counts of what it found."""
    counts: Counter = Counter()
    for pmid, tokens in EbmCorpus(shared_eval / EBM_ARCHIVE).documents().items():
        record = extract(Document(f"pubmed:{pmid}", "pubmed", "", {"abstract": " ".join(tokens)}, pmid=pmid))
        counts["documents"] += 1
        counts["with_arms"] += bool(record["arms"])
        counts["with_n"] += record["population"]["n_enrolled"] is not None
        counts["with_duration"] += record["duration_weeks"] is not None
        counts[f"design:{record['design']['type']}"] += 1
    return counts
