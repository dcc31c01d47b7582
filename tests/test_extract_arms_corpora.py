"""Arms and arm sizes in the phrasings of unseen trials (issue 12, items 3 and 4; the sixth-pass arm
kinds, session 22): doses written as a volume of a solution of stated strength, arms told apart only
by the route or the site of a block, group names said at the end of an arm's words, counts said
before a group's bracketed name, and the counts of results and lists that give an arm's size.

The kinds were counted on the PICO corpus's even PMIDs (per-arm counts and intervention spans) and
the development halves of our blind labels. Every sentence here was written by us, in the phrasings
trial abstracts use; none is copied from ../shared. Each test failed on main (6c25260) before the
rule it checks was added."""

from __future__ import annotations

import pytest

from fmwatch.extract.core import Document, extract

TITLE = "A randomised controlled trial"


def arms_of(abstract: str) -> list[dict]:
    return extract(Document("file:ours", "file", TITLE, {"title": TITLE, "abstract": abstract}))["arms"]


def own(arm: dict) -> list[dict]:
    return [i for i in arm["interventions"] if not i.get("background")]


# --- a dose written as a volume of a solution of stated strength --------------------------------------

@pytest.mark.parametrize("abstract, substance, mg", [
    # written by us: w/v per cent, 1% = 10 mg per mL
    ("We enrolled 48 adults having a hepatectomy. Patients were randomly assigned to receive a 10-mL bolus "
     "of 0.2% ropivacaine through the catheter or saline.", "ropivacaine", 20.0),
    ("Eighty women in labour took part. Women were randomized to 15 ml of 0.25% bupivacaine or placebo.",
     "bupivacaine", 37.5),
    ("Sixty women with severe pre-eclampsia were included. They were randomised to receive 8 mL of 50% "
     "magnesium sulfate intramuscularly or placebo.", "magnesium", 4000.0),
    ("Forty children were studied. They were randomised to levobupivacaine 0.5% (20 mL) or saline.",
     "levobupivacaine", 100.0),
])
def test_a_volume_of_a_solution_is_a_dose_in_mg(abstract, substance, mg):
    doses = {i["substance"]: i["dose_mg"] for a in arms_of(abstract) for i in own(a)}
    assert doses[substance] == mg


@pytest.mark.parametrize("abstract", [
    # written by us: a rate of infusion, or a strength with no volume, is no dose
    "Fifty adults took part. Patients were randomized to 0.125% bupivacaine at 5 mL/h or saline.",
    "Fifty adults took part. Patients were randomized to 5 mL/h of 0.1% ropivacaine or saline.",
    # the anaesthetic every patient had is not the arm's dose
    "Sixty adults took part. Patients were randomized to spinal anaesthesia with 2.5 mL of 0.5% bupivacaine "
    "plus bupivacaine by infusion or saline.",
])
def test_a_rate_or_a_bare_strength_gives_no_dose(abstract):
    assert all(i["dose_mg"] is None for a in arms_of(abstract) for i in own(a))


# --- arms told apart only by route or the site of a block ------------------------------------------------

def test_the_same_drug_by_two_routes_is_two_arms():
    # written by us
    found = arms_of("Ninety women with eclampsia were included. They were randomized to 4 g magnesium sulfate "
                    "given intravenously or 4 g magnesium sulfate given intramuscularly.")
    assert sorted(i["route"] for a in found for i in own(a)) == ["intramuscular", "intravenous"]


def test_the_same_block_drug_at_two_sites_is_two_arms_with_the_group_size():
    # written by us: one group per sentence, the second naming the same drug at another site
    found = arms_of("Sixty adults undergoing knee replacement were studied. They were randomly divided into 2 "
                    "groups of 30 patients. Group I (femoral group) received a continuous infusion of 0.2% "
                    "ropivacaine at 6 mL/h through a femoral nerve block catheter. Group II (epidural group) "
                    "received a continuous infusion of 0.2% ropivacaine at 6 mL/h in the epidural space.")
    assert sorted((i["route_text"], a["n"]) for a in found for i in own(a)) == [("epidural", 30),
                                                                                   ("nerve block", 30)]


def test_two_sites_in_one_sentence_are_two_arms():
    # written by us
    found = arms_of("Sixty adults were studied. Patients were randomized to receive levobupivacaine 0.25% 20 mL "
                    "by paravertebral block (group P) or levobupivacaine 0.25% 20 mL into the epidural space "
                    "(group E).")
    assert sorted(i["route_text"] for a in found for i in own(a)) == ["epidural", "paravertebral"]


# --- group names said at the end of an arm's words; counts before a bracketed group name -------------------

def test_a_group_name_after_commas_sizes_its_arm():
    # written by us: "(PVB group)" ends the arm's words, which run on past a comma
    found = arms_of("We enrolled 48 patients undergoing hepatectomy. Patients were randomly assigned to receive "
                    "either a 10-mL bolus of 0.2% ropivacaine before emergence, followed by an infusion of 6 mL/h "
                    "for 24 hours (PVB group), or saline at the same rate (control group). Data were analysed on "
                    "21 patients in group PVB and 23 patients in the control group.")
    assert sorted((a["is_control"], a["n"]) for a in found) == [(False, 21), (True, 23)]


