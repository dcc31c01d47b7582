"""Per-field accuracy on ``mgfm_dev``: real magnesium and pain abstracts labelled by hand
(``../shared/eval/mgfm_dev``, read in place, never copied).

Each record is scored field by field: a field is right (1) or wrong (0) for the record, and a
field's accuracy is the share of records where it is right. The labels' conventions
(``mgfm_dev/README.md``) hold: a list means "any of these is accepted", ``null`` means the
abstract does not say it and the extractor must say null too, numbers within 2%.

The corpus is split once, by a rule stated in ``mgfm_split.toml``, into a development part (the
rules may be tuned on its misses) and a measured-only part (never read for tuning); both are
reported, apart.
"""

from __future__ import annotations

import itertools
import json
import re
import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from ..evidence import RecordContext, is_magnesium_trial, judge
from .core import Document, extract
from .corpus_texts import corpus_document, corpus_texts
from .evaluate import whole_group
from .measures import tokens

MGFM_FOLDER = "mgfm_dev"
TOLERANCE = 0.02  # the corpus README's suggested tolerance for numbers
# The fields the issue names, in its order.
FIELDS = ("design_type", "randomized", "blinding", "placebo_controlled", "crossover", "n_enrolled", "n_controls",
          "n_analyzed", "sex", "arms", "arm_n", "duration_weeks", "outcomes", "mg_levels", "mg_correlation",
          "claims", "is_magnesium_trial")
# The corpus's design names that the evidence-record schema spells otherwise (its README's mapping).
DESIGN_NAMES = {"review": {"narrative_review"}, "animal": {"other"}, "in_vitro": {"other"},
                "crossover": {"other", "rct"}}
# Scorer-side synonyms of substances: one name for what the labels and the extractor call differently.
SUBSTANCE_NAMES = {"vitamin d3": "vitamin d", "cholecalciferol": "vitamin d", "saline": "placebo"}
DIRECTION_NAMES = {"no_difference": "no_change"}


def split(name: str = "mgfm_split.toml") -> dict[str, list[str]]:
    """A fixed split, ``{"development": [ids], "measured": [ids]}``, from a TOML file of this package:
    ``mgfm_split.toml`` (mgfm_dev) or ``corpus_split.toml`` (our blind labels on corpus abstracts)."""
    text = resources.files("fmwatch.extract").joinpath(name).read_text(encoding="utf-8")
    return tomllib.loads(text)


@dataclass
class MgfmRecord:
    """One labelled abstract: its labels (the JSON object of ``labels.jsonl``) and its document."""

    label: dict
    doc: Document
    text: str


def read_labels(path: Path) -> list[dict]:
    """The label objects of a JSON-lines file, in order; blank lines and ``#`` comment lines skipped.

    Raises FileNotFoundError when the file is missing, json.JSONDecodeError on a malformed line."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def labelled(labels: Iterable[dict], text_of: Callable[[dict], tuple[str, str]],
             document: Callable[[dict, str, str], Document]) -> Iterator[MgfmRecord]:
    """Each label with its document: ``text_of(label)`` gives ``(title, abstract)``, ``document`` makes
    the extractor's input from the label and that text."""
    for label in labels:
        title, abstract = text_of(label)
        yield MgfmRecord(label, document(label, title, abstract), f"{title}\n{abstract}")


def load(shared_eval: Path) -> Iterator[MgfmRecord]:
    """Every record of ``shared_eval/mgfm_dev``: title on the text file's first line, abstract after.

    Raises FileNotFoundError when the folder or a record's text is missing."""
    folder = shared_eval / MGFM_FOLDER

    def text_of(label: dict) -> tuple[str, str]:
        title, _, abstract = (folder / "texts" / f"{label['id']}.txt").read_text(encoding="utf-8").partition("\n")
        return title.strip(), abstract.strip()

    def document(label: dict, title: str, abstract: str) -> Document:
        return Document(f"mgfm:{label['id']}", "pubmed", title, {"title": title, "abstract": abstract},
                        pmid=label.get("pmid"))

    yield from labelled(read_labels(folder / "labels.jsonl"), text_of, document)


