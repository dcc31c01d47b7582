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


# --- protocols and registry records ----------------------------------------------------------------------

@pytest.mark.parametrize("title, abstract", [
    # written by us: a registry summary's plan for itself, and what its people "will" do
    ("Magnesium Chloride in Adults With Depression",
     "This study will test whether magnesium chloride taken by mouth lessens depressive symptoms in adults."),
    ("Oral Magnesium for Depression",
     "The purpose of this study is to learn whether magnesium helps depression. Participants will take two tablets "
     "a day for six weeks. Mood will be assessed every two weeks."),
    # written by us: one sentence of allocation in the future tense
    ("Oral Magnesium in Adults With Depression",
     "The purpose of this study is to find out whether magnesium helps depression. Eligible adults will be randomized "
     "to immediate or delayed treatment with magnesium chloride for six weeks."),
])
def test_protocol_kinds(title, abstract):
    assert design_type(abstract, title) == "protocol"


@pytest.mark.parametrize("abstract, n", [
    # written by us: a registry record's enrolment field; a planned size is no enrolment (the first, a guard, was read
    # before through its head count "126 participants")
    ("Study Type: Interventional. Allocation: Randomized. Actual Enrollment: 126 participants. Masking: None.", 126),
    ("Study Type: Interventional. Enrollment: 112 (Actual). Allocation: Randomized.", 112),
    ("Study Type: Interventional. Allocation: Randomized. Estimated Enrollment: 130 participants.", None),
    # written by us, guard: a plan said in prose is no registry field
    ("This randomized phase III trial (planned enrollment: 700 patients) compared drug A with drug B. In all, 482 "
     "patients were randomized.", 482),
])
def test_registry_enrollment(abstract, n):
    assert record(abstract, "Magnesium for Depression")["population"]["n_enrolled"] == n


# --- level studies: patients and controls -------------------------------------------------------------------

@pytest.mark.parametrize("abstract, n, controls", [
    # written by us: controls called normal, pain-free, or people without the condition, beside the patients
    ("Twenty-two patients with chronic fatigue syndrome and fifteen normal subjects took part. Red cell magnesium "
     "was lower in the patients.", 22, 15),
    ("Hair magnesium was compared between 36 women with fibromyalgia and 30 women without chronic pain.", 36, 30),
    ("Serum magnesium was measured in 41 migraine patients and 39 headache-free volunteers.", 41, 39),
    # written by us, guards: "without" said of a result or of treatment; normal people studied alone
    ("Of 60 patients, 20 patients without significant differences in pain were analysed.", 60, None),
    ("We compared 105 stroke patients treated with alteplase and 105 patients without alteplase treatment.", 105, None),
    ("Thyroid tests were performed in 28 normal men aged 27-35 years after an overnight fast.", 28, None),
])
def test_level_study_controls(abstract, n, controls):
    population = record(abstract, "Magnesium in chronic conditions")["population"]
    assert (population["n_enrolled"], population["n_controls"]) == (n, controls)


def test_normal_subjects_make_a_case_control_study():
    # written by us
    result = record("Twelve patients with restless legs and twelve normal subjects were studied. Serum magnesium was "
                    "similar in both groups.", "Serum magnesium in restless legs syndrome")
    assert result["design"]["type"] == "case_control"
    assert result["population"]["n_controls"] == 12


# --- loading and provocation studies ------------------------------------------------------------------------

def test_diagnostic_load_in_patients_and_controls_is_a_level_study():
    # written by us: one load given to patients and healthy controls alike, urine measured after it
    result = record("Eighteen patients with migraine and 18 healthy controls received an oral load of 3000 mg "
                    "magnesium lactate. Urinary magnesium was measured for 24 hours after the load.",
                    "Magnesium retention in migraine")
    assert result["design"]["type"] == "case_control"


