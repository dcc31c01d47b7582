"""Arms of pain and analgesia trials (issue 12, items 3 and 4; the fifth-pass arm kinds): treatments
that are no drug, abbreviations a text defines, drug classes and regimens, untreated controls in
more of the field's words, the sites of nerve blocks, lists of arms and the sizes said of them.

Every sentence here was written by us, in the phrasings pain trials use; none is copied from
../shared. Each test failed on the extractor of main (e394486) before the rule it checks was added."""

from __future__ import annotations

import pytest

from fmwatch.extract.core import Document, extract


def record(abstract: str, title: str = "A trial") -> dict:
    return extract(Document("file:ours", "file", title, {"title": title, "abstract": abstract}))


def arms_of(abstract: str) -> list[tuple]:
    """Each arm as (is_control, sorted tested substances), sorted."""
    found = []
    for arm in record(abstract)["arms"]:
        tested = sorted(i["substance"] or i["name"] for i in arm["interventions"] if not i.get("background"))
        found.append((arm["is_control"], tuple(tested)))
    return sorted(found, key=str)


def sizes(abstract: str) -> list:
    return sorted(str(a["n"]) for a in record(abstract)["arms"])


def routes(abstract: str) -> dict:
    return {i["substance"] or i["name"]: i["route"] for a in record(abstract)["arms"] for i in a["interventions"]}


# --- treatments that are no drug ----------------------------------------------------------------------

@pytest.mark.parametrize("abstract, expected", [
    # written by us: physical therapies, behaviours and procedures offered as the arms
    ("Sixty adults with chronic neck pain were randomly assigned to therapeutic massage or transcutaneous "
     "electrical nerve stimulation.",
     [(False, ("massage",)), (False, ("transcutaneous electrical nerve stimulation",))]),
    ("Infants were randomly allocated to three groups: group 1, skin-to-skin contact; group 2, breastfeeding; "
     "and group 3, control.",
     [(False, ("breastfeeding",)), (False, ("skin-to-skin contact",)), (True, ("no treatment",))]),
    ("Eighty patients with low back pain were randomised to a supervised exercise programme or yoga.",
     [(False, ("exercise",)), (False, ("yoga",))]),
    ("Women with dysmenorrhoea were randomized to acupuncture or naproxen for three cycles.",
     [(False, ("acupuncture",)), (False, ("naproxen",))]),
])
def test_non_drug_treatments_are_arms(abstract, expected):
    assert arms_of(abstract) == expected


def test_a_non_drug_arm_has_no_dose_or_route():
    # written by us: the oral route of the drug arm is not the exercise arm's
    found = record("Patients were randomized to oral ibuprofen 400 mg three times daily or a home exercise "
                   "programme for six weeks.")["arms"]
    exercise = next(i for a in found for i in a["interventions"] if i["name"] == "exercise")
    assert exercise["route"] is None and exercise["dose_mg"] is None and exercise["frequency_per_day"] is None


def test_an_outcome_named_after_exercise_is_no_arm():
    # written by us: "exercise capacity" is measured, not given
    assert arms_of("Patients were randomized to pregabalin or placebo, and exercise capacity was measured.") == [
        (False, ("pregabalin",)), (True, ("placebo",))]


# --- abbreviations a text defines ----------------------------------------------------------------------

@pytest.mark.parametrize("abstract, expected", [
    # written by us: the arms sentence uses only the abbreviations defined before it
    ("We compared deep tissue massage (DTM) with electroacupuncture (EA) in chronic neck pain. Ninety patients "
     "were randomized to DTM or EA.",
     [(False, ("electroacupuncture",)), (False, ("massage",))]),
    ("Tocilizumab (TCZ) blocks interleukin-6. In this trial, patients were randomised to TCZ or methotrexate.",
     [(False, ("methotrexate",)), (False, ("tocilizumab",))]),
    ("Methotrexate (MTX) is the anchor drug in rheumatoid arthritis. In this trial, patients were randomized to "
     "tocilizumab plus MTX or tocilizumab alone.",
     [(False, ("methotrexate", "tocilizumab")), (False, ("tocilizumab",))]),
])
def test_defined_abbreviations_name_arms(abstract, expected):
    assert arms_of(abstract) == expected


def test_an_abbreviation_keeps_its_substance():
    # written by us: "MST" is magnesium sulfate, so its substance is magnesium
    found = record("Patients were randomly divided into a magnesium sulfate treatment (MST) group and a control "
                   "group. The MST group received magnesium sulfate intravenously.")["arms"]
    assert {i["substance"] for a in found for i in a["interventions"] if not a["is_control"]} == {"magnesium"}