def test_a_count_before_a_bracketed_group_name_sizes_the_arm_the_group_was_given():
    # written by us: the group is named by what it was given in a later sentence
    found = arms_of("A total of 90 patients undergoing hernia repair were randomized into two groups, 46 patients "
                    "receiving wound infiltration (study group) and 44 patients as the control group. The study "
                    "group received wound infiltration with 20 mL of levobupivacaine.")
    assert sorted((a["is_control"], a["n"]) for a in found) == [(False, 46), (True, 44)]


# --- counts in results and lists that give an arm's size ------------------------------------------------

def sizes(abstract: str) -> dict:
    return {(own(a)[0]["substance"] or own(a)[0]["name"]): a["n"] for a in arms_of(abstract)}


@pytest.mark.parametrize("abstract, expected", [
    # written by us: a result's denominator, before or after the arm's name
    ("We studied 130 adults with migraine. Patients were randomised to topiramate or placebo. A 50% response was "
     "seen in 21 of 64 patients treated with topiramate and in 9 of 61 patients treated with placebo.",
     {"topiramate": 64, "placebo": 61}),
    ("We studied 90 women with dysmenorrhoea. Women were randomly assigned to naproxen or placebo. Pain relief was "
     "reported by 70% (31/44) of women receiving naproxen and 28% (13/46) of women receiving placebo.",
     {"naproxen": 44, "placebo": 46}),
    ("We studied 120 adults after knee surgery. Patients were randomised to ketorolac or saline. Rescue analgesia "
     "was needed less often with ketorolac (12/58) than with saline (30/59).",
     {"ketorolac": 58, "saline": 59}),
])
def test_a_results_denominator_sizes_the_arm(abstract, expected):
    assert sizes(abstract) == expected


def test_the_numerator_of_those_given_an_arm_is_its_size():
    # written by us: "received A (x/K)" counts those given A out of everyone
    found = arms_of("Fifty adults with arthritis took part. Patients were assigned to prednisolone plus methotrexate "
                    "or prednisolone alone. Most patients received prednisolone plus methotrexate (44/50).")
    assert sorted(str(a["n"]) for a in found) == ["44", "6"]  # (the other six had prednisolone alone)


@pytest.mark.parametrize("abstract, expected", [
    # written by us: a bracketed list of counts and arms, either order
    ("Sixty adults with sciatica took part. Patients were randomized to pregabalin or placebo; 57 were analysed "
     "(29 pregabalin, 28 placebo).", {"pregabalin": 29, "placebo": 28}),
    ("Sixty adults with sciatica took part. Patients were randomized to pregabalin or placebo; 57 were analysed "
     "(pregabalin 29, placebo 28).", {"pregabalin": 29, "placebo": 28}),
])
def test_a_bracketed_list_of_counts_sizes_each_arm(abstract, expected):
    assert sizes(abstract) == expected


def test_a_dose_in_a_bracketed_list_is_no_count():
    # written by us: "(duloxetine 1,200 ...)" is no list of counts
    assert sizes("Sixty adults took part. Patients were randomized to receive duloxetine (60 mg, once daily) or "
                 "placebo.") == {"duloxetine": None, "placebo": None}


def test_a_subgroups_count_is_not_the_arms():
    # written by us: the counts are of premenopausal women only
    assert sizes("We randomised 300 women to letrozole or placebo. Among them, 120 were premenopausal. Pain "
                 "scores for premenopausal women in the letrozole (n = 62) versus placebo arm (n = 58) did not "
                 "differ.") == {"letrozole": None, "placebo": None}


def test_two_fractions_compared_in_one_bracket_size_no_arm():
    # written by us: the first fraction is the other arm's
    assert sizes("We studied 43 adults with neuropathy. Patients were randomized to capsaicin or placebo. More "
                 "patients responded in the capsaicin group than in the placebo group (15/22 vs. 7/21).") == {
        "capsaicin": None, "placebo": None}


def test_an_event_count_in_a_group_is_no_size():
    # written by us: three patients of group B had an event; nobody was counted into group B here
    assert sizes("Sixty women were included. Women were randomly assigned to receive goserelin (group A) or no "
                 "treatment (group B). Three patients in group B were converted to open surgery.") == {
        "goserelin": None, "no treatment": None}


def test_a_count_in_a_numbered_group_named_in_brackets_sizes_that_arm():
    # written by us: "Forty patients in group 3 (control group)"
    assert sizes("We studied 120 adults having heart surgery. Forty patients were given magnesium sulfate 2 g "
                 "intravenously (group 1). Another group of 40 patients was given amiodarone 300 mg (group 2). "
                 "Forty patients in group 3 (control group) received saline as placebo.") == {
        "magnesium": 40, "amiodarone": 40, "placebo": 40}