@pytest.mark.parametrize("abstract", [
    # written by us: something done to healthy volunteers studied alone, measured around it
    "In ten healthy volunteers, muscle pain was rated before and 30 minutes after an injection of hypertonic saline.",
    "Pain thresholds of 12 healthy subjects were measured following a capsaicin application to the forearm.",
])
def test_provocation_in_healthy_volunteers_is_no_case_control(abstract):
    assert design_type(abstract, "Experimental muscle pain") == "single_arm_trial"


# --- placebo run-ins, open-label extensions, blinded active comparisons -----------------------------------------

@pytest.mark.parametrize("abstract, blinding", [
    # written by us: everyone took placebo before randomisation, which compared two active drugs
    ("After a two-week single-blind placebo run-in, 90 patients were randomized to magnesium citrate or "
     "amitriptyline for 12 weeks.", None),
    ("Following a run-in on placebo, 40 patients were randomly assigned to drug A or drug B in a double-blind "
     "design.", "double"),
    ("After a 3-week placebo washout period, 56 patients were randomly assigned to enalapril or atenolol.", None),
])
def test_placebo_run_in_is_no_placebo_control(abstract, blinding):
    design = record(abstract, "Two drugs compared")["design"]
    assert design["placebo_controlled"] is False
    assert design["blinding"] == blinding


def test_placebo_run_in_beside_a_placebo_arm_keeps_the_placebo():
    # written by us, guard: a run-in and a placebo arm
    design = record("After a one-week placebo run-in, 120 patients were randomized to drug A or placebo for 8 weeks.",
                    "Drug A in migraine")["design"]
    assert design["placebo_controlled"] is True


@pytest.mark.parametrize("title, abstract", [
    # written by us: the record is the open-label extension of a blinded trial
    ("Long-term pregabalin in fibromyalgia: a one-year open-label extension of the randomised PAIN-1 study",
     "Patients who completed the double-blind, placebo-controlled trial received pregabalin for 52 weeks. Pain stayed "
     "lower than at the start."),
    ("Duloxetine in fibromyalgia",
     "This was an open-label continuation study of the randomized, double-blind, placebo-controlled trial. A total of "
     "210 patients received duloxetine 60 mg daily for one year."),
])
def test_open_label_extension_is_open(title, abstract):
    design = record(abstract, title)["design"]
    assert design["blinding"] == "open"
    assert design["placebo_controlled"] is not True


def test_trial_with_an_extension_phase_stays_blinded():
    # written by us, guard: a double-blind trial followed by an open-label extension
    design = record("In this double-blind, placebo-controlled trial, 80 patients were randomized to drug A or placebo "
                    "for 12 weeks, with an open-label extension to 48 weeks.", "Drug A in dementia")["design"]
    assert (design["blinding"], design["placebo_controlled"]) == ("double", True)


def test_double_blind_parallel_group_comparison_of_two_drugs_is_a_trial():
    # written by us: two active drugs compared double-blind in parallel groups, no randomisation word
    design = record("The effects of drug A (20 mg three times daily) were compared with those of drug B (40 mg three "
                    "times daily) in a double-blind parallel group study in 120 men with angina.",
                    "Drug A against drug B in angina")["design"]
    assert design["type"] == "rct"


# --- kinds of the mgfm_dev categories, said in our own words -------------------------------------------------

def test_review_that_aims_to_review_with_a_bibliographic_survey():
    # written by us: a review's aim and its search said as a "bibliographic survey", the supplements no arms
    result = record("Fibromyalgia is a chronic pain syndrome. The aim of this study was to review the effects of "
                    "supplementation with coenzyme Q10 and magnesium on fibromyalgia. A bibliographic survey was made in "
                    "the PubMed and LILACS databases.", "Supplements in fibromyalgia")
    assert result["design"]["type"] in ("narrative_review", "systematic_review")
    assert result["arms"] == []


def test_animal_model_named_by_its_procedure_alone():
    # written by us: no species named, a record naming no people, the procedure of an animal pain model
    result = record("The effect of intrathecal magnesium sulphate on formalin-induced nociception was studied. "
                    "Magnesium sulphate (100 or 300 µg) or saline was injected 10 min before formalin. Phase 2 flinching "
                    "was reduced.", "Intrathecal magnesium and formalin pain")
    assert result["design"]["subjects"] == "animal"
    assert result["design"]["placebo_controlled"] is None


