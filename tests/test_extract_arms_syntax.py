"""Arms found from a trial's syntax where no lexicon names them (issue 12, session 23: ``arm_syntax``).

Every sentence here was written by us for invented trials; none is copied from ../shared. Each test
of an arm found fails on the extractor of commit 45f55ed (arms from the substance lexicon and the
interventions vocabulary only); the tests of what is no arm guard the new rules' precision (they
pass there, where no such arm was read at all)."""

from __future__ import annotations

import pytest

from fmwatch.extract.core import Document, extract


def record(abstract: str, title: str = "A trial") -> dict:
    return extract(Document("file:ours", "file", title, {"title": title, "abstract": abstract}))


def arms(abstract: str, title: str = "A trial") -> dict[str, tuple[int | None, bool]]:
    """Each arm's label -> (its size, whether it is a control)."""
    return {a["label"]: (a["n"], a["is_control"]) for a in record(abstract, title)["arms"]}


# --- allocation: "randomised to A or B" -------------------------------------------------------------

@pytest.mark.parametrize("abstract, expected", [
    # an invented programme against treatment as usual, sizes in brackets
    ("Ninety mothers with postnatal low mood were randomised to BrightSteps (n = 46) or treatment-as-usual "
     "(TAU; n = 44). Mood improved more with BrightSteps.",
     {"brightsteps": (46, False), "usual care": (44, True)}),
    # an infusion no lexicon holds, against no infusion
    ("In total 400 patients with heart failure were randomized to KRX infusion or no infusion for 24 hours.",
     {"krx infusion": (None, False), "no treatment": (None, True)}),
    # three named programmes and a waiting list, "either"
    ("Teachers were randomly assigned to either peer coaching, video feedback or a waiting list.",
     {"peer coaching": (None, False), "video feedback": (None, False), "no treatment": (None, True)}),
    # "into two groups:" then the arms joined by "and"
    ("Forty older adults were randomly divided into two groups: balance training and sedentary controls.",
     {"balance training": (None, False), "no treatment": (None, True)}),
    # each arm said as a group with its size
    ("Two hundred cases were randomly divided into a cupping group of 101 cases and a heat-pack group of 99 cases.",
     {"cupping": (101, False), "heat-pack": (99, False)}),
    # the comparator hyphenated ("usual-care") is the labels' "usual care" and a control (fails before the merge fix)
    ("Eighty adults with chronic fatigue were randomised to a pacing course (n = 40) or to usual-care (n = 40) for "
     "12 weeks.",
     {"pacing course": (40, False), "usual care": (40, True)}),
])
def test_allocation_names_the_arms(abstract, expected):
    assert arms(abstract) == expected


def test_shared_head_noun():
    # "arthroscopic or open repair": the adjective arm takes the last arm's noun
    assert arms("Sixty patients were randomized to arthroscopic or open repair.") == {
        "arthroscopic repair": (None, False), "open repair": (None, False)}


def test_allocation_keeps_the_lexicon_arm_and_adds_the_other():
    # the lexicon knows physiotherapy but not the invented "splint-walk" therapy: both arms, the sizes read
    found = arms("Eighty workers were randomly allocated into a splint-walk group of 41 and a physiotherapy group of 39.")
    assert found == {"splint-walk": (41, False), "physiotherapy": (39, False)}


# --- titles and comparisons ------------------------------------------------------------------------

def test_title_versus_in_a_trial():
    found = arms("We enrolled 50 adults in a randomised trial. Recovery was faster with the first.",
                 title="Mirror therapy versus motor imagery for hand recovery after stroke")
    assert found == {"mirror therapy": (None, False), "motor imagery": (None, False)}


def test_title_versus_needs_a_trial():
    # a title comparing two things in a record that allocates nobody and names no trial: no arms
    assert arms("We describe the history of both methods.", title="Mirror therapy versus motor imagery: a history") == {}


def test_received_either():
    found = arms("Patients were randomly selected and received either tele-rehab or clinic visits over 8 weeks.")
    assert found == {"tele-rehab": (None, False), "clinic visits": (None, False)}


# --- what is no arm --------------------------------------------------------------------------------

