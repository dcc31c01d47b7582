"""Each fault kind of issue 12, on sentences written here by the team (none copied from
../shared): design, what is an arm, doses as written, levels and directions, outcomes, statements
versus wishes, durations, reasons and quotes, the reference study."""

from __future__ import annotations

import pytest

from fmwatch.evidence import RecordContext, is_magnesium_trial, judge
from fmwatch.extract.core import Document, extract

from .test_extract import assert_spans_and_evidence


def record(abstract: str, title: str = "A study", **document) -> dict:
    fields = {"title": title, "abstract": abstract}
    for name in ("publication_types", "mesh"):  # as Document.from_article gives them, so they have spans
        if document.get(name):
            fields[name] = "; ".join(document[name])
    doc = Document("file:ours", "pubmed", title, fields, **document)
    result = extract(doc)
    judge(result, RecordContext(text=f"{title}\n{abstract}"))
    assert_spans_and_evidence(doc, result)
    return result


def interventions(result: dict) -> list[tuple]:
    return [(i["name"], i["dose_mg"], i.get("daily_dose_mg"), i["frequency_per_day"], i["route"])
            for a in result["arms"] for i in a["interventions"]]


# --- design from every signal ------------------------------------------------------------------------

@pytest.mark.parametrize("title, abstract, document, expected", [
    ("Serum magnesium in women with migraine",
     "We measured serum magnesium in 45 women with migraine and 40 healthy controls. Serum magnesium was lower in "
     "the women with migraine (p = 0.004).", {}, "case_control"),
    ("Magnesium for cramps: a chapter",
     "Leg cramps are common in older adults. This chapter reviews the evidence on magnesium supplementation.",
     {"publication_types": ["Review"]}, "narrative_review"),
    ("Magnesium and pain: a systematic review",
     "We searched four databases for trials of magnesium in chronic pain. Differences between the trials precluded "
     "any meta-analysis.", {}, "systematic_review"),
    ("Oral magnesium for depression (registry record)",
     "Study Type: Interventional. Estimated Enrollment: 120 participants. Allocation: Randomized. Masking: None. "
     "Participants will be randomized to magnesium chloride 248 mg daily or no treatment.", {}, "protocol"),
    ("Magnesium sulfate and mechanical allodynia in rats",
     "Adult rats received intrathecal magnesium sulfate 100 µg or saline. Magnesium raised the withdrawal threshold "
     "of the rats for two hours.", {}, "other"),
    ("Magnesium and bone", "Forty patients were followed for two years.",
     {"mesh": ["Case-Control Studies", "Humans"]}, "case_control"),
])
def test_design_from_publication_types_mesh_and_text(title, abstract, document, expected):
    result = record(abstract, title, **document)
    assert result["design"]["type"] == expected and result["design"]["evidence"]


def test_an_animal_study_is_never_a_human_trial_and_a_review_has_no_arms():
    rats = record("Adult rats received intrathecal magnesium sulfate 100 µg or saline. Magnesium raised the "
                  "withdrawal threshold of the rats.", "Magnesium in rats")
    assert rats["design"]["subjects"] == "animal" and not is_magnesium_trial(rats)
    review = record("Leg cramps are common. This chapter reviews trials in which patients received magnesium "
                    "citrate 300 mg daily or placebo.", "Magnesium for cramps", publication_types=["Review"])
    assert review["design"]["type"] == "narrative_review" and review["arms"] == [] and review["design"]["randomized"] is None


# --- what is an arm ----------------------------------------------------------------------------------

@pytest.mark.parametrize("abstract", [
    # a measured concentration
    "Hair magnesium was 775 µg/g in 40 patients with migraine and 810 µg/g in 30 healthy controls.",
    # a diagnostic load
    "An oral magnesium load test was done by giving 3000 mg of magnesium lactate to 15 patients and 15 healthy "
    "controls, and urinary magnesium was measured over 24 hours.",
    # a dietary intake
    "Dietary magnesium intake was estimated in 200 women with headache from a food questionnaire.",
    # background and advice
    "Magnesium is known to block the NMDA receptor. Patients with low magnesium should be treated with magnesium "
    "400 mg daily. We measured serum magnesium in 50 patients with chronic pain and 50 healthy controls.",
    # another drug's dose in a magnesium-deficient animal model
    "Rats fed a magnesium-deficient diet for 10 days received ketamine 2 mg/kg or saline; nociceptive thresholds "
    "were measured.",
])
def test_no_magnesium_arm_from_what_was_measured_eaten_known_or_advised(abstract):
    result = record(abstract)
    assert not [i for i in interventions(result) if i[0].startswith("magnesium")]
    assert not is_magnesium_trial(result)


