"""Arms as trial abstracts group them (issue 12, items 3 and 4; the fourth-pass arm kinds): several
doses of one substance as separate groups, vehicles, untreated controls, combinations, arms said one
group per sentence.

Every sentence here was written by us, in the field's phrasings; none is copied from ../shared.
Each test failed on the extractor of main (72254b8) before the rule it checks was added."""

from __future__ import annotations

import pytest

from fmwatch.extract.core import Document, extract


def record(abstract: str, title: str = "A trial") -> dict:
    return extract(Document("file:ours", "file", title, {"title": title, "abstract": abstract}))


def arms_of(abstract: str) -> list[tuple]:
    """Each arm as (is_control, sorted tested substances with their doses), sorted."""
    found = []
    for arm in record(abstract)["arms"]:
        tested = sorted((i["substance"] or i["name"], i["dose_mg"], i.get("dose_mg_per_kg"))
                        for i in arm["interventions"] if not i.get("background"))
        found.append((arm["is_control"], tuple(tested)))
    return sorted(found, key=str)


def sizes(abstract: str) -> list:
    return sorted(str(a["n"]) for a in record(abstract)["arms"])


# --- several doses of one substance, one group each ------------------------------------------------

@pytest.mark.parametrize("abstract, doses, per_kg", [
    # written by us: numbers that share the last one's unit
    ("Ninety women were randomised to magnesium citrate 250, 500 or 1000 mg daily or placebo for 8 weeks.",
     [250.0, 500.0, 1000.0], False),
    ("We randomly assigned 75 adults to receive 100, 200, or 400 mg of oral magnesium oxide, or placebo.",
     [100.0, 200.0, 400.0], False),
    # written by us: doses with their groups' names in brackets
    ("One hundred and twenty patients were divided into four groups (n = 30) and received magnesium sulfate "
     "(group A: 20 mg/kg, group B: 35 mg/kg, group C: 50 mg/kg) or an equal volume of saline (group D).",
     [20.0, 35.0, 50.0], True),
    # written by us: two full doses offered as alternatives
    ("Sixty patients were randomly allocated to receive 2 g or 4 g of magnesium sulfate, or saline.",
     [2000.0, 4000.0], False),
])
def test_several_doses_of_one_substance_are_one_arm_each(abstract, doses, per_kg):
    found = arms_of(abstract)
    tested = [a for a in found if not a[0]]
    key = 2 if per_kg else 1
    assert sorted(a[1][0][key] for a in tested) == doses
    assert all(a[1][0][0] == "magnesium" for a in tested)
    assert sum(a[0] for a in found) == 1  # and the control stays one arm


@pytest.mark.parametrize("abstract, n", [
    # written by us: a size said of every group, after the groups or in a list
    ("One hundred and twenty patients were divided into four groups (n = 30 each) and received magnesium "
     "sulfate (group A: 20 mg/kg, group B: 35 mg/kg, group C: 50 mg/kg) or saline (group D).", "30"),
    ("Forty-eight patients were randomised to magnesium 200, 400 or 800 mg daily or placebo, twelve patients "
     "for each group.", "12"),
    ("One hundred patients were randomised to magnesium 200, 400 or 800 mg daily or placebo, 25 in each.",
     "25"),
])
def test_each_dose_group_takes_the_size_said_of_every_group(abstract, n):
    assert sizes(abstract) == [n] * 4


@pytest.mark.parametrize("abstract", [
    # written by us: one arm whose dose moves, a loading dose and its infusion, a dose then another
    "Patients were randomised to flexibly dosed magnesium (target dose 200, 300 or 400 mg/day) or placebo.",
    "Patients were randomised to magnesium sulfate 30 mg/kg followed by 10 mg/kg/h, or saline.",
    "Patients were randomised to magnesium 200 mg daily, titrated to 400 mg daily after two weeks, or placebo.",
])
def test_doses_one_arm_moves_between_stay_one_arm(abstract):
    found = arms_of(abstract)
    assert len([a for a in found if not a[0]]) == 1


# --- the saline a dose is diluted in is no arm ------------------------------------------------------

