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


# --- selection: only measures a result reports, each named as a measure ------------------------------

TRIAL = "Sixty adults were randomized to oral magnesium 400 mg daily or placebo for 12 weeks. "


@pytest.mark.parametrize("sentence, expected", [
    # a discourse word that opens the clause is no measure
    ("However, nocturnal cramp counts were lower with magnesium than with placebo (p = 0.01).",
     {"nocturnal_cramp_counts": "improved"}),
    ("Moreover, a decrease in headache duration was seen with magnesium (p = 0.03).", {"headache_duration": "improved"}),
    # a piece of the sentence's verb phrase is no measure
    ("Supplementation with magnesium resulted in a significant reduction of cramp frequency.",
     {"cramp_frequency": "improved"}),
    ("There was no significant change in grip strength (p = 0.41 and p = 0.38, respectively) or decrease in cramp "
     "duration (p = 0.2).", {"grip_strength": "no_change", "cramp_duration": "no_change"}),
    # adjectives sharing one noun name two measures
    ("Systolic and diastolic blood pressure as well as heart rate decreased significantly with magnesium.",
     {"systolic_blood_pressure": "improved", "diastolic_blood_pressure": "improved", "heart_rate": "improved"}),
    # quotation marks and an opening adverb are not part of a name
    ("Especially 'stiffness', 'cramping' and 'restless legs' improved with magnesium (p < 0.05).",
     {"stiffness": "improved", "cramping": "improved", "restless_legs": "improved"}),
])
def test_only_measures_are_named(sentence, expected):
    assert results(TRIAL + sentence) == expected


@pytest.mark.parametrize("sentence", [
    # how the groups started is not a result
    "The groups were similar at baseline in pain scores, fatigue and sleep quality.",
    "Baseline characteristics, including migraine days, did not differ between the groups.",
    # a method sentence that lists the measures, one of them an instrument named "of Improvement"
    "Efficacy measures included the migraine disability score and the Patient Global Impression of Improvement.",
    # a treatment's purpose, not its result
    "We compared two regimens of a supplement marketed for improving leg cramps and muscle recovery.",
    # advice in a conclusion
    "It is important to be aware of the potential effect of magnesium treatment on increase in serum creatinine levels.",
])
def test_what_is_not_a_result_reports_no_measure(sentence):
    assert results(TRIAL + sentence) == {}


def test_a_structured_background_heading_with_aims_is_not_a_result():
    abstract = ("Background/aims: Restless legs are associated with reduced sleep quality and increased fatigue. "
                "Methods: " + TRIAL + "Results: Leg discomfort scores fell with magnesium (p = 0.01).")
    assert results(abstract) == {"leg_discomfort": "improved"}


# --- direction: between-group against within-group -------------------------------------------------

def records(abstract: str) -> dict[str, tuple]:
    record = extract(Document("file:ours", "file", "A trial", {"title": "A trial", "abstract": abstract}))
    return {o["measure"]: (o["direction"], o["significant"]) for o in record["outcomes"]}


@pytest.mark.parametrize("sentence, expected", [
    # within each group, then no difference between them (said in the next clause): no benefit
    ("Cramp frequency fell from baseline in each arm, but the difference between arms did not reach significance.",
     {"cramp_frequency": ("no_change", False)}),
    ("Leg cramp frequency fell in both groups (p < 0.01); the between-group difference was not significant.",
     {"leg_cramp_frequency": ("no_change", False)}),
    ("Peak expiratory flow increased both after magnesium and after saline, but the difference between the two "
     "treatments was not significant (p = 0.5).", {"peak_expiratory_flow": ("no_change", False)}),
    ("Night waking decreased significantly in all three groups, without differences among the groups.",
     {"night_waking": ("no_change", False)}),
    # between the groups, the difference said not significant in the next clause: direction, not significant
    ("Headache hours were lower in the magnesium group than in the placebo group; however, the difference was "
     "not statistically significant.", {"headache_hours": ("improved", False)}),
    # comparatives before the measure
    ("Patients given magnesium had a longer time to first rescue analgesic request and lower cramp severity "
     "than those given placebo (p < 0.01).",
     {"time_to_first_rescue_analgesic_request": ("improved", True), "cramp_severity": ("improved", True)}),
])
def test_direction_between_and_within_groups(sentence, expected):
    assert records(TRIAL + sentence) == expected


