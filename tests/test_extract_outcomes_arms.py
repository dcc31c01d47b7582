"""Outcome kinds of the fourth pass (issue 12, items 6 and 7): which arm a comparison is said of, a
measure's polarity from its own words, a sentence opened by a subordinate clause, and a conclusion
printed without its heading. Every sentence below was written by us for these tests (none copied
from ../shared); each kind failed before its rule."""

from __future__ import annotations

import pytest

from fmwatch.extract.core import Document, extract
from fmwatch.extract import measures

TRIAL = "Sixty adults with chronic pain were randomized to oral magnesium 400 mg daily or placebo for 12 weeks. "


def results(abstract: str, title: str = "A trial") -> dict[str, str]:
    record = extract(Document("file:ours", "file", title, {"title": title, "abstract": abstract}))
    return {o["measure"]: o["direction"] for o in record["outcomes"]}


# --- which arm a comparison is said of ----------------------------------------------------------------

@pytest.mark.parametrize("sentence, measure, expected", [
    # the control is the comparison's first term: the treated arm's direction is the opposite
    ("Pain scores were higher in the placebo group than in the magnesium group (p = 0.01).", "pain_intensity",
     "improved"),
    ("Fatigue was greater among control patients than among those given magnesium (p = 0.04).", "fatigue", "improved"),
    ("Compared with magnesium, placebo patients reported more pain at 24 hours (p = 0.02).", "pain_intensity",
     "improved"),
    ("Placebo patients needed more rescue analgesia than magnesium patients (p = 0.02).", "rescue_analgesia",
     "improved"),
    # the same said of the treated arm first keeps its reading
    ("Pain scores were lower in the magnesium group than in the placebo group (p = 0.01).", "pain_intensity",
     "improved"),
    ("Compared with placebo, fatigue was worse in the magnesium group (p = 0.03).", "fatigue", "worsened"),
])
def test_a_comparison_said_of_the_control_is_the_treated_arms_opposite(sentence, measure, expected):
    assert results(TRIAL + sentence).get(measure) == expected


def test_arms_named_by_letters_are_told_apart_by_what_each_group_was_given():
    abstract = ("Ninety children were randomized to a caudal block of bupivacaine with magnesium 50 mg in saline "
                "(group BM) or with the same volume of saline (group B). Pain scores were significantly higher in "
                "group B than in group BM during the first 6 hours (p = 0.002).")
    assert results(abstract)["pain_intensity"] == "improved"


def test_a_change_within_the_control_arm_or_against_baseline_is_not_flipped():
    said = results(TRIAL + "Pain scores were lower than at baseline in both groups, and the groups did not differ. "
                   "Fatigue was lower with magnesium than with placebo (p = 0.01).")
    assert said["fatigue"] == "improved"


# --- the measure's polarity from its own words --------------------------------------------------------

@pytest.mark.parametrize("sentence, measure, expected", [
    ("Magnesium lowered the sleep disturbance score compared with placebo (p = 0.01).", "sleep", "improved"),
    ("Sleep onset latency was shortened with magnesium compared with placebo (p = 0.02).", "sleep", "improved"),
    ("HDL cholesterol rose with magnesium compared with placebo (p = 0.02).", "hdl_cholesterol", "improved"),
    ("Left ventricular ejection fraction increased with magnesium compared with placebo (p = 0.02).",
     "left_ventricular_ejection_fraction", "improved"),
    ("Functional impairment decreased with magnesium compared with placebo (p = 0.01).", "functional_impairment",
     "improved"),
    ("Patients given magnesium reported less pain at 24 hours than those given placebo (p = 0.02).", "pain_intensity",
     "improved"),
])
def test_polarity_comes_from_the_measures_own_words(sentence, measure, expected):
    assert results(TRIAL + sentence).get(measure) == expected


@pytest.mark.parametrize("label, expected", [
    ("sleep disturbance", False), ("sleep quality", True), ("activity limitation", False),
    ("analgesic consumption", False), ("time to treatment failure", True), ("oxygen saturation", True),
    ("peak expiratory flow", True), ("cramp frequency", False),
])
def test_higher_is_better_reads_the_head_of_the_measure(label, expected):
    assert measures.higher_is_better(label) is expected


# --- a sentence opened by a subordinate clause -------------------------------------------------------

def test_a_leading_although_clause_is_a_clause_of_its_own():
    said = results(TRIAL + "Although fatigue did not differ between the groups, pain scores were significantly "
                   "lower with magnesium than with placebo (p = 0.01).")
    assert said == {"fatigue": "no_change", "pain_intensity": "improved"}


# --- a conclusion printed without its heading ---------------------------------------------------------