@pytest.mark.parametrize("abstract, arms", [
    # written by us: the vehicle named after the dose, with its volume before or after it
    ("Patients were randomised to magnesium sulfate 30 mg/kg in 100 ml of isotonic saline or to no treatment.",
     [(False, (("magnesium", None, 30.0),)), (True, (("no treatment", None, None),))]),
    ("Children received magnesium 50 mg in normal saline 1 mL or dexamethasone 0.1 mg/kg in normal saline 1 mL.",
     [(False, (("dexamethasone", None, 0.1),)), (False, (("magnesium", 50.0, None),))]),
    ("Mitomycin 40 mg dissolved in saline was given weekly to 30 patients.",
     [(False, (("mitomycin", 40.0, None),))]),
])
def test_saline_a_dose_is_diluted_in_is_no_arm(abstract, arms):
    assert arms_of(abstract) == arms


def test_saline_given_on_its_own_stays_the_control_arm():
    # written by us
    found = arms_of("Patients were randomised to magnesium sulfate 30 mg/kg in 100 ml saline or the same volume "
                    "of saline alone.")
    assert (True, (("saline", None, None),)) in found and len(found) == 2


# --- "A combined with either B or C": A in every arm -------------------------------------------------

@pytest.mark.parametrize("abstract, tested", [
    # written by us
    ("Each child received caudal bupivacaine 0.25% 1 mL/kg combined with either magnesium 50 mg (group BM), "
     "clonidine 2 mcg/kg (group BC) or saline (group B).", ["clonidine", "magnesium", "saline"]),
    ("All women took pregabalin 150 mg daily plus either magnesium citrate 300 mg or a matching placebo.",
     ["magnesium", "placebo"]),
])
def test_what_is_combined_with_either_arm_is_background_in_each(abstract, tested):
    arms = record(abstract)["arms"]
    assert sorted(i["substance"] or i["name"] for a in arms for i in a["interventions"] if not i.get("background")) == tested
    background = [{i["name"] for i in a["interventions"] if i.get("background")} for a in arms]
    assert len({frozenset(b) for b in background}) == 1 and len(background[0]) == 1


# --- arms said one group per sentence ---------------------------------------------------------------

@pytest.mark.parametrize("abstract, tested", [
    # written by us: each group's treatment in a sentence of its own
    ("One hundred and twenty patients undergoing cardiac surgery were studied. Forty patients were given "
     "magnesium sulfate 2 g intravenously after induction (group 1). Another group of 40 patients was given "
     "amiodarone 900 mg (group 2). The remaining 40 patients received saline as placebo (group 3).",
     ["amiodarone", "magnesium", "placebo"]),
    ("Patients were randomly assigned to one of two groups. Group 1 received ketorolac 30 mg after induction. "
     "Group 2 received magnesium sulfate 50 mg/kg after induction.", ["ketorolac", "magnesium"]),
    ("Sixty children were randomized into two groups. In group A, lidocaine 1.5 mg/kg was given before "
     "intubation. In group B, magnesium 30 mg/kg was given before intubation.", ["lidocaine", "magnesium"]),
])
def test_arms_said_one_group_per_sentence_are_all_read(abstract, tested):
    arms = record(abstract)["arms"]
    assert sorted(i["substance"] or i["name"] for a in arms for i in a["interventions"]
                  if not i.get("background")) == tested


def test_a_result_said_of_a_group_adds_no_arm():
    # written by us: "in group I," opens no sentence here; rescue tramadol is an outcome, not an arm
    abstract = ("Patients were randomly allocated to magnesium sulfate 30 mg/kg or saline. The mean tramadol "
                "consumption was 120 ± 25 mg in group I, and 160 ± 30 mg in group II (p = 0.01).")
    names = sorted(i["name"] for a in record(abstract)["arms"] for i in a["interventions"])
    assert names == ["magnesium sulfate", "saline"]


def test_a_groups_number_is_no_head_count():
    # written by us: "Group 2 received" names the group; it does not count two patients
    abstract = ("Patients were randomly assigned to ketorolac or magnesium sulfate. Group 1 received ketorolac 30 mg "
                "after induction, and group 2 received magnesium sulfate 50 mg/kg after induction.")
    assert [a["n"] for a in record(abstract)["arms"]] == [None, None]


# --- an untreated control said in the field's words --------------------------------------------------

@pytest.mark.parametrize("abstract", [
    # written by us
    "Two hundred patients were randomized to receive oral magnesium 400 mg daily or no antiarrhythmic prophylaxis.",
    "Women were randomised to adjuvant magnesium versus no systemic treatment.",
    "Patients were randomized into two groups. Group A received magnesium sulfate 2 g after surgery; group B was "
    "treated as control.",
    "Patients were randomized to magnesium sulfate infusion or standard management without magnesium.",
])
def test_an_untreated_control_said_in_the_fields_words_is_an_arm(abstract):
    assert (True, (("no treatment", None, None),)) in arms_of(abstract)


