"""Outcomes that must generalise beyond the records the rules were written on (issue 12, items 6
and 7): which measures a record reports (selection), how each is named (the key a reader would
use), and its direction against the comparator. Every sentence below was written by us for these
tests (none copied from ../shared); the Evidence Inference corpus is read in place."""

from __future__ import annotations

from pathlib import Path

import pytest

from fmwatch.extract.core import Document, extract
from fmwatch.extract.corpora import evaluate_outcomes_on_prompts, outcome_answers_prompt, raw_direction

EVAL = Path(__file__).resolve().parents[1] / ".." / "shared" / "eval"
HAS_EI = (EVAL / "evidence_inference" / "abstracts.jsonl.gz").is_file()


def results(abstract: str, title: str = "A trial") -> dict[str, str]:
    record = extract(Document("file:ours", "file", title, {"title": title, "abstract": abstract}))
    return {o["measure"]: o["direction"] for o in record["outcomes"]}


# --- the development measure on Evidence Inference -------------------------------------------------

@pytest.mark.parametrize("ours, prompt, expected", [
    ({"measure": "pain_intensity", "label": "pain scores"}, "Pain at rest at 24 h", True),
    ({"measure": "nausea", "label": "nausea"}, "Incidence of postoperative nausea and vomiting", True),
    ({"measure": "pain_intensity", "label": "pain"}, "Sleep quality", False),
    ({"measure": "scores", "label": "scores"}, "Total scores", False),  # no content word answers to nothing
])
def test_an_outcome_answers_to_a_prompt_by_its_content_words(ours, prompt, expected):
    assert outcome_answers_prompt(ours, prompt) is expected


@pytest.mark.parametrize("outcome, expected", [
    ({"measure": "pain_intensity", "label": "pain", "direction": "improved"}, "decreased"),
    ({"measure": "quality_of_life", "label": "quality of life", "direction": "improved"}, "increased"),
    ({"measure": "walking_distance", "label": "walking distance", "direction": "worsened"}, "decreased"),
    ({"measure": "fatigue", "label": "fatigue", "direction": "no_change"}, "no_difference"),
    ({"measure": "fatigue", "label": "fatigue", "direction": None}, None),
])
def test_raw_direction_turns_improved_back_with_the_measures_polarity(outcome, expected):
    assert raw_direction(outcome) == expected


@pytest.mark.skipif(not HAS_EI, reason="../shared/eval/evidence_inference not present")
def test_outcomes_on_evidence_inference_validation_prompts_are_found_with_their_direction():
    score = evaluate_outcomes_on_prompts(EVAL, "validation")
    row = score.row()
    assert score.prompts > 50 and score.abstracts > 20
    # floors a quarter below the figures measured when this measure was written (found 0.15,
    # direction when found 0.65): a regression check, not a score
    assert row["found_rate"] >= 0.11 and row["direction_accuracy_when_found"] >= 0.5
