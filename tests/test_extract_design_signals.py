"""Design from every signal (``extract.design``) and what is given (``extract.arms``), on sentences
written here by the team (none copied from ../shared): a review that only says how it searched,
a case report that opens with the patient, laboratory strains and cultured cells, treatments the
patient had failed on."""

from __future__ import annotations

import pytest

from fmwatch.extract.core import Document, extract


def record(abstract: str, title: str = "A study") -> dict:
    return extract(Document("file:ours", "file", title, {"title": title, "abstract": abstract}))


@pytest.mark.parametrize("title, abstract, expected, subjects", [
    ("Magnesium for neuropathic pain",
     "We searched PubMed, Embase and CENTRAL to March 2021 for randomized trials of oral or intravenous magnesium in "
     "neuropathic pain. Eleven trials with 640 participants were included.", "systematic_review", None),
    ("Epidural magnesium after spine surgery",
     "A 52-year-old woman with failed back surgery syndrome, refractory to pregabalin and tramadol, received epidural "
     "magnesium sulfate 50 mg. Her pain fell from 9 to 3 within a week.", "case_report", None),
    ("Magnesium and spinal sensitisation",
     "Adult male Wistar rats received intraperitoneal magnesium sulfate 300 mg/kg or saline before the formalin "
     "injection. Magnesium reduced flinching in phase 2.", "other", "animal"),
    ("Magnesium block of NMDA receptors",
     "Dorsal horn neurons were cultured from embryonic tissue and exposed to magnesium chloride. Magnesium reduced "
     "the evoked currents.", "other", "in_vitro"),
])
def test_design_from_the_texts_own_signals(title, abstract, expected, subjects):
    result = record(abstract, title)
    assert result["design"]["type"] == expected and result["design"]["evidence"]
    assert result["design"]["subjects"] == subjects


def test_a_case_report_has_one_patient_and_the_drugs_they_failed_on_are_no_arms():
    result = record("A 52-year-old woman with failed back surgery syndrome, refractory to pregabalin and tramadol, "
                    "received epidural magnesium sulfate 50 mg. Her pain fell from 9 to 3 within a week.")
    assert [(a["label"], a["n"]) for a in result["arms"]] == [("magnesium sulfate", 1)]
    assert result["population"]["n_enrolled"] == 1
    assert result["arms"][0]["interventions"][0]["route"] == "other"


def test_a_review_found_by_its_search_has_no_arms_of_its_own():
    result = record("We searched MEDLINE and Embase for trials of magnesium for migraine prophylaxis. Twelve trials "
                    "compared oral magnesium 600 mg daily with placebo.", "Magnesium for migraine")
    assert result["design"]["type"] == "systematic_review" and result["arms"] == []


@pytest.mark.parametrize("abstract", [
    "Forty adults having knee surgery were randomly allocated to magnesium sulfate 40 mg/kg intravenously or the same "
    "volume of isotonic saline.",
    "Sixteen patients with nerve pain received an infusion of magnesium sulfate or normal saline on two days in random "
    "order.",
])
def test_an_inert_comparator_makes_a_placebo_control_and_a_random_order_a_randomisation(abstract):
    design = record(abstract)["design"]
    assert design["placebo_controlled"] is True and design["randomized"] is True


# --- doses as written: per unit in brackets, units a day, divided doses, one substance said twice -----------

def doses(abstract: str) -> list[tuple]:
    return [(i["name"], i["dose_mg"], i.get("daily_dose_mg"), i["frequency_per_day"]) for a in record(abstract)["arms"]
            for i in a["interventions"] if i["name"] != "placebo"]


@pytest.mark.parametrize("abstract, expected", [
    # the bracket gives one tablet's content: two tablets a dose
    ("Adults with cramps took two tablets of magnesium citrate (each containing 150 mg of magnesium) twice daily for "
     "4 weeks.", [("magnesium citrate", 300.0, 600.0, 2.0)]),
    # a count of capsules a day is how often, the dose is one capsule's
    ("The intervention was 3 capsules per day of 200 mg magnesium glycinate for 8 weeks.",
     [("magnesium glycinate", 200.0, 600.0, 3.0)]),
    # the day's amount in divided doses
    ("Participants were given 600 mg magnesium daily in three divided doses.", [("magnesium", 200.0, 600.0, 3.0)]),
    # one substance said twice in a sentence with no choice is one arm, with the form and dose said
    ("Magnesium was applied to the skin, 2 sprays twice daily (each spray 10 mg magnesium chloride).",
     [("magnesium chloride", 20.0, 40.0, 2.0)]),
])
def test_doses_as_written(abstract, expected):
    assert doses(abstract) == expected


def test_a_washout_is_no_treatment_length():
    assert record("After a 2-week washout, 40 patients received duloxetine 60 mg or placebo for 12 weeks.")[
        "duration_weeks"] == 12.0