@pytest.mark.parametrize("abstract", [
    # written by us: an eligibility criterion, a subgroup, a safety statement
    "Patients with no prior therapy were randomized to magnesium 400 mg daily. No adverse drug reactions occurred.",
    "Eighty patients received magnesium 400 mg daily. Benefit was restricted to patients with no adjuvant treatment.",
])
def test_no_prior_therapy_or_no_adverse_drug_reaction_is_no_control_arm(abstract):
    assert all(not control for control, _ in arms_of(abstract))


# --- combination arms --------------------------------------------------------------------------------

@pytest.mark.parametrize("abstract, arms", [
    # written by us: a combination said as one
    ("A combination of zinc and magnesium was compared with placebo in 60 adults.",
     [["magnesium", "zinc"], ["placebo"]]),
    ("Patients were randomized to a mixture of lidocaine and prilocaine or to placebo cream.",
     [["lidocaine", "prilocaine"], ["placebo"]]),
    # written by us: the combination named without its substances
    ("Patients were randomized to receive amiodarone alone, magnesium alone, both agents at the same doses, or no "
     "antiarrhythmic prophylaxis.", [["amiodarone"], ["amiodarone", "magnesium"], ["magnesium"], ["no treatment"]]),
    ("Volunteers were randomly assigned to ketamine 0.5 mg/kg, magnesium sulfate 50 mg/kg, the two drugs combined, "
     "or placebo.", [["ketamine"], ["ketamine", "magnesium"], ["magnesium"], ["placebo"]]),
])
def test_combination_arms(abstract, arms):
    found = sorted(sorted(i["substance"] or i["name"] for i in a["interventions"] if not i.get("background"))
                   for a in record(abstract)["arms"])
    assert found == arms


def test_both_agents_said_of_a_result_adds_no_arm():
    # written by us: "both agents" reports, it does not offer an arm
    abstract = ("Patients were randomized to amiodarone 600 mg or magnesium 2 g. Both agents were well tolerated.")
    assert len(record(abstract)["arms"]) == 2


# --- the sentence splitter: "i.e." and "e.g." end no sentence -----------------------------------------

@pytest.mark.parametrize("text, count", [
    # written by us
    ("Women took magnesium twice daily (i.e. 400 mg/day) for 8 weeks. Pain fell.", 2),
    ("The dose was high, i.e. 400 mg. Pain fell.", 2),
    ("Trace elements (e.g. Zinc) were not given. Pain fell.", 2),
    ("Patients took 300 mg daily (approx. 12 mmol of magnesium). Pain fell.", 2),
    ("Magnesium lowers pain (Smith et al. 2010). Pain fell.", 2),
    ("Pain fell in 20 patients. Fatigue fell in 18.", 2),
])
def test_abbreviations_end_no_sentence(text, count):
    from fmwatch.extract.text import sentences
    assert len(sentences(Document("file:ours", "file", "", {"abstract": text}))) == count


def test_a_dose_said_after_i_e_is_the_arms_daily_dose():
    # written by us
    abstract = "Women were randomised to magnesium twice daily (i.e. 400 mg/day) or placebo for 8 weeks."
    arm = next(a for a in record(abstract)["arms"] if not a["is_control"])
    assert arm["interventions"][0]["daily_dose_mg"] == 400.0


# --- what every arm had: said in the passive, or the anaesthetic -------------------------------------

def test_what_every_group_was_given_in_the_passive_is_background():
    # written by us
    abstract = ("Forty patients undergoing thoracotomy were randomly allocated to two groups. Twenty minutes before the "
                "end of surgery in both groups, ropivacaine 0.2% 8 ml together with fentanyl 50 mcg was administered "
                "through the epidural catheter. Thereafter, in group M, magnesium sulfate 30 mg/kg was infused over "
                "15 minutes. Group C was treated as control.")
    found = arms_of(abstract)
    assert found == [(False, (("magnesium", None, 30.0),)), (True, (("no treatment", None, None),))]