@pytest.mark.parametrize("abstract", [
    # a wish, not the study's statement
    "Future patients should be randomized to peer coaching or video feedback.",
    # a list of people and strata, not of arms
    "Patients were randomized according to tumour stage or age group.",
    # a list holding no name ("one of two groups" then a clause)
    "Patients were randomly assigned to one of two groups, and outcomes were compared.",
    # the result compares outcomes between groups, it allocates nothing
    "We compared pain scores with baseline values (p < 0.05).",
    # groups by what the people are, not by what they were given
    "Women were assigned to the fast-responder or the slow-responder group according to their urine test.",
])
def test_no_syntax_arm(abstract):
    assert arms(abstract) == {}


def test_evidence_spans_are_the_text():
    text = "Ninety mothers were randomised to BrightSteps (n = 46) or treatment-as-usual (TAU; n = 44)."
    rec = record(text)
    for arm in rec["arms"]:
        for item in arm["interventions"]:
            for e in item["evidence"]:
                assert text[e["start"]:e["end"]] == e["text"]
    names = [e["text"] for a in rec["arms"] for i in a["interventions"] for e in i["evidence"][:1]]
    assert names == ["BrightSteps", "treatment-as-usual"]


# --- a list after a count of groups, and one group a sentence ---------------------------------------

def test_groups_of_n_each():
    found = arms("Three hundred children were randomized to three groups of 100 children each: storytelling, puppet play, "
                 "guided drawing.")
    assert found == {"storytelling": (100, False), "puppet play": (100, False), "guided drawing": (100, False)}


def test_numbered_arms_after_a_colon():
    found = arms("Households were randomised to 3 arms: 1) home visits (HV); 2) HV with text reminders; 3) usual care.")
    assert found == {"home visits": (None, False), "hv with text reminders": (None, False), "usual care": (None, True)}


def test_one_group_a_sentence():
    found = arms("Fifty nurses were randomly divided into intervention and control groups. The intervention group received "
                 "a resilience workshop. Stress fell in both groups.")
    assert found == {"resilience workshop": (None, False), "no treatment": (None, True)}


def test_lettered_groups_in_clauses():
    found = arms("Eighty knees were randomly divided into two groups. Group A received a hinged brace, whereas group B "
                 "received a soft sleeve.")
    assert found == {"hinged brace": (None, False), "soft sleeve": (None, False)}


def test_one_then_the_other_and_a_route_before_the_words_of_giving():
    found = arms("Forty patients were randomized into two groups: one to receive oral administration of KT-12, "
                 "the other to receive standard physio.")
    assert found == {"kt-12": (None, False), "standard physio": (None, False)}
    route = {i["name"]: i["route"] for a in record("Forty patients were randomized into two groups: one to receive "
                                                   "oral administration of KT-12, the other to receive standard physio.")["arms"]
             for i in a["interventions"]}
    assert route["kt-12"] == "oral"


def test_two_named_groups_set_against_each_other():
    found = arms("Ninety patients were randomly allocated. Pain was lower in the ice-pack group than in the heat-wrap "
                 "group at one week.")
    assert found == {"ice-pack": (None, False), "heat-wrap": (None, False)}


@pytest.mark.parametrize("abstract", [
    # people told apart by what they are, in a trial that allocates
    "Ninety patients were randomly allocated. Pain was lower in the older group than in the younger group.",
    # two named groups in a record that allocates nobody
    "Pain was lower in the ice-pack group than in the heat-wrap group at one week.",
])
def test_named_groups_that_are_no_arms(abstract):
    assert arms(abstract) == {}


def test_one_lexicon_arm_never_stands_for_two_allocated_arms():
    """Merge review (session 23): "randomly assigned to HI exercise, LI exercise or ..." with the
    lexicon's one "exercise" arm: both allocated arms became that one arm; each keeps its own name."""
    from fmwatch.extract.arms import _with_lexicon_arms

    def arm(label, n=None):
        return {"label": label, "n": n, "is_control": False,
                "interventions": [{"name": label, "substance": label, "dose_mg": None}]}

    lexicon = [arm("exercise", 30)]
    merged = _with_lexicon_arms([arm("hi exercise", 45), arm("li exercise", 45)], lexicon)
    assert [(a["label"], a["n"]) for a in merged] == [("hi exercise", 45), ("li exercise", 45)]
    # one allocated arm the lexicon names still takes the lexicon's arm (its dose, route, form)
    merged = _with_lexicon_arms([arm("hi exercise", 45), arm("stretching", 44)], lexicon)
    assert [(a["label"], a["n"]) for a in merged] == [("exercise", 45), ("stretching", 44)]
