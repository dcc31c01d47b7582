"""Magnesium levels in patients vs controls: phrasings of level studies the rules missed (issue 12,
item 5), each kind with sentences written by us (not copied from ../shared), in the wording level
studies of migraine, cramps, restless legs, chronic fatigue and pain use."""

from __future__ import annotations

import pytest

from fmwatch.extract.core import extract
from fmwatch.extract.levels import magnesium_levels
from fmwatch.extract.text import Document

GROUPS = "We studied 50 patients and 50 age-matched healthy controls. "


def _levels(title: str, abstract: str) -> tuple[dict[str, str], set[str]]:
    """``({compartment: direction}, {correlations})`` the rules read from a title and an abstract."""
    doc = Document("test:levels", "pubmed", title, {"title": title, "abstract": abstract})
    found = magnesium_levels(doc)
    return ({entry["compartment"]: entry["fm_vs_controls"] for entry in found if entry["fm_vs_controls"]},
            {entry["correlation_with_symptoms"] for entry in found} - {None})


# --- the controls as the subject: "higher in controls than in patients" is LOWER in the patients --------

@pytest.mark.parametrize("sentence, compartment, direction", [  # written by us
    ("Serum magnesium was significantly higher in controls than in patients.", "serum", "lower"),
    ("Controls had higher serum magnesium than patients (0.90 vs 0.80 mmol/L, p < 0.01).", "serum", "lower"),
    ("Healthy controls showed higher erythrocyte magnesium levels than the patients.", "erythrocyte", "lower"),
    ("Ionized magnesium was lower in the control group than in patients with cramps.", "ionized", "higher"),
])
def test_a_comparison_made_from_the_controls_side_is_said_of_the_patients(sentence, compartment, direction):
    assert _levels("Magnesium in migraine", GROUPS + sentence)[0] == {compartment: direction}


@pytest.mark.parametrize("sentence, compartment, direction", [  # written by us: the usual order stays as it was
    ("Serum magnesium was lower in patients than in controls.", "serum", "lower"),
    ("Compared with healthy controls, patients had higher urinary magnesium.", "urine", "higher"),
])
def test_the_patients_side_comparison_is_unchanged(sentence, compartment, direction):
    assert _levels("Magnesium in migraine", GROUPS + sentence)[0] == {compartment: direction}


# --- hypomagnesaemia more frequent in patients: a lower serum level ------------------------------------

@pytest.mark.parametrize("sentence, direction", [  # written by us
    ("Hypomagnesemia was more frequent in patients than in controls.", "lower"),
    ("Hypomagnesaemia (serum Mg < 0.7 mmol/L) was found in 40% of patients and 8% of healthy controls.", "lower"),
    ("Hypermagnesemia was more common among the patients than among the controls.", "higher"),
    ("The prevalence of hypomagnesemia did not differ between patients and controls.", "no_difference"),
])
def test_a_prevalence_of_hypomagnesaemia_is_a_serum_level(sentence, direction):
    assert _levels("Magnesium status in restless legs syndrome", GROUPS + sentence)[0] == {"serum": direction}


def test_hypomagnesaemia_in_a_background_sentence_is_no_level():
    # written by us: no comparison with controls
    assert _levels("Magnesium in intensive care", "Hypomagnesemia is common in critically ill patients and may "
                   "be associated with pain.")[0] == {}


# --- two numbers for the patients (named by their condition) and the controls -------------------------

@pytest.mark.parametrize("sentence, direction", [  # written by us
    ("Mean serum magnesium was 0.78 ± 0.06 mmol/L in migraineurs versus 0.86 ± 0.07 mmol/L in healthy controls "
     "(p < 0.001).", "lower"),
    ("Serum magnesium was 2.3 mg/dl in cramp sufferers and 2.0 mg/dl in healthy controls (p = 0.01).", "higher"),
    ("Serum magnesium was 0.84 mmol/L in migraineurs and 0.85 mmol/L in healthy controls (p = 0.62).",
     "no_difference"),
])
def test_a_level_given_as_two_numbers_for_a_named_patient_group(sentence, direction):
    assert _levels("Serum magnesium in migraine", GROUPS + sentence)[0] == {"serum": direction}


# --- compartments the lexicon does not name: the schema's "other" -------------------------------------

@pytest.mark.parametrize("sentence, direction", [  # written by us
    ("Compared with healthy subjects, patients with restless legs syndrome showed reduced cerebrospinal fluid "
     "magnesium.", "lower"),
    ("Salivary magnesium was higher in patients than in controls.", "higher"),
    ("Brain magnesium, measured by phosphorus spectroscopy, was lower in patients than in controls.", "lower"),
])
def test_cerebrospinal_fluid_saliva_and_brain_are_other_compartments(sentence, direction):
    assert _levels("Magnesium in migraine", GROUPS + sentence)[0] == {"other": direction}


def test_the_blood_brain_barrier_is_no_compartment():
    # written by us
    levels, _ = _levels("Magnesium in migraine", GROUPS + "Magnesium crosses the blood-brain barrier poorly. "
                        "Serum magnesium was lower in patients than in healthy controls.")
    assert levels == {"serum": "lower"}


# --- "below that of the controls" ---------------------------------------------------------------------