@pytest.mark.parametrize("sentence, expected", [
    # a null said before a list of measures, in other words than "no difference"
    ("There were no significant increases in fasting glucose or serum creatinine in any group.",
     {"fasting_glucose": ("no_change", False), "serum_creatinine": ("no_change", False)}),
    ("There was no significant difference between the two groups regarding the onset of analgesia and duration of "
     "analgesia.", {"onset_of_analgesia": ("no_change", False), "duration_of_analgesia": ("no_change", False)}),
    # a change in one group with no difference among the groups is no benefit
    ("Cramp counts fell significantly in the magnesium group, without differences among the groups (P > 0.05).",
     {"cramp_counts": ("no_change", False)}),
    # "these were not significant": the direction stays, the significance is the later clause's
    ("Magnesium reduced cramp counts by 10%, but these were not significant statistically.",
     {"cramp_counts": ("improved", False)}),
    # a "borderline significant" result with p = 0.052 is not significant
    ("Magnesium gave a borderline significant improvement in cramp severity (P = .052).",
     {"cramp_severity": ("improved", False)}),
])
def test_nulls_and_significance_said_in_other_words(sentence, expected):
    assert records(TRIAL + sentence) == expected


def test_how_the_groups_started_and_an_arms_name_are_no_measures():
    abstract = ("Eighty adults were randomized to a stretching programme (SP) or magnesium 300 mg daily for 8 weeks. "
                "Pretreatment characteristics (age, sex, cramp history and stage) were similar in both groups. "
                "Both SP and magnesium improved night cramp frequency from baseline, with no significant difference "
                "between the groups.")
    assert records(abstract) == {"night_cramp_frequency": ("no_change", False)}


def test_a_between_group_null_in_the_next_sentence_undoes_within_group_changes():
    # the change within each arm in one sentence, the groups compared in the next: no benefit
    abstract = (TRIAL + "Cramp severity scores fell by 20% in the magnesium group (P = .01) and by 17% in the "
                "placebo group (P = .03). The difference in change between the groups was not significant (P = .4). "
                "Sleep quality improved in both groups. The change in scores was similar in the groups.")
    assert records(abstract) == {"cramp_severity": ("no_change", False), "sleep": ("no_change", False)}


@pytest.mark.parametrize("sentence, expected", [
    # longer time to the first analgesic request and longer analgesia are better
    ("When compared with placebo, time to first analgesic request was increased and total analgesic consumption "
     "was reduced with magnesium (P = 0.02).",
     {"time_to_first_analgesic_request": ("improved", True), "analgesic_consumption": ("improved", True)}),
    ("A significant increase in the duration of analgesia was seen with magnesium (P < 0.05).",
     {"duration_of_analgesia": ("improved", True)}),
])
def test_the_polarity_of_times_and_durations_and_a_measures_own_verb(sentence, expected):
    assert records(TRIAL + sentence) == expected


def test_a_capitalised_heading_without_colon_is_neither_a_measure_nor_a_result():
    abstract = ("BACKGROUND AND OBJECTIVES Magnesium reduces cramp frequency in pregnancy . METHODS " + TRIAL +
                "CONCLUSIONS Nocturnal cramp counts fell with magnesium ( P = 0.01 ) .")
    assert records(abstract) == {"nocturnal_cramp_counts": ("improved", True)}



# A subgroup's own words say whom a result is about; they are never a measure (sentences written by us).
# Before this rule, "in patients with moderate to severe anxiety" also gave a measure "severe anxiety".
@pytest.mark.parametrize("sentence, expected", [
    ("In patients with moderate to severe anxiety, magnesium reduced the anxiety score (p = 0.01) and fatigue "
     "decreased significantly (p = 0.04).", {"anxiety": "improved", "fatigue": "improved"}),
    ("In participants with high baseline insomnia, the sleep score improved with magnesium (p = 0.01) and pain "
     "decreased significantly (p = 0.02).", {"sleep": "improved", "pain_intensity": "improved"}),
])
def test_a_subgroups_own_words_are_not_a_measure(sentence, expected):
    abstract = ("Sixty adults with fibromyalgia were randomised to magnesium 300 mg a day or placebo for eight weeks. "
                + sentence)
    record = extract(Document("file:ours", "file", "A randomised trial", {"title": "A randomised trial", "abstract": abstract}))
    assert {o["measure"]: o["direction"] for o in record["outcomes"]} == expected
    assert {o["population"]["kind"] for o in record["outcomes"]} == {"subgroup"}