def test_a_placebo_takes_the_route_of_the_treatment_it_stands_in_for():
    result = record("Forty patients were randomized to oral magnesium oxide 400 mg daily or placebo for 8 weeks.")
    assert sorted(interventions(result)) == [("magnesium oxide", 400.0, 400.0, 1.0, "oral"),
                                             ("placebo", None, None, None, "oral")]


# --- doses as written ----------------------------------------------------------------------------------

@pytest.mark.parametrize("abstract, name, expected", [
    # composition of one tablet in brackets, three tablets twice daily
    ("Forty women took three tablets twice daily, each tablet (200 mg malic acid, 50 mg magnesium), for 8 weeks.",
     "magnesium", {"dose_mg": 150.0, "daily_dose_mg": 300.0, "frequency_per_day": 2.0}),
    # mmol of magnesium to mg of elemental magnesium (24.3 mg per mmol)
    ("Thirty patients were randomized to magnesium 10 mmol daily or placebo for 6 weeks.",
     "magnesium", {"dose_mg": 243.1, "daily_dose_mg": 243.1}),
    # mEq: Mg2+ carries two charges, so 20 mEq is 10 mmol
    ("Thirty patients were randomized to magnesium 20 mEq twice daily or placebo for 6 weeks.",
     "magnesium", {"dose_mg": 243.1, "daily_dose_mg": 486.2, "frequency_per_day": 2.0}),
    # weight-based, no body weight given: kept per kg, dose_mg null
    ("Patients were randomized to intravenous magnesium sulfate 50 mg/kg or saline before surgery.",
     "magnesium sulfate", {"dose_mg": None, "dose_mg_per_kg": 50.0, "route": "intravenous"}),
    ("Magnesium sulfate was infused at 15 mg/kg/h during surgery in 20 patients; 20 controls received saline.",
     "magnesium sulfate", {"dose_mg": None, "infusion_mg_per_kg_per_h": 15.0, "route": "intravenous"}),
    # "2 x 250 mg daily": 250 mg, twice a day
    ("Twenty patients received magnesium oxide 2 x 250 mg daily for 4 weeks.",
     "magnesium oxide", {"dose_mg": 250.0, "daily_dose_mg": 500.0, "frequency_per_day": 2.0}),
    # grams and micrograms
    ("Sixty patients were randomized to 2 g of intravenous magnesium sulfate or saline.",
     "magnesium sulfate", {"dose_mg": 2000.0}),
])
def test_doses_as_written(abstract, name, expected):
    (intervention,) = [i for a in record(abstract)["arms"] for i in a["interventions"] if i["name"] == name]
    assert {key: intervention.get(key) for key in expected} == expected


def test_successive_dose_cohorts_are_two_arms_with_their_sizes():
    result = record("We gave intravenous magnesium sulfate to 10 patients with nerve pain. The first four patients "
                    "received 500 mg, the remainder 1 g.")
    assert sorted((a["n"], a["interventions"][0]["dose_mg"]) for a in result["arms"]) == [(4, 500.0), (6, 1000.0)]
    assert result["design"]["type"] == "single_arm_trial"


# --- levels and directions -------------------------------------------------------------------------------

