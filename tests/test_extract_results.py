"""Outcome results (``extract.outcomes``, ``extract.direction``, ``extract.statements``) on sentences
written here by the team (none copied from ../shared): measures named generically, blanket nulls
that list their measures, instruments in brackets, phases of a multi-phase trial, nulls said
against the comparator."""

from __future__ import annotations

import pytest

from fmwatch.extract.core import Document, extract
from fmwatch.extract.direction import result_direction
from fmwatch.extract.statements import phase_of_sentences


def results(abstract: str) -> dict[str, tuple]:
    record = extract(Document("file:ours", "file", "A trial", {"title": "A trial", "abstract": abstract}))
    return {o["measure"]: (o["direction"], (o["population"] or {}).get("kind")) for o in record["outcomes"]}


def test_a_blanket_null_applies_to_each_measure_it_lists():
    found = results("Sixty adults with migraine were randomized to oral magnesium 600 mg daily or placebo for 12 "
                    "weeks. There were no significant differences between the groups in any outcome, including "
                    "headache days, attack severity and rescue medication use.")
    assert found == {"headache_days": ("no_change", None), "attack_severity": ("no_change", None),
                     "rescue_medication_use": ("no_change", None)}


def test_another_drugs_use_is_a_measure_and_the_given_substance_is_not():
    found = results("Seventy patients having hip replacement were randomized to intravenous magnesium sulfate 40 "
                    "mg/kg or saline. Pain scores and fentanyl consumption were significantly lower with magnesium.")
    assert found == {"pain_intensity": ("improved", None), "fentanyl_consumption": ("improved", None)}


def test_an_instrument_in_brackets_names_the_measure():
    record = extract(Document("file:ours", "file", "A trial", {"title": "A trial", "abstract": (
        "Eighteen adults with low mood took magnesium glycinate 200 mg daily for 8 weeks in an open study. "
        "Anxiety scores (GAD-7) fell by 3 points (p = 0.01) and the total burnout inventory score decreased.")}))
    by_measure = {o["measure"]: o for o in record["outcomes"]}
    # a measure of the schema's vocabulary keeps its key, its label names the instrument as a key would
    assert by_measure["anxiety"]["direction"] == "improved" and "(GAD7)" in by_measure["anxiety"]["label"]
    # a lower-case trailing "score" is how it was counted, not part of its name
    assert "total_burnout_inventory" in by_measure or "burnout_inventory" in by_measure


@pytest.mark.parametrize("sentence", [
    "The sleep domain was not affected by treatment.",
    "Sleep did not differ from placebo at any visit.",
    "There was no between-group difference in sleep.",
])
def test_nulls_said_in_other_words(sentence):
    found = results("Forty patients were randomized to magnesium oxide 400 mg or placebo for 6 weeks. " + sentence)
    assert found.get("sleep", (None,))[0] == "no_change"


def test_a_pain_subscale_is_not_a_pain_score():
    found = results("Thirty women received magnesium 250 mg or placebo for two cycles. Magnesium reduced the total "
                    "symptom score compared with placebo, whereas the pain subscale was not affected.")
    assert "pain_intensity" not in found and found.get("pain_subscale", (None,))[0] == "no_change"


def test_an_open_phase_opened_in_one_sentence_qualifies_the_results_after_it():
    # the blinded result stands for everyone randomised; the open phase's result keeps its phase
    record = extract(Document("file:ours", "file", "A trial", {"title": "A trial", "abstract": (
        "Thirty women with fibromyalgia were randomized to magnesium citrate 300 mg or placebo for 8 weeks in a "
        "double-blind phase. Pain did not differ from placebo. All patients then entered a 12-week open-label "
        "extension with magnesium. Pain scores fell by 30% (p < 0.01).")}))
    assert [(o["measure"], o["direction"]) for o in record["outcomes"] if not o["population"]] == [
        ("pain_intensity", "no_change")]
    phased = [o for o in record["outcomes"] if o["population"]]
    assert [(o["measure"], o["direction"], o["population"]["kind"]) for o in phased] == [
        ("pain_intensity", "improved", "open_label")]


def test_phase_of_sentences_ends_when_the_blinded_comparison_is_spoken_of_again():
    assert phase_of_sentences(["Pain did not differ from placebo.", "An open-label extension followed.",
                               "Pain fell by 30%.", "Compared with placebo, sleep was unchanged."]) == [
        None, "open-label extension", "open-label extension", None]


@pytest.mark.parametrize("sentence, expected", [
    # a semicolon inside a bracket parts no clauses: the p-value belongs to the result
    ("Overall survival (21.0 vs 19.2 months; HR 0.91; P = 0.41) was similar with both regimens.", "no_difference"),
    ("No between-group differences in walking distance were observed.", "no_difference"),
    ("Ferritin non-significantly differed between arms.", "no_difference"),
])
def test_direction_of_a_result_sentence(sentence, expected):
    assert result_direction(sentence, sentence.split()[0]) == expected


# --- levels: the compartment from the title, correlation wording ---------------------------------------

def levels(abstract: str, title: str = "A study") -> list[tuple]:
    record = extract(Document("file:ours", "file", title, {"title": title, "abstract": abstract}))
    return [(m["compartment"], m["fm_vs_controls"], m["correlation_with_symptoms"]) for m in record["magnesium_levels"]]


def test_the_compartment_named_only_in_the_title_is_the_one_compared():
    assert levels("Magnesium concentrations were significantly lower in the patient group than in the control group.",
                  "Plasma magnesium in chronic tension-type headache") == [("plasma", "lower", None)]


@pytest.mark.parametrize("sentence, expected", [
    ("There was an inverse relationship between hair magnesium and the tender point count.", "negative"),
    ("Serum magnesium was negatively associated with the number of attacks per month.", "negative"),
    ("Serum magnesium showed no clear correlation with headache frequency.", "none"),
])
def test_correlation_wording(sentence, expected):
    found = levels("Twenty patients and twenty healthy controls were studied. " + sentence)
    assert {c for _, _, c in found} == {expected}


def test_a_word_inside_another_names_no_measure():
    # "distress" holds "stress": the menstrual distress score is no stress scale
    found = results("Twenty-six women with premenstrual syndrome took magnesium 200 mg or placebo for two cycles. "
                    "Magnesium reduced the menstrual distress score (p < 0.05).")
    assert "dass42_stress" not in found and found.get("menstrual_distress", (None,))[0] == "improved"