def load_corpus(labels_path: Path, shared_eval: Path) -> Iterator[MgfmRecord]:
    """Every label of ``labels_path`` (our blind labels, ``tests/gold/corpus_labels.jsonl``) with its
    title and abstract read in place from the corpus file and id it names (``corpus_file``,
    ``doc_id`` as in ``relevant_docs.tsv``).

    Raises FileNotFoundError when a labelled document is not in its corpus file."""
    labels = read_labels(labels_path)
    texts = corpus_texts(shared_eval, [(label["corpus_file"], label["doc_id"]) for label in labels])
    missing = [label["id"] for label in labels if (label["corpus_file"], label["doc_id"]) not in texts]
    if missing:
        raise FileNotFoundError(f"labelled documents not found in {shared_eval}: {missing}")
    yield from labelled(labels, lambda label: texts[(label["corpus_file"], label["doc_id"])],
                        lambda label, title, abstract: corpus_document(label["id"], label["corpus_file"],
                                                                      label["doc_id"], title, abstract))


# --- comparing one value ---------------------------------------------------------------------------

def _accepted(gold) -> list:
    return list(gold) if isinstance(gold, list) else [gold]


def _same_number(predicted, gold) -> bool:
    if predicted is None or gold is None:
        return predicted is None and gold is None
    return abs(float(predicted) - float(gold)) <= TOLERANCE * max(abs(float(gold)), 1e-9)


def value_ok(predicted, gold) -> bool:
    """A predicted scalar against a label: any accepted value, numbers within 2%, null only for null."""
    for accepted in _accepted(gold):
        if isinstance(accepted, (int, float)) and not isinstance(accepted, bool):
            if isinstance(predicted, (int, float)) and not isinstance(predicted, bool) and _same_number(predicted, accepted):
                return True
        elif predicted == accepted:
            return True
    return False


# --- the predicted record as the labels' fields -------------------------------------------------------

def _substance(intervention: dict) -> str:
    name = (intervention.get("substance") or intervention.get("name") or "").lower()
    return SUBSTANCE_NAMES.get(name, name)


def _intervention_ok(predicted: dict, gold: dict) -> bool:
    # a label's substance may be a list of accepted names (an abbreviation and its full name)
    if _substance(predicted) not in {SUBSTANCE_NAMES.get(name, name) for name in _accepted(gold["substance"])}:
        return False
    if not value_ok(predicted.get("route"), gold.get("route")):
        return False
    for weight_based in ("dose_mg_per_kg", "infusion_mg_per_kg_per_h"):  # then dose_mg stays null
        if gold.get(weight_based) is not None and not value_ok(predicted.get(weight_based), gold[weight_based]):
            return False
    return value_ok(predicted.get("dose_mg"), gold.get("dose_mg"))


def _arm_ok(predicted: dict, gold: dict) -> bool:
    tested = [i for i in predicted["interventions"] if not i.get("background")]
    if len(tested) != len(gold["interventions"]):
        return False
    return any(all(_intervention_ok(p, g) for p, g in zip(order, gold["interventions"]))
               for order in itertools.permutations(tested))


def _matching(predicted: list, gold: list, same: Callable[[dict, dict], bool]) -> list[tuple[dict, dict]] | None:
    """A one-to-one pairing of predicted and gold items under ``same``, or None (sizes differ or none fits)."""
    if len(predicted) != len(gold):
        return None
    for order in itertools.permutations(predicted):
        if all(same(p, g) for p, g in zip(order, gold)):
            return list(zip(order, gold))
    return None


def _answers(outcome: dict, names: set[str]) -> bool:
    """Whether a predicted outcome answers to a label key: by its measure key, or by its label,
    whose words hold all the content words of one of the key's names ("PLMS associated with
    arousals" answers to ``plms_with_arousal``; "pain scores at rest" to ``pain_at_rest``)."""
    if outcome["measure"] in names:
        return True
    label = outcome.get("label") or ""
    if re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_") in names:
        return True
    said = tokens(label)
    return any(tokens(name.replace("_", " ")) <= said for name in names if tokens(name.replace("_", " ")))