def test_analysable_data_are_those_analysed():
    # written by us
    population = record("A total of 126 adults with depression were randomized in a crossover design. Of these, 112 "
                        "participants provided analyzable data.", "Magnesium in depression")["population"]
    assert (population["n_enrolled"], population["n_analyzed"]) == (126, 112)


# --- population kinds of the corpora's training halves ---------------------------------------------------

@pytest.mark.parametrize("abstract, n", [
    # written by us: a random or convenience sample is the people studied, not a pool
    ("A random sample of 48 eligible patients with neck pain (20 men, 28 women) were recruited and randomly "
     "assigned to one of two groups.", 48),
    ("A convenience sample of 36 nurses with low back pain were included and randomized to yoga or usual care.", 36),
    # written by us: things a laboratory study allocates are no people
    ("Sixty extracted human molars were randomly assigned to three groups of bonding.", None),
    ("In the first experiment, 40 specimens were randomly assigned to four groups.", None),
])
def test_samples_and_specimens(abstract, n):
    assert record(abstract, "A comparison")["population"]["n_enrolled"] == n


def test_a_part_of_one_sex_is_no_make_up():
    # written by us: "18 women" completing among "26 postmenopausal women" tells nothing of men
    population = record("In a randomized trial of 26 postmenopausal women with back pain, 14 women completed treatment "
                        "with calcitonin and 12 with placebo.", "Calcitonin for back pain")["population"]
    assert population["sex"] == "female"
    assert population["n_analyzed"] == 26


def test_completers_split_by_arm_are_no_sum():
    # written by us, guard: completers said, then split between the arms in brackets
    population = record("Of 150 patients enrolled, 130 patients completed the trial (66 in the treatment group and 64 "
                        "in the placebo group).", "Drug A in dementia")["population"]
    assert population["n_analyzed"] == 130


@pytest.mark.parametrize("abstract", [
    # written by us: a range said after a time point, a follow-up or a washout is no treatment length
    "Patients were randomized to needle therapy or physiotherapy. A follow-up survey of 6-36 months showed less pain "
    "with needle therapy.",
    "Sixty patients were randomized to short-course radiotherapy or chemoradiotherapy, followed by surgery after "
    "6-8 weeks.",
    "In this crossover study, with a washout period of 6-7 days, 24 men received drug A or drug B.",
])
def test_ranges_after_time_points_are_no_duration(abstract):
    assert record(abstract, "A trial")["duration_weeks"] is None


# --- speed: anchored searches give the pattern's own matches ----------------------------------------------------

@pytest.mark.parametrize("text", [
    # written by us: cues at the text's edges, next to each other, cut words, cases, and a match the window's end
    # could cut short ("treatment benefit": "ben" is no word of its own)
    "Randomized. Patients were randomly assigned, in a random order, and allocated at random; non-randomised.",
    "A double-blind, placebo-controlled, open-label extension; neither the patients nor the doctors knew. Sham.",
    "The treatment benefit was larger in men than in women; 12 males, one man, 3 boys; mentally, manage, Menopause.",
    "an open multicentre randomised controlled trial (uncontrolled? unblinded) with no placebo group PLACEBO",
    "",
])
def test_anchored_search_gives_the_same_matches(text):
    from fmwatch.extract import design, population
    from fmwatch.extract.fastre import Anchored
    for pattern in (design.DESIGN_CUES["randomized"], design.DESIGN_CUES["double"], design.DESIGN_CUES["placebo"],
                    design.DESIGN_CUES["open"], population.MALE):
        assert isinstance(pattern, Anchored)
        assert [m.span() for m in pattern.finditer(text)] == [m.span() for m in pattern.original.finditer(text)]
        found, expected = pattern.search(text), pattern.original.search(text)
        assert (found and found.span()) == (expected and expected.span())