def test_the_last_paragraph_of_a_structured_abstract_without_headings_adds_no_measure():
    abstract = ("Magnesium may ease musculoskeletal pain.\n"
                "Sixty adults were randomized to oral magnesium 400 mg daily or placebo for 12 weeks.\n"
                "Pain scores fell more with magnesium than with placebo (p = 0.01).\n"
                "Magnesium supplementation was well accepted and improved their lipid profile.")
    assert results(abstract) == {"pain_intensity": "improved"}


def test_a_capitalised_conclusion_heading_without_colon_is_a_conclusion():
    abstract = ("OBJECTIVE To test oral magnesium in chronic pain . METHODS Sixty adults were randomized to oral "
                "magnesium 400 mg daily or placebo for 12 weeks . RESULTS Pain scores fell more with magnesium than "
                "with placebo ( p = 0.01 ) . CONCLUSIONS Magnesium supplementation improved their lipid profile .")
    assert results(abstract) == {"pain_intensity": "improved"}


# --- results said in other shapes ---------------------------------------------------------------------

@pytest.mark.parametrize("sentence, measure, expected", [
    # a comparative said of the subject ("was longer"), prolonged and shortened as directions
    ("The time to 1st rescue analgesic was significantly longer with magnesium than with placebo (p = 0.01).",
     "time_to_first_rescue_analgesic", "improved"),
    ("Magnesium significantly prolonged the duration of analgesia compared with placebo (p < 0.01).",
     "duration_of_analgesia", "improved"),
    ("Extubation time was shorter with magnesium than with placebo (p = 0.02).", "extubation_time", "improved"),
    # one subject of two measures is no two clauses
    ("Headache recurrence and other neurological complications were similar in the two groups.",
     "headache_recurrence", "no_change"),
])
def test_results_in_other_shapes(sentence, measure, expected):
    assert results(TRIAL + sentence).get(measure) == expected


@pytest.mark.parametrize("sentence", [
    "The two arms showed no significant differences in other intraoperative or recovery measurements.",
    "There were no significant differences in the remaining laboratory parameters.",
])
def test_other_measurements_are_a_blanket_not_a_measure(sentence):
    assert results(TRIAL + "Pain scores were lower with magnesium than with placebo (p = 0.01). " + sentence) == {
        "pain_intensity": "improved"}


def test_an_objective_without_its_heading_is_no_result():
    abstract = ("To compare magnesium with placebo for the relief of neuropathic pain after surgery.\n"
                + TRIAL + "Fatigue was lower with magnesium than with placebo (p = 0.03).")
    assert results(abstract) == {"fatigue": "improved"}


# --- spurious measures: the treatment, a trend, a word alone, a baseline heading ----------------------

@pytest.mark.parametrize("sentence", [
    "Clear trends towards improvement were seen with magnesium in both stiffness and sleep.",
    "Magnesium had a significant effect on grip strength (p = 0.03), and this effect increased with time.",
    "Results: Baseline: body weight, fasting glucose and the pain scores were similar.",
    "Magnesium lowered the disability index, i.e. improved function, compared with placebo (p = 0.02).",
])
def test_no_measure_is_made_of_the_treatment_a_trend_a_pointer_or_a_baseline_heading(sentence):
    said = results(TRIAL + sentence)
    assert not {"clear_trends_towards", "trends_towards", "this_effect", "effect",
                "i_e", "baseline_body_weight", "body_weight", "fasting_glucose", "pain_intensity"} & set(said)


# --- where a result is said, and against what ----------------------------------------------------------

@pytest.mark.parametrize("sentence, measure, expected", [
    # the arm a subject is measured in is where, not what
    ("Morphine consumption in the magnesium group was significantly lower than in the placebo group (p = 0.01).",
     "morphine_consumption", "improved"),
    ("The total dose of tramadol required in the magnesium group was lower than in the control group (p = 0.02).",
     "dose_of_tramadol", "improved"),
    # a value after the measure ends it
    ("Magnesium significantly prolonged block duration 9 (6-12) h compared with 5 (4-6) h with placebo.",
     "block_duration", "improved"),
    # a change against baseline only is no difference from the comparator
    ("Systolic blood pressure fell significantly compared with baseline, but not compared with placebo.",
     "systolic_blood_pressure", "no_change"),
])
def test_where_and_against_what_a_result_is_said(sentence, measure, expected):
    assert results(TRIAL + sentence).get(measure) == expected


# --- tolerability: an outcome when the results say it, never evidence about benefit --------------------

def test_a_tolerability_result_is_an_outcome_with_no_difference():
    said = results(TRIAL + "Apart from mild flushing during the infusion, both doses were well tolerated. "
                   "Pain scores fell more with magnesium than with placebo (p = 0.01).")
    assert said == {"tolerability": "no_change", "pain_intensity": "improved"}