def outcomes_ok(predicted: list[dict], gold: dict) -> bool:
    """Every labelled measure found with its direction, and no measure reported that the labels do
    not have. A label's key ``a|b|c`` accepts any of the names; a predicted outcome answers to a key
    by its measure key or its label written as a key. A label direction of null (alone, or in a list)
    makes the measure optional: it may be left out, and if reported takes one of the listed
    directions (any direction for a bare null)."""
    # the labels give the whole group's result; a subgroup's or an open phase's stands beside it
    reported = whole_group([o for o in predicted if o.get("direction")])
    answered: set[int] = set()
    for key, direction in gold.items():
        names = set(key.split("|"))
        hits = [i for i, o in enumerate(reported) if _answers(o, names)]
        wanted = {DIRECTION_NAMES.get(d, d) for d in _accepted(direction) if d is not None}
        if not hits and None in _accepted(direction):
            continue
        if not hits or (wanted and any(reported[i]["direction"] not in wanted for i in hits)):
            return False
        answered.update(hits)
    return len(answered) == len(reported)


def _levels(record: dict) -> dict[str, str]:
    return {lv["compartment"]: lv["fm_vs_controls"] for lv in record["magnesium_levels"] if lv.get("fm_vs_controls")}


def _correlation(record: dict) -> str | None:
    values = {lv["correlation_with_symptoms"] for lv in record["magnesium_levels"]} - {None}
    return values.pop() if len(values) == 1 else ("mixed" if values else None)


def _claims_ok(predicted: list[dict], gold: dict, optional: dict) -> bool:
    said = {c["claim"]: c["relation"] for c in predicted}
    for claim, relations in gold.items():
        if said.get(claim) not in _accepted(relations):
            return False
    return all(claim in gold or (claim in optional and relation in _accepted(optional[claim]))
               for claim, relation in said.items())


def score_record(record: dict, label: dict) -> dict[str, bool]:
    """Each field of ``FIELDS``: is the extracted (and judged) record right against the label?"""
    design, population = record["design"], record["population"]
    accepted_designs = set().union(*(DESIGN_NAMES.get(name, {name}) for name in label["design_type"]))
    arms = [a for a in record["arms"] if a["interventions"]]
    pairs = _matching(arms, label["arms"], _arm_ok)
    lo, hi = label["duration_weeks"]
    weeks = record["duration_weeks"]
    duration = (weeks is None if lo is None else
                weeks is not None and lo * (1 - TOLERANCE) <= weeks <= (hi if hi is not None else lo) * (1 + TOLERANCE))
    gold_levels = label["mg_levels"]
    levels = _levels(record)
    return {
        "design_type": design["type"] in accepted_designs,
        "randomized": value_ok(design["randomized"], label["randomized"]),
        "blinding": value_ok(design["blinding"], label["blinding"]),
        "placebo_controlled": value_ok(design["placebo_controlled"], label["placebo_controlled"]),
        "crossover": value_ok(design["crossover"], label["crossover"]),
        "n_enrolled": value_ok(population["n_enrolled"], label["n_enrolled"]),
        "n_controls": value_ok(population["n_controls"], label["n_controls"]),
        "n_analyzed": value_ok(population["n_analyzed"], label["n_analyzed"]),
        "sex": value_ok(population["sex"], label["sex"]),
        "arms": pairs is not None,
        # arm sizes: on the pairing the arms found, or (arms wrong) as sorted lists
        "arm_n": (all(value_ok(p["n"], g["n"]) for p, g in pairs) if pairs is not None else
                  sorted(map(str, (a["n"] for a in arms))) == sorted(map(str, (a["n"] for a in label["arms"])))),
        "duration_weeks": duration,
        "outcomes": outcomes_ok(record["outcomes"], label["outcomes"]),
        "mg_levels": set(levels) == set(gold_levels) and all(
            value_ok(levels[c], gold_levels[c]) for c in gold_levels),
        "mg_correlation": value_ok(_correlation(record), label["mg_correlation"]),
        "claims": _claims_ok(record["claims"], label["claims"], label.get("claims_optional", {})),
        "is_magnesium_trial": is_magnesium_trial(record) == label["is_magnesium_trial"],
    }