@pytest.mark.parametrize("abstract, expected", [
    ("We studied 40 women with fibromyalgia and 40 healthy controls. Patients showed a reduction of serum magnesium "
     "compared with controls (p = 0.01).", [("serum", "lower", None)]),
    ("Erythrocyte magnesium was decreased by 15% in 35 patients with fibromyalgia compared with 30 healthy controls "
     "(p < 0.01).", [("erythrocyte", "lower", None)]),
    ("In 25 patients with fibromyalgia and 25 healthy volunteers, plasma magnesium was no different than in controls.",
     [("plasma", "no_difference", None)]),
    ("Ionized magnesium showed an elevation in 30 patients with fibromyalgia compared with 30 healthy controls "
     "(p = 0.02).", [("ionized", "higher", None)]),
    # a comparison with other patients is not one with healthy controls
    ("Red cell magnesium was measured in 30 patients with fibromyalgia and 30 patients with rheumatoid arthritis. "
     "It was lower in fibromyalgia than in rheumatoid arthritis (p = 0.03).", [("erythrocyte", None, None)]),
    ("Serum magnesium was compared between treated and untreated patients with migraine; it was lower than in the "
     "treated group.", [("serum", None, None)]),
    # correlation wording
    ("We measured serum magnesium in 30 patients with fibromyalgia and 30 healthy controls. Levels were lower in "
     "patients (p = 0.01). There was no clear correlation between serum magnesium and pain scores.",
     [("serum", "lower", "none")]),
    ("We measured serum magnesium in 30 patients with fibromyalgia and 30 healthy controls. Levels were lower in "
     "patients (p = 0.01). Serum magnesium was inversely related to the number of tender points.",
     [("serum", "lower", "negative")]),
    # a clause each: urine lower, serum no different
    ("In 20 patients and 20 healthy controls, urinary magnesium was lower in the patients (p = 0.002), but serum "
     "values did not differ.", [("urine", "lower", None), ("serum", "no_difference", None)]),
    # the compartment in the title, the direction in the text
    ("In 22 patients with fibromyalgia and 22 healthy controls, muscle magnesium was higher in the patients "
     "(p = 0.01).", [("muscle", "higher", None)]),
])
def test_level_directions_and_the_comparison_group(abstract, expected):
    result = record(abstract, "Magnesium status")
    assert sorted((m["compartment"], m["fm_vs_controls"], m["correlation_with_symptoms"])
                  for m in result["magnesium_levels"]) == sorted(expected)


# --- outcomes ----------------------------------------------------------------------------------------------

def outcomes(result: dict) -> set[tuple]:
    return {(o["measure"], o["direction"], o["significant"]) for o in result["outcomes"]}


@pytest.mark.parametrize("abstract, expected", [
    # within-group change in both arms, no difference between them: no benefit over control
    ("Thirty patients were randomized to magnesium 300 mg daily or placebo for 8 weeks. Both groups improved in "
     "fatigue and sleep; there was no difference between the groups.",
     {("fatigue", "no_change", False), ("sleep", "no_change", False)}),
    # a blanket null applies to each measure named
    ("Thirty patients were randomized to magnesium 300 mg daily or placebo for 8 weeks. Outcomes were pain, fatigue "
     "and the FIQ. There were no differences between the groups in any outcome.",
     {("pain_intensity", "no_change", False), ("fatigue", "no_change", False), ("fiq", "no_change", False)}),
    # measures outside fibromyalgia, named generically
    ("Sixty patients with migraine were randomized to magnesium oxide 400 mg daily or placebo for 12 weeks. Migraine "
     "days fell from 8 to 5 per month with magnesium and from 8 to 7 with placebo (p = 0.02).",
     {("migraine_days", "improved", True)}),
    ("Fifty older adults with leg cramps were randomized to magnesium citrate 300 mg daily or placebo for 4 weeks. "
     "Cramp frequency was reduced with magnesium, but not significantly (p = 0.12).",
     {("cramp_frequency", "improved", False)}),
    ("Eighty patients having knee surgery were randomized to intravenous magnesium sulfate or saline. Pain scores "
     "after surgery were lower with magnesium (p = 0.01).", {("pain_intensity", "improved", True)}),
    # less of a measure where more is better is worse
    ("Rats fed a magnesium-deficient diet showed a significant decrease in the paw withdrawal thresholds compared "
     "with the control rats (p < 0.01).", {("paw_withdrawal_thresholds", "worsened", True)}),
])
def test_outcome_directions(abstract, expected):
    assert outcomes(record(abstract)) == expected