# --- several doses of one drug, one arm each -------------------------------------------------------------

def per_kg(abstract: str) -> list:
    return sorted(i.get("dose_mg_per_kg") for a in arms_of(abstract) for i in own(a) if not a["is_control"])


@pytest.mark.parametrize("abstract, expected", [
    # written by us: doses per kg in micrograms, "vs" between doses, a group's name after each dose
    ("Ninety adults were enrolled. They were randomly assigned to dexmedetomidine 0.5 µg/kg or 1 µg/kg, or saline.",
     [0.0005, 0.001]),
    ("Ninety children were enrolled. Children were randomized to receive 0.5 vs 1 mg/kg ketamine.", [0.5, 1.0]),
    ("Ninety adults were enrolled. Patients were randomised to magnesium sulfate 30 mg/kg (group M30), 50 mg/kg "
     "(group M50) or saline (group S).", [30.0, 50.0]),
])
def test_several_doses_of_one_drug_are_one_arm_each(abstract, expected):
    assert per_kg(abstract) == expected


def test_doses_compared_in_a_result_are_no_arms():
    # written by us: the amounts used, compared between groups, are a result
    found = arms_of("Eighty adults having colonoscopy were randomized to monitored sedation or usual care. The dose "
                    "of propofol used did not differ between groups (150.2 vs. 148.9 mg, respectively).")
    assert not any("mg" in a["label"] for a in found)


def test_a_denominator_before_the_arms_recipients_sizes_it():
    # written by us
    assert sizes("We studied 300 adults after hip replacement. Patients were randomized to rivaroxaban or "
                 "enoxaparin. Thrombosis occurred in 12 of 148 rivaroxaban recipients and 25 of 152 enoxaparin "
                 "recipients.") == {"rivaroxaban": 148, "enoxaparin": 152}


def test_an_arm_is_found_by_the_word_the_text_uses_for_it():
    # written by us: the sizes name the arm by the abbreviation the text used for the drug, never defined
    assert sizes("Sixty women having a caesarean section took part. Women were randomized to MgSO4 50 mg/kg or "
                 "saline. Fifty-eight were analysed (MgSO4, n = 30; saline, n = 28).") == {"magnesium": 30,
                                                                                          "saline": 28}


# --- more ways of saying an arm's size; an active placebo ---------------------------------------------

def test_a_bare_count_in_brackets_after_each_arm_sizes_it():
    # written by us
    assert sizes("Eighty adults took part. Patients were randomly assigned to receive cholecalciferol (41) or "
                 "placebo (39).") == {"vitamin d": 41, "placebo": 39}


def test_groups_with_k_patients_each():
    # written by us
    assert sizes("Sixty patients took part. They were randomized into three groups with 20 patients each: group 1 "
                 "received ketorolac 30 mg, group 2 received paracetamol 1 g and group 3 received saline.") == {
        "ketorolac": 20, "paracetamol": 20, "saline": 20}


def test_an_active_placebo_is_the_drug_named_not_a_placebo_arm():
    # written by us
    found = arms_of("Forty women took part. Women were randomized to 1200 mg of gabapentin or 15 mg of oxazepam "
                    "(active placebo).")
    assert sorted(i["name"] for a in found for i in own(a)) == ["gabapentin", "oxazepam"]


@pytest.mark.parametrize("abstract, route", [
    # written by us: "IV" as the numeral four is no route; as a route it still is one
    ("Eighty adults with stage IV colon cancer were enrolled. Patients were randomized to receive zinc (40) or "
     "placebo (40) capsules.", "oral"),
    ("Sixty adults were enrolled. Patients were randomized to vitamin C or placebo; DPP IV levels were measured.",
     None),
    ("Sixty adults were enrolled. Patients were randomized to magnesium sulfate 2 g IV or saline.", "intravenous"),
])
def test_the_numeral_iv_is_no_route(abstract, route):
    assert {i["route"] for a in arms_of(abstract) for i in own(a) if not a["is_control"]} == {route}


def test_one_groups_size_is_not_every_arms():
    # written by us: "a ... group of 151" is that group's size only
    assert sizes("Three hundred adults with back pain took part. They were randomly divided into an acupuncture "
                 "group of 151 cases and a physiotherapy group of 149 cases.") == {"acupuncture": 151,
                                                                                   "physiotherapy": 149}


def test_one_as_a_pronoun_is_no_group_of_one():
    # written by us
    assert sizes("Forty adults took part. They were randomly divided into two groups of 20: one received "
                 "ibuprofen, the other placebo.") == {"ibuprofen": 20, "placebo": 20}


def test_an_active_placebo_named_as_such_is_a_placebo_arm():
    # written by us: no drug stands before it, so the active placebo is the control arm
    found = arms_of("Twenty adults took part. Participants received nicotine nasal spray and an active placebo spray "
                    "of capsaicin in random order.")
    assert any(a["is_control"] for a in found)