@pytest.mark.parametrize("abstract, tested, background", [
    # written by us: the anaesthetic every patient had
    ("After a standardised sevoflurane in oxygen anaesthesia, children were randomised to caudal magnesium 50 mg "
     "or saline.", ["magnesium", "saline"], "sevoflurane"),
    ("Under general anesthesia with propofol, patients were randomized to ketamine 0.5 mg/kg or saline.",
     ["ketamine", "saline"], "propofol"),
    ("Patients were randomized to magnesium sulfate 50 mg/kg or saline; anesthesia was maintained with "
     "sevoflurane.", ["magnesium", "saline"], None),
])
def test_the_anaesthetic_every_patient_had_is_no_arm(abstract, tested, background):
    arms = record(abstract)["arms"]
    assert sorted(i["substance"] or i["name"] for a in arms for i in a["interventions"] if not i.get("background")) == tested
    assert all(background is None or any(i["name"] == background for i in a["interventions"] if i.get("background"))
               for a in arms)


def test_anaesthetics_compared_stay_the_arms():
    # written by us
    for abstract in ("Patients were randomized to propofol or sevoflurane anesthesia.",
                     "Anesthesia was induced with either propofol 2 mg/kg or sevoflurane 8% in oxygen."):
        assert [a[1][0][0] for a in arms_of(abstract)] == ["propofol", "sevoflurane"]


# --- a group's name defined beside its arm sizes the arm ------------------------------------------------

@pytest.mark.parametrize("abstract, expected", [
    # written by us: the groups named in brackets, their sizes said of the names later
    ("Two hundred patients were randomized to receive amiodarone alone (200 mg twice daily for 5 days) (group A), "
     "magnesium alone (2 g daily) (group M), both agents at the same doses (group A+M), or no antiarrhythmic "
     "prophylaxis (group C). Atrial fibrillation occurred in 12.0% (6/50) in the A group, 14.0% (7/50) in the M "
     "group, 2.0% (1/49) in the A+M group, and 38% (19/51) in the C group.",
     {"amiodarone": 50, "magnesium": 50, "amiodarone + magnesium": 49, "no treatment": 51}),
    ("Patients were randomized to ketamine 0.5 mg/kg (K group) or magnesium sulfate 30 mg/kg (M group). "
     "Thirty-two patients in the K group and 30 in the M group completed the study.",
     {"ketamine": 32, "magnesium sulfate": 30}),
])
def test_a_groups_name_defined_beside_its_arm_carries_its_size(abstract, expected):
    assert {a["label"]: a["n"] for a in record(abstract)["arms"]} == expected


@pytest.mark.parametrize("abstract, expected", [
    # written by us: groups named by what they were given, sized by "a group of N cases"
    ("Eighty-six children with asthma were randomly divided into an observation group of 44 cases and a control "
     "group of 42 cases. The children in the control group were treated with budesonide inhalation, while the "
     "children in the observation group were treated with salbutamol combined with magnesium sulfate.",
     {"budesonide": 42, "salbutamol + magnesium sulfate": 44}),
    ("Sixty women were divided into a study group with 31 patients and a reference group with 29 patients. The "
     "study group received magnesium citrate 300 mg daily and the reference group received calcium 500 mg daily.",
     {"magnesium citrate": 31, "calcium": 29}),
])
def test_a_group_named_by_what_it_was_given_carries_its_size(abstract, expected):
    assert {a["label"]: a["n"] for a in record(abstract)["arms"]} == expected


@pytest.mark.parametrize("abstract, name", [
    # written by us: the tested arm named by a word no lexicon holds, offered against placebo or sham
    ("Fifty women with fibromyalgia were randomly assigned to a daily soy or placebo shake for 6 weeks.", "soy"),
    ("Sixty patients were randomized to receive ashwagandha extract or matching placebo twice daily.", "ashwagandha"),
])
def test_the_tested_arm_offered_against_placebo_under_an_unknown_name(abstract, name):
    found = arms_of(abstract)
    assert len(found) == 2 and (False, ((name, None, None),)) in found


def test_an_experimental_arm_is_no_name():
    # written by us
    assert [a for a in arms_of("Patients were randomized to the experimental or placebo arm.") if not a[0]] == []


def test_a_count_of_people_after_the_arms_name_in_a_bracket_sizes_it():
    # written by us: per-arm sizes listed in a bracket
    abstract = ("Patients were randomized to magnesium 300 mg daily or placebo. We enrolled 58 women (magnesium 30 "
                "patients, placebo 28 patients).")
    assert {a["label"]: a["n"] for a in record(abstract)["arms"]} == {"magnesium": 30, "placebo": 28}