@pytest.mark.parametrize("abstract, expected", [
    # a before/after "significant difference" with no direction word takes the direction of the
    # record's other results when they agree ...
    ("Forty women with fibromyalgia took magnesium citrate 300 mg daily for 8 weeks. Results: Significant "
     "differences were found in FIQ totals before and after the supplementation (p < 0.05). Fatigue also improved "
     "significantly (p < 0.01).", {("fiq", "improved", True), ("fatigue", "improved", True)}),
    # ... and has none when they disagree or there are none
    ("Forty women with fibromyalgia took magnesium citrate 300 mg daily for 8 weeks. Results: Significant "
     "differences were found in FIQ totals before and after the supplementation (p < 0.05). Fatigue improved "
     "(p < 0.01) and sleep worsened (p = 0.03).", {("fatigue", "improved", True), ("sleep", "worsened", True)}),
    ("Forty women with fibromyalgia took magnesium citrate 300 mg daily for 8 weeks. Significant differences were "
     "found in FIQ totals before and after the supplementation (p < 0.05).", set()),
    # what happened to one patient is not the group's result
    ("Ten patients with nerve pain received magnesium sulfate 1 g intravenously. Four patients had complete pain "
     "relief and five had partial relief; pain was unchanged in one patient.", {("pain_relief", "improved", None)}),
    # a structured abstract's conclusion restates its results and adds no measure of its own
    ("Methods: Forty women with fibromyalgia took magnesium citrate 300 mg daily for 8 weeks. Results: Tender point "
     "counts fell significantly (p = 0.01). Conclusion: Magnesium improved well-being and reduced tender points.",
     {("tender_point_count", "improved", True)}),
])
def test_outcome_directions_named_as_the_field_names_them(abstract, expected):
    assert outcomes(record(abstract)) == expected


def test_measure_names_follow_the_fields_conventions():
    # an abbreviation the record defines is read by its long form; a bare numerical scale rates pain
    result = record("Fifty patients with nerve pain were randomized to magnesium chloride 400 mg daily or placebo. "
                    "Pain was rated on the Leeds Neuropathy Score (LNS) and a numeric rating scale (NRS). After "
                    "6 weeks, LNS and NRS were not different between the groups.")
    assert {o["measure"] for o in result["outcomes"]} == {"leeds_neuropathy_score", "pain_intensity"}
    assert {o["direction"] for o in result["outcomes"]} == {"no_change"}
    # a count per hour of sleep is the index of what is counted
    result = record("Twelve patients with restless legs took magnesium oxide 300 mg at bedtime for 6 weeks. "
                    "RLM without arousal were also reduced (RLM per hour of sleep 20 vs 12, p = 0.04).")
    assert outcomes(result) == {("rlm_index", "improved", True)}


def test_plain_labels_and_abbreviations():
    from fmwatch.extract.measures import abbreviations, plain_label
    assert plain_label("complete relief") == "pain relief"
    assert plain_label("partial pain relief") == "pain relief"
    assert plain_label("Sleep quality") == "Sleep quality"
    assert abbreviations("scored on the Brief Pain Inventory (BPI) and a rating scale (RS) weekly") == {
        "BPI": "Brief Pain Inventory", "RS": "rating scale"}
    assert abbreviations("in patients with fibromyalgia (n = 30)") == {}


@pytest.mark.parametrize("abstract", [
    # an objective is not a result
    "The aim was to determine whether magnesium improves quality of life in fibromyalgia. Forty patients were "
    "randomized to magnesium citrate 300 mg daily or placebo for 8 weeks.",
    # speculation and wishes are not results
    "Thirty patients were randomized to magnesium 300 mg daily or placebo for 8 weeks. Magnesium would likely "
    "reduce pain in larger trials, and it may play a role in fatigue. Further studies should test whether sleep "
    "improves.",
    # background from other work is not a result
    "Magnesium has been reported to reduce pain after surgery. Thirty patients were randomized to magnesium 300 mg "
    "daily or placebo for 8 weeks.",
])
def test_objectives_speculation_and_background_are_never_results(abstract):
    assert record(abstract)["outcomes"] == []


