"""Design, placebo and population on the kinds of study mgfm_dev holds besides trials (issue 12 items 2 and 7,
sixth pass, session 22): reviews and meta-analyses, case reports, protocols and registry records, animal
studies, level studies (patients against controls), loading and provocation studies, open-label extensions
and placebo run-ins, each read from text alone (no publication type, no MeSH: the corpora give none).

Every abstract here is written by us, in the field's usual phrasings; none is copied from ../shared. Each
case failed on main's rules (6c25260) before this pass, but those marked as guards (which held before and
must still hold)."""

from __future__ import annotations

import pytest

from .test_extract_faults import record


def design_type(abstract: str, title: str = "A study") -> str:
    return record(abstract, title)["design"]["type"]


# --- reviews and meta-analyses said without "this" or "we" ------------------------------------------------

@pytest.mark.parametrize("title, abstract, expected", [
    # written by us: a meta-analysis said in the passive, its trials randomised (no "this" or "we")
    ("Intravenous magnesium and pain after surgery",
     "Randomised trials of intravenous magnesium against placebo in adults having surgery were sought up to 2019. "
     "A meta-analysis of the 17 eligible trials was carried out. Magnesium lowered 24-hour morphine use by 5 mg.",
     {"meta_analysis"}),
    ("Magnesium for night cramps",
     "Trials were combined in a random-effects meta-analysis. Magnesium did not lower cramp frequency.",
     {"meta_analysis"}),
    # written by us: a review known by its search said in other words
    ("Supplements in fibromyalgia",
     "The search was carried out in the PubMed, SciELO and LILACS databases. Coenzyme Q10 and vitamin D were the "
     "supplements most often tested.", {"systematic_review"}),
    ("Magnesium and migraine in children",
     "Electronic databases (PubMed; Embase; Cochrane Library) were searched to March 2020. Nine trials were "
     "found, most of them small.", {"systematic_review"}),
    ("Zinc for the common cold",
     "Thirteen randomised controlled trials with 966 participants were included. Zinc shortened colds by a day.",
     {"systematic_review"}),
    ("Vitamin D in chronic widespread pain",
     "We identified 14 eligible studies. Most were cross-sectional and small.", {"systematic_review"}),
    ("Vitamin D in chronic widespread pain: a scoping review", "Most of the 30 studies found were cross-sectional.",
     {"systematic_review"}),
    # written by us: a narrative review said by what kind it is or in the passive present
    ("Nutrition in fibromyalgia",
     "This integrative review gathers what is known about diet and fibromyalgia symptoms.", {"narrative_review"}),
    ("Magnesium and the NMDA receptor",
     "Magnesium blocks the NMDA receptor channel. Recent clinical studies of magnesium in neuropathic pain and "
     "migraine are summarised, and the doses used are compared.", {"narrative_review"}),
    ("Magnesium and cramps",
     "Muscle cramps are common. Here we review the physiology of cramps and the trials of magnesium, which might "
     "help some patients.", {"narrative_review"}),
    # written by us: a title that names a review
    ("Recent advances in the treatment of migraine", "Several new drug classes have reached the clinic.",
     {"narrative_review"}),
    ("Current concepts in the management of muscle cramps", "Stretching and quinine have been used for decades.",
     {"narrative_review"}),
])
def test_review_kinds_from_text(title, abstract, expected):
    assert design_type(abstract, title) in expected


@pytest.mark.parametrize("title, abstract", [
    # written by us, guards: a trial that sums up its own data, a trial's update, a pooled analysis of two trials
    ("Drug X in healthy men",
     "Forty healthy men were randomized to drug X or placebo. Safety and tolerability data are also summarized."),
    ("Letrozole against tamoxifen: update of study ABC-12",
     "A total of 4,000 women were randomly assigned to letrozole or tamoxifen. Disease-free survival was longer "
     "with letrozole."),
    ("Drug X in asthma",
     "Patient data from the two randomized trials were pooled by treatment. A total of 900 patients were randomized "
     "to drug X or placebo."),
    # written by us, guard: a trial whose background cites a meta-analysis of trials
    ("Dipyridamole in angina",
     "A meta-analysis of 13 trials published between 1960 and 1992 showed a benefit. Four hundred patients were "
     "randomized to dipyridamole or placebo."),
])
def test_trials_stay_trials(title, abstract):
    assert design_type(abstract, title) == "rct"