# --- drug classes, fusion proteins and regimens ------------------------------------------------------------

@pytest.mark.parametrize("abstract, expected", [
    # written by us
    ("Patients with sciatica were randomised to NSAIDs or physiotherapy for four weeks.",
     [(False, ("nsaid",)), (False, ("physiotherapy",))]),
    ("Patients whose first biologic had failed were randomised to etanercept, abatacept or another TNF inhibitor.",
     [(False, ("abatacept",)), (False, ("etanercept",)), (False, ("tnfi",))]),
    ("Women with early breast cancer were randomly assigned to FEC or docetaxel.",
     [(False, ("docetaxel",)), (False, ("fec",))]),
])
def test_classes_and_regimens_are_arms(abstract, expected):
    assert arms_of(abstract) == expected


def test_a_vehicle_is_the_placebo_and_what_was_withheld_is_no_arm():
    # written by us: "vehicle gel" is the inert comparator; "without massage" is how the gel was applied
    assert arms_of("Patients were randomised to apply either a ketoprofen gel or a vehicle gel three times "
                   "daily, without massage.") == [
        (False, ("ketoprofen",)), (True, ("placebo",))]


# --- untreated controls --------------------------------------------------------------------------------

def test_a_control_group_given_none_of_the_treatments_is_an_arm():
    # written by us
    found = arms_of("Thirty nurses with tension headache were allocated to biofeedback or relaxation training. "
                    "A further group received none of these treatments.")
    assert found == [(False, ("biofeedback",)), (False, ("relaxation",)), (True, ("no treatment",))]


def test_a_counted_control_group_in_the_allocation_sentence():
    # written by us: the control group is counted "as the control group", in a sentence naming no drug
    abstract = ("Ninety patients were randomized into two groups, 46 patients receiving wound infiltration (study "
                "group) and 44 patients as the control group. The study group received wound infiltration with "
                "20 mL of levobupivacaine.")
    assert arms_of(abstract) == [(False, ("levobupivacaine",)), (True, ("no treatment",))]
    assert "44" in sizes(abstract)


# --- where a block's drug goes --------------------------------------------------------------------------

@pytest.mark.parametrize("abstract, substance", [
    # written by us: a block's site, not a vein, even when the drug runs as an infusion
    ("Patients were randomized to a paravertebral block with ropivacaine or to saline through the same catheter.",
     "ropivacaine"),
    ("Patients were randomized to receive a continuous infusion of bupivacaine 0.125% at 6 mL/h through a "
     "perineural catheter or intravenous morphine.", "bupivacaine"),
    ("After surgery, patients were randomly assigned to peritubal infiltration with levobupivacaine or no "
     "infiltration.", "levobupivacaine"),
])
def test_a_block_drug_goes_by_the_block_route(abstract, substance):
    assert routes(abstract)[substance] == "other"


def test_a_tumour_infiltrating_a_plexus_is_no_route():
    # written by us: "infiltration" of a nerve plexus by a tumour says nothing of how the drug was given
    abstract = ("Twelve patients with pain from malignant infiltration of the brachial plexus were randomized to "
                "intravenous ketamine or placebo.")
    assert routes(abstract)["ketamine"] == "intravenous"


# --- lists of arms ----------------------------------------------------------------------------------------

def test_the_combined_arm_of_a_list_is_an_arm_of_its_own():
    # written by us: "... A, B and combined (A plus B)"
    abstract = ("Two hundred patients were randomized into four groups: placebo, ibuprofen, TENS and combined "
                "(ibuprofen plus TENS).")
    tens = "transcutaneous electrical nerve stimulation"
    assert arms_of(abstract) == sorted([(False, ("ibuprofen",)), (False, ("ibuprofen", tens)), (False, (tens,)),
                                        (True, ("placebo",))], key=str)


def test_one_size_for_each_group_in_brackets():
    # written by us
    abstract = ("The infants were randomly allocated to the following groups (n = 30 for each): breastfeeding, massage "
                "or control.")
    assert sizes(abstract) == ["30", "30", "30"]


def test_a_result_sentence_with_figures_is_not_the_arms_sentence():
    # written by us: the result names a dose of the background opioid; the allocation sentence names the arms
    abstract = ("In this double-blind trial, sixty patients were randomly assigned to receive a paravertebral bolus of ropivacaine or saline through the "
                "catheter. All patients received patient-controlled analgesia with morphine. Morphine consumption "
                "in the ropivacaine group (21.4 ± 6.2 mg) was lower than in the saline group (30.2 ± 8.1 mg) "
                "(P < 0.001).")
    assert arms_of(abstract) == [(False, ("ropivacaine",)), (True, ("saline",))]