def test_a_subgroup_result_keeps_its_qualifier_and_the_blinded_phase_decides():
    abstract = ("Fifty adults with fibromyalgia were randomized to oral magnesium chloride 100 mg daily or placebo "
                "in a double-blind trial for one month (28 days). Fatigue did not differ between the groups "
                "(p = 0.6). In patients with severe fatigue at baseline, magnesium reduced pain (p = 0.01). In a "
                "following open-label phase, fatigue improved significantly.")
    result = record(abstract, "Magnesium chloride in fibromyalgia")
    assert result["duration_weeks"] == 4.0  # "one month (28 days)": the days the text counted
    found = {(o["measure"], o["direction"], (o["population"] or {}).get("kind")) for o in result["outcomes"]}
    assert found == {("fatigue", "no_change", None), ("pain_intensity", "improved", "subgroup"),
                     ("fatigue", "improved", "open_label")}
    (c3,) = [c for c in result["claims"] if c["claim"] == "BAGIS-C3"]
    # the open-label phase does not decide; the subgroup counts and is named in the reason
    assert c3["relation"] == "mixed" and "subgroup: In patients with severe fatigue" in c3["reason"]
    assert "open" not in c3["reason"]


# --- reasons and quotes ------------------------------------------------------------------------------------

def test_a_reason_never_contradicts_the_stored_levels_and_quotes_are_whole_sentences():
    abstract = ("Serum magnesium was measured in 30 women with fibromyalgia and 30 healthy controls. Serum magnesium "
                "was lower in the women with fibromyalgia (p = 0.01). Serum magnesium was also related to sleep.")
    result = record(abstract, "Serum magnesium in fibromyalgia")
    (c1,) = [c for c in result["claims"] if c["claim"] == "BAGIS-C1"]
    assert c1["relation"] == "supports" and "serum lower" in c1["reason"] and "without" not in c1["reason"]
    sentences = {"Serum magnesium was lower in the women with fibromyalgia (p = 0.01)."}
    assert c1["evidence"] and {e["text"] for e in c1["evidence"]} <= sentences
    for claim in result["claims"]:
        for quote in claim["evidence"]:
            assert quote["role"] == "sentence" and len(quote["text"].split()) > 3


def test_healthy_controls_with_no_readable_direction_say_so():
    result = record("Serum magnesium was measured in 30 women with fibromyalgia and 30 healthy controls.",
                    "Serum magnesium in fibromyalgia")
    (c1,) = [c for c in result["claims"] if c["claim"] == "BAGIS-C1"]
    assert c1["relation"] == "related" and "has healthy controls" in c1["reason"]


# --- the reference study itself ------------------------------------------------------------------------------

@pytest.mark.parametrize("document", [
    {"pmid": "22271372"},
    {"pmid": None},  # recognised by its title alone
])
def test_the_reference_study_is_shown_as_the_reference_and_never_judged_against_itself(document):
    title = ("Is magnesium citrate treatment effective on pain, clinical parameters and functional status in "
             "patients with fibromyalgia?")
    abstract = ("Sixty women with fibromyalgia and twenty healthy women were included. Serum magnesium was lower in "
                "the patients. Magnesium citrate 300 mg/day for 8 weeks reduced the tender point count (p < 0.05).")
    doc = Document("file:bagis", "pubmed", title, {"title": title, "abstract": abstract}, **document)
    result = extract(doc)
    claims, flags = judge(result, RecordContext(text=f"{title}\n{abstract}"))
    assert claims == [] and result["reference_study"] == "BAGIS"
    assert [f.flag_type for f in flags] == ["reference_study"]