def evaluated(shared_eval: Path, items: Iterable[MgfmRecord] | None = None
              ) -> Iterator[tuple[MgfmRecord, dict, dict[str, bool]]]:
    """Each labelled record (mgfm_dev's unless ``items`` are given) extracted and judged against the
    Bagis claims: (record, evidence record, scores)."""
    for item in load(shared_eval) if items is None else items:
        record = extract(item.doc)
        judge(record, RecordContext(text=item.text))
        yield item, record, score_record(record, item.label)


@dataclass
class PartScore:
    """Per-field counts of right records for one part of the split."""

    records: int = 0
    right: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))

    def accuracy(self, name: str) -> float:
        return self.right[name] / self.records if self.records else 0.0


def evaluate_parts(items: Iterable[MgfmRecord], parts: dict[str, list[str]], shared_eval: Path,
                   corpus: str = "mgfm_dev") -> tuple[dict[str, PartScore], list[dict]]:
    """Per-field accuracy of labelled records on each part of a split (``development``,
    ``measured``) and the development part's misses (``{"id", "field"}``; the measured part's misses
    are not listed, so that no rule is tuned on them). Raises ValueError when the split and the
    labels disagree (``corpus`` names the set in the message)."""
    part_of = {record_id: part for part, ids in parts.items() for record_id in ids}
    scores = {part: PartScore() for part in parts}
    misses = []
    seen = set()
    for item, _, fields in evaluated(shared_eval, items):
        record_id = item.label["id"]
        if record_id not in part_of:
            raise ValueError(f"{corpus} record {record_id} is in neither part of its split")
        seen.add(record_id)
        part = scores[part_of[record_id]]
        part.records += 1
        for name, right in fields.items():
            part.right[name] += right
            if not right and part_of[record_id] == "development":
                misses.append({"id": record_id, "field": name})
    if set(part_of) - seen:
        raise ValueError(f"the {corpus} split names records the labels lack: {sorted(set(part_of) - seen)}")
    return scores, misses


def evaluate_mgfm(shared_eval: Path) -> tuple[dict[str, PartScore], list[dict]]:
    """Per-field accuracy on each part of mgfm_dev's split (``mgfm_split.toml``) and the development
    part's misses. Raises ValueError when the split and the corpus disagree."""
    return evaluate_parts(load(shared_eval), split(), shared_eval)


def evaluate_corpus(labels_path: Path, shared_eval: Path, split_name: str = "corpus_split.toml",
                    corpus: str = "corpus_labels") -> tuple[dict[str, PartScore], list[dict]]:
    """The same per-field table for our blind labels on corpus abstracts (``labels_path``, split by
    ``split_name``, a TOML file of this package): development and measured apart, and the
    development part's misses. ``corpus`` names the set in errors. Raises ValueError when the split
    and the labels disagree, FileNotFoundError when a labelled document is not in its corpus file."""
    return evaluate_parts(load_corpus(labels_path, shared_eval), split(split_name), shared_eval, corpus)


def evaluate_pain(labels_path: Path, shared_eval: Path) -> tuple[dict[str, PartScore], list[dict]]:
    """The per-field table for our blind labels on pain and analgesia trials of Evidence Inference
    2.0 (``tests/gold/pain_labels.jsonl``, split by the rule of ``pain_split.toml``)."""
    return evaluate_corpus(labels_path, shared_eval, "pain_split.toml", "pain_labels")


def evaluate_mg(labels_path: Path, shared_eval: Path) -> tuple[dict[str, PartScore], list[dict]]:
    """The per-field table for our blind labels on abstracts of the kinds of study mgfm_dev holds (other
    pain and neuromuscular conditions, mineral and supplement trials, level studies, reviews, animal and
    in-vitro studies), taken from the corpora's training halves (``tests/gold/mg_labels.jsonl``, split
    by the rule of ``mg_split.toml``): development and measured apart, and the development misses."""
    return evaluate_corpus(labels_path, shared_eval, "mg_split.toml", "mg_labels")