def test_a_conclusions_safe_and_well_tolerated_adds_nothing():
    abstract = ("Magnesium may ease musculoskeletal pain.\n" + TRIAL + "\n"
                "Pain scores fell more with magnesium than with placebo (p = 0.01).\n"
                "Oral magnesium appears safe and was well tolerated in these patients.")
    assert results(abstract) == {"pain_intensity": "improved"}


def test_a_safety_result_never_decides_a_claim_of_benefit():
    from fmwatch.evidence import deciding
    pain = {"measure": "pain_intensity", "direction": "improved", "population": None}
    safety = {"measure": "tolerability", "direction": "no_change", "population": None}
    assert deciding([pain, safety]) == [pain]
    assert deciding([safety]) == []


# --- more shapes of a result ----------------------------------------------------------------------------

@pytest.mark.parametrize("sentence, expected", [
    # the comparison said between the change and its measures; abbreviations with digits are measures
    ("The magnesium group showed early and significant improvement as compared to the placebo group in FEV1 "
     "and SpO2 at 1 hour (p < 0.05).", {"fev1": "improved", "spo2": "improved"}),
    # a change noun said of the subject through "showed"
    ("The croup score also showed significant improvement in the magnesium group (p < 0.01).",
     {"croup": "improved"}),
    # a count of people with an event is a result on the event
    ("The magnesium group had significantly fewer women who developed preterm labour than the placebo group.",
     {"preterm_labour": "improved"}),
    # a semicolon inside a bracket parts no clauses: the null after the bracket is the result's own
    ("Fatigue improved in both arms (magnesium -1.9 points, p = 0.04; placebo -1.8 points, p = 0.04), but with no "
     "significant difference between treatments (p = 0.65).", {"fatigue": "no_change"}),
])
def test_more_shapes_of_a_result(sentence, expected):
    assert results(TRIAL + sentence) == expected


@pytest.mark.parametrize("sentence, expected", [
    # an amount said of the subject after its verb
    ("Nausea was less frequent with magnesium than with placebo (p = 0.03).", {"nausea": "improved"}),
    ("Ventricular ectopy was more common in the magnesium group than in the placebo group (p = 0.03).",
     {"ventricular_ectopy": "worsened"}),
    # adjectives in a list share the noun of the first item of several words
    ("Systolic, diastolic and mean arterial pressures were significantly less with magnesium than with placebo.",
     # ("mean arterial pressure" keeps its "mean" since session 22: it is the measure's name, MAP)
     {"systolic_arterial_pressures": "improved", "diastolic_arterial_pressures": "improved",
      "mean_arterial_pressures": "improved"}),
    # the event two treatments are said not to differ in preventing
    ("There was no difference between the two drugs in preventing postoperative shivering.",
     {"postoperative_shivering": "no_change"}),
])
def test_amounts_after_the_verb_shared_nouns_and_events_prevented(sentence, expected):
    assert results(TRIAL + sentence) == expected


def test_a_sentence_with_figures_in_the_last_paragraph_is_a_result():  # (a guard on the conclusion rule)
    abstract = ("Magnesium may ease musculoskeletal pain.\n" + TRIAL + "\n"
                "Pain scores fell more with magnesium than with placebo (p = 0.01).\n"
                "Fatigue was also lower with magnesium (4.1 vs 5.2 points, p = 0.03), and magnesium improved their "
                "lipid profile.")
    assert results(abstract) == {"pain_intensity": "improved", "fatigue": "improved", "lipid_profile": "improved"}


def test_what_can_contribute_to_a_condition_is_background_not_a_result():
    said = results(TRIAL + "A deficit of intracellular magnesium with reduced energy production can contribute to "
                   "fatigue. Pain scores fell more with magnesium than with placebo (p = 0.01).")
    assert said == {"pain_intensity": "improved"}


def test_a_claim_in_the_present_tense_after_the_results_adds_no_measure():
    said = results(TRIAL + "Pain scores fell more with magnesium than with placebo (p = 0.01). "
                   "Oral magnesium, taken with an exercise programme, provides a decrease in overall symptom burden.")
    assert said == {"pain_intensity": "improved"}


def test_no_significant_increases_are_a_result_not_a_claim():  # (a guard on the claim rule)
    said = results(TRIAL + "Pain scores fell more with magnesium than with placebo (p = 0.01). "
                   "There were no significant increases in fasting glucose or triglycerides in either group.")
    assert said == {"pain_intensity": "improved", "fasting_glucose": "no_change", "triglycerides": "no_change"}