@pytest.mark.parametrize("sentence, direction", [  # written by us
    ("The patients' serum magnesium was below that of the controls.", "lower"),
    ("Erythrocyte magnesium in the patient group was above those of healthy controls.", "higher"),
])
def test_below_and_above_that_of_the_controls(sentence, direction):
    levels, _ = _levels("Magnesium in chronic fatigue", GROUPS + sentence)
    assert set(levels.values()) == {direction}


# --- people without the condition are the comparison group ---------------------------------------------

def test_people_without_the_condition_are_the_controls():
    # written by us
    levels, _ = _levels("Serum magnesium in fibromyalgia",
                        "Women with fibromyalgia had lower serum magnesium than women without fibromyalgia.")
    assert levels == {"serum": "lower"}


def test_patients_without_aura_are_other_patients_not_controls():
    # written by us
    levels, _ = _levels("Serum magnesium in migraine", "Serum magnesium was lower in migraineurs with aura than "
                        "in migraineurs without aura.")
    assert levels == {}


# --- a correlation with something else "but not with" the symptoms is none with the symptoms -----------

@pytest.mark.parametrize("sentence", [  # written by us
    "Serum magnesium showed a weak positive correlation with disease duration but not with pain severity.",
    "Erythrocyte magnesium correlated negatively with age but not with the fatigue score.",
])
def test_a_correlation_with_something_else_but_not_with_symptoms_is_none(sentence):
    assert _levels("Magnesium in pain", GROUPS + sentence)[1] == {"none"}


def test_a_correlation_with_symptoms_but_not_with_age_keeps_its_direction():
    # written by us
    assert _levels("Magnesium in pain", GROUPS + "Serum magnesium correlated inversely with pain scores but not "
                   "with age.")[1] == {"negative"}


# --- the whole extractor carries them into the record ---------------------------------------------------

def test_the_record_keeps_the_patients_direction():
    # written by us
    title = "Serum magnesium in chronic migraine"
    doc = Document("test:record", "pubmed", title, {
        "title": title, "abstract": GROUPS + "Serum magnesium was significantly higher in controls than in "
        "patients (p < 0.01). Serum magnesium correlated inversely with headache frequency."})
    levels = extract(doc)["magnesium_levels"]
    assert [(lv["compartment"], lv["fm_vs_controls"], lv["correlation_with_symptoms"]) for lv in levels] == [
        ("serum", "lower", "negative")]


# --- an unsigned correlation with r, and a level that moves with the symptoms ---------------------------

@pytest.mark.parametrize("sentence, correlation", [  # written by us
    ("Serum magnesium correlated with the severity of pain (r = 0.52, p < 0.01).", "positive"),
    ("Erythrocyte magnesium correlated significantly with the fatigue score (rho = -0.38).", "negative"),
    ("Serum magnesium levels decreased with increasing pain severity.", "negative"),
    ("Plasma magnesium concentrations fell as the number of tender points rose, and rose with milder symptoms.",
     "negative"),
    ("Serum magnesium levels rose with the number of attacks per month.", "positive"),
])
def test_a_correlation_said_by_r_or_by_moving_together(sentence, correlation):
    assert _levels("Magnesium in migraine", GROUPS + sentence)[1] == {correlation}


@pytest.mark.parametrize("sentence", [  # written by us: a dose-response, a change with treatment, age, calcium
    "Pain scores decreased with increasing doses of magnesium.",
    "Serum magnesium levels increased with treatment.",
    "Serum magnesium levels rose with increasing age.",
    "Serum magnesium correlated with serum calcium (r = 0.45).",
])
def test_no_correlation_with_symptoms_is_read_from_a_dose_a_treatment_or_another_measure(sentence):
    assert _levels("Magnesium in migraine", GROUPS + sentence)[1] == set()


# --- two minerals in one sentence: each clause's verdict is its own mineral's ----------------------------

@pytest.mark.parametrize("sentence, direction", [  # written by us
    ("Serum zinc was lower in patients than controls, whereas magnesium levels were similar in both groups.",
     "no_difference"),
    ("Serum calcium did not differ between the groups, but magnesium was significantly lower in patients.", "lower"),
])
def test_another_minerals_verdict_is_not_magnesiums(sentence, direction):
    assert _levels("Serum magnesium and zinc in fibromyalgia", GROUPS + sentence)[0] == {"serum": direction}


def test_a_clause_without_another_mineral_keeps_its_own_verdict():
    # written by us: the second clause names no substance, so its verdict is the serum level's
    levels, _ = _levels("Magnesium in migraine", GROUPS + "Urine magnesium was lower in the patients, but serum "
                        "values did not differ.")
    assert levels == {"urine": "lower", "serum": "no_difference"}


# --- names of compartments the lexicon does not know ---------------------------------------------------

@pytest.mark.parametrize("sentence, compartment, direction", [  # written by us
    ("Intra-erythrocytic magnesium was lower in patients than in controls.", "erythrocyte", "lower"),
    ("Mononuclear cell magnesium was lower in patients than in controls.", "leukocyte", "lower"),
    ("Lymphocyte magnesium did not differ between patients and controls.", "leukocyte", "no_difference"),
])
def test_intra_erythrocytic_and_white_cell_names(sentence, compartment, direction):
    assert _levels("Magnesium in chronic fatigue", GROUPS + sentence)[0] == {compartment: direction}