@pytest.mark.parametrize("abstract, expected", [
    # routes the schema files under "other", with their words kept
    ("A woman with nerve pain received epidural magnesium sulfate 100 mg.", [("magnesium sulfate", "other", "epidural")]),
    ("Twenty rats received intrathecal magnesium sulfate 50 µg or saline.",
     [("magnesium sulfate", "other", "intrathecal"), ("saline", "other", "intrathecal")]),
    # an untreated control group is an arm; a count before a choice is everyone's, not one arm's
    ("Forty patients were randomized to magnesium chloride 248 mg daily or no treatment for 6 weeks.",
     [("magnesium chloride", None, None), ("no treatment", None, None)]),
])
def test_other_routes_and_untreated_controls(abstract, expected):
    result = record(abstract)
    assert sorted((i["name"], i["route"], i.get("route_text")) for a in result["arms"] for i in a["interventions"]) == expected
    assert all(a["n"] is None for a in result["arms"]) or len(result["arms"]) == 1


def test_a_double_dummy_trial_keeps_each_drug_with_its_placebo_and_adds_no_placebo_arm():
    result = record("One hundred patients were randomized to fluoxetine 20 mg plus placebo, melatonin 5 mg plus "
                    "placebo, or fluoxetine 20 mg plus melatonin 5 mg daily for 8 weeks.")
    assert sorted(a["label"] for a in result["arms"]) == ["fluoxetine + melatonin", "fluoxetine + placebo",
                                                          "melatonin + placebo"]
    assert all(i["dose_mg"] == 20 for a in result["arms"] for i in a["interventions"] if i["name"] == "fluoxetine")


def test_a_salt_named_in_words_is_one_intervention_and_a_day_is_a_frequency():
    result = record("Women with premenstrual syndrome received magnesium pyrrolidone carboxylic acid (360 mg Mg) three "
                    "times a day or placebo for two cycles.")
    assert interventions(result)[0] == ("magnesium pyrrolidone carboxylic acid", 360.0, 1080.0, 3.0, None)
    # "a day" after "three times" is how often, not how long; the two menstrual cycles are how long
    # (a cycle taken as a month, 4.3 weeks: extract.duration.duration)
    assert result["duration_weeks"] == 8.6


def test_the_typed_record_names_every_part_of_the_schema():
    """extract.record's types against the contract: every schema property has a typed key, and
    an extracted record has every required key with no key the types do not know."""
    import json
    import typing

    from fmwatch.extract import record as types

    from .conftest import SHARED
    schema = json.loads((SHARED / "contracts" / "evidence-record.schema.json").read_text())
    hints = typing.get_type_hints(types.EvidenceRecord)
    assert set(schema["required"]) == set(types.REQUIRED) and set(schema["properties"]) <= set(hints)
    for part, typed in (("design", types.Design), ("population", types.Population)):
        assert set(schema["properties"][part]["properties"]) <= set(typing.get_type_hints(typed))
    intervention = schema["properties"]["arms"]["items"]["properties"]["interventions"]["items"]["properties"]
    assert set(intervention) <= set(typing.get_type_hints(types.Intervention))
    result = record("Forty patients were randomized to oral magnesium oxide 400 mg daily or placebo for 8 weeks. "
                    "Pain scores were lower with magnesium (p = 0.01).")
    assert set(types.REQUIRED) <= set(result) and set(result) <= set(hints)
    for arm in result["arms"]:
        for item in arm["interventions"]:
            assert set(item) <= set(typing.get_type_hints(types.Intervention))
    for outcome in result["outcomes"]:
        assert set(outcome) <= set(typing.get_type_hints(types.Outcome))


def test_text_that_is_not_ascii_reads_as_its_ascii_twin():
    # the substring tests that skip costly patterns apply to ASCII text only; other text runs them all
    ascii_text = ("Forty women with fibromyalgia were randomized to magnesium citrate 300 mg twice daily by mouth or "
                  "placebo for 8 weeks. Pain scores were lower with magnesium (p = 0.01).")
    other = ascii_text.replace("Forty women", "Forty women \u2014 all Caucasian \u2014")
    mine, theirs = record(ascii_text), record(other)
    assert interventions(mine) == interventions(theirs) == [
        ("magnesium citrate", 300.0, 600.0, 2.0, "oral"), ("placebo", None, None, None, "oral")]
    assert outcomes(mine) == outcomes(theirs) == {("pain_intensity", "improved", True)}
    assert mine["duration_weeks"] == theirs["duration_weeks"] == 8
    assert mine["population"]["sex"] == theirs["population"]["sex"] == "female"