# --- case reports ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("title, abstract", [
    # written by us: a title's "A case of", "report of a case", "in a patient with"
    ("A case of chronic tension-type headache treated with magnesium",
     "A woman with daily headache for six years took magnesium citrate 400 mg a day. Her headache days fell."),
    ("Severe hypermagnesaemia after enemas: report of a case",
     "An elderly woman was admitted drowsy after several magnesium enemas. She recovered after dialysis."),
    ("Intravenous magnesium for refractory pain in a patient with metastatic cancer",
     "Magnesium sulfate 2 g was infused over one hour. Pain fell from 9 to 3 on a ten-point scale."),
    # written by us: "we herein report", "This report describes", "The patient was", a sentence opening with the person
    ("Epidural magnesium for neuralgia",
     "We herein report a 70-year-old man whose neuralgia did not respond to gabapentin. Epidural magnesium relieved "
     "his pain."),
    ("Magnesium for cramps in pregnancy",
     "This report describes a pregnant woman with nightly leg cramps. Magnesium lactate stopped them within a week."),
    ("Magnesium infusion in complex regional pain syndrome",
     "The patient was a 38-year-old woman with complex regional pain syndrome of the left foot. She received "
     "magnesium sulfate infusions on five days."),
    ("Oral magnesium in restless legs",
     "Restless legs syndrome may respond to magnesium. A 55-year-old man with restless legs took magnesium oxide "
     "at night. His symptoms eased."),
])
def test_case_report_kinds(title, abstract):
    result = record(abstract, title)
    assert result["design"]["type"] == "case_report"
    assert result["population"]["n_enrolled"] == 1


@pytest.mark.parametrize("title, abstract", [
    # written by us, guards: a trial's follow-up "we now report", a randomised trial's adverse event told of one person
    ("Vaccine X in breast cancer: 15-year follow-up",
     "In a pilot study 31 patients received vaccine X or placebo. We now report here the 15-year follow-up. "
     "Recurrence was rarer with vaccine X."),
    ("Magnesium for cramps",
     "Sixty adults were randomized to magnesium or placebo. A 64-year-old woman in the magnesium group had diarrhoea."),
])
def test_not_case_reports(title, abstract):
    assert design_type(abstract, title) != "case_report"


# --- animal studies ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("title, abstract", [
    # written by us: an animal named once in the study's own sentences, no people named anywhere
    ("Intrathecal magnesium and formalin pain",
     "Male rats received intrathecal magnesium sulfate (100 or 200 µg) or saline before formalin injection. "
     "Flinching in phase 2 was less after 200 µg."),
    ("Seizures after brain injury",
     "MRI was performed at several times after lateral fluid percussion injury in rats. Lesion volume predicted "
     "seizures."),
    # written by us: "the animals" once beside one named species
    ("Magnesium deficiency and pain threshold",
     "Animals fed a magnesium-deficient diet for seven days had lower vocalisation thresholds than those fed a "
     "control diet. Sheep were not studied."),
])
def test_animal_named_once(title, abstract):
    result = record(abstract, title)
    assert result["design"]["subjects"] == "animal"
    assert result["design"]["type"] == "other"


def test_animal_named_once_in_earlier_work_is_no_animal_study():
    # written by us, guard: mice named once as earlier work, in a trial of "subjects"
    result = record("Investigations in mice have demonstrated that extract X lowers fat. Thirty-two preobese subjects "
                    "were randomized to extract X or placebo for 12 weeks.", "Extract X in preobese adults")
    assert result["design"]["subjects"] is None
    assert result["design"]["type"] == "rct"
