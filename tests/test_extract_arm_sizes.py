"""Arm sizes (``extract.arm_sizes``) on sentences written here by the team (none copied from
../shared): each way an abstract gives the number of people in an arm, and the numbers that are
not arm sizes (ratios, doses, percentages, planned sizes, everyone randomised)."""

from __future__ import annotations

import pytest

from fmwatch.extract.core import Document, extract


def sizes(abstract: str, title: str = "A trial") -> dict[str, int | None]:
    result = extract(Document("file:ours", "file", title, {"title": title, "abstract": abstract}))
    return {arm["label"]: arm["n"] for arm in result["arms"]}


@pytest.mark.parametrize("abstract, expected", [
    # a bracket after each arm
    ("Fifty-one adults with chronic low back pain were randomized to oral magnesium oxide 400 mg daily (n = 26) or "
     "placebo (n = 25) for eight weeks.", {"magnesium oxide": 26, "placebo": 25}),
    # "n =" before each arm
    ("Thirty women were randomised and 21 were evaluable (n=11 pregabalin, n=10 placebo).",
     {"pregabalin": 11, "placebo": 10}),
    # a count before the arm with a verb of allocation, the arm named by its abbreviation
    ("We enrolled 120 patients with tension headache. Patients received magnesium citrate (MC) 300 mg twice daily "
     "or placebo. In all, 58 were assigned to MC and 62 to placebo.", {"magnesium citrate": 58, "placebo": 62}),
    # "Of K patients randomised to A"
    ("Patients were randomised to duloxetine 60 mg or placebo in a double-blind design. Of 93 patients randomised "
     "to duloxetine, 80 completed; of 95 patients randomised to placebo, 84 completed.",
     {"duloxetine": 93, "placebo": 95}),
    # one size said of every arm
    ("Sixty patients undergoing knee surgery were randomly allocated to intravenous magnesium sulfate 50 mg/kg or "
     "saline, 30 patients per group.", {"magnesium sulfate": 30, "saline": 30}),
    # a count of controls
    ("Twenty-two patients who received pregabalin 150 mg daily and 18 controls were followed for twelve weeks in "
     "an open comparison.", {"pregabalin": 22, "no treatment": 18} ),  # (the 18 controls are now an untreated arm)
])
def test_an_arm_takes_the_count_tied_to_its_name(abstract, expected):
    found = sizes(abstract)
    for label, n in expected.items():
        if label in found:
            assert found[label] == n, (label, found)
    assert {label for label in expected if expected[label] is not None} <= set(found)


def test_ratios_doses_percentages_and_planned_sizes_are_no_arm_sizes():
    # "1:1" is a ratio, "400 mg" a dose, "(45%)" a share, "40 per group were needed" a plan
    found = sizes("A sample of 40 per group was needed for 80% power. Eighty-four adults were randomized 1:1 to "
                  "magnesium oxide 400 mg or placebo; 38 (45%) reported diarrhoea.")
    assert found == {"magnesium oxide": None, "placebo": None}


def test_a_parallel_trial_arm_never_holds_everyone_randomised():
    # the arms sentence gives the total only: no arm has all 64
    found = sizes("Sixty-four patients (n = 64) were randomized to receive magnesium sulfate 2 g or placebo.")
    assert set(found.values()) == {None}


def test_a_single_group_study_keeps_everyone_in_its_arm():
    found = sizes("Twelve patients with restless legs took magnesium 300 mg every evening for six weeks in an open "
                  "study.", "Open study of magnesium")
    assert found == {"magnesium": 12}


# --- N enrolled: who took part, not the pool, the plan or a trial's name ---------------------------------

def enrolled(abstract: str) -> int | None:
    return extract(Document("file:ours", "file", "A trial", {"title": "A trial", "abstract": abstract}))[
        "population"]["n_enrolled"]


@pytest.mark.parametrize("abstract, expected", [
    # a part of a pool: the first count took part
    ("Between 2015 and 2018, 48 of 310 eligible women agreed to take part and were randomized to magnesium or "
     "placebo.", 48),
    ("Thirty-nine (41%) of 95 patients approached were enrolled.", 39),
    # the plan and the screening are not the enrolment; the count with the verb wins
    ("We planned to study 200 patients. Of 410 patients screened, 152 patients were randomized.", 152),
    ("The sample size was 40 patients per arm. In total, 86 patients (43 patients in each group) were included.", 86),
    # the verb said first belongs to the count
    ("Seventy-two women were randomized and 65 completed the study.", 72),
    # a trial's name or a grade is no count; thousands with a space are one number
    ("The SOLO 2 study enrolled patients with ovarian cancer; 3 150 women were randomised.", 3150),
    # a count described at length before its bracket
    ("Participants with chronic tension-type headache from two clinics (n = 64) were randomized to magnesium or "
     "placebo.", 64),
])
def test_n_enrolled_is_who_took_part(abstract, expected):
    assert enrolled(abstract) == expected


def test_completers_per_arm_in_a_list_and_the_comparator_named_in_another_sentence():
    assert sizes("Seventy adults were randomized to amitriptyline 25 mg or placebo. Of the 70 enrolled, 61 completed "
                 "the trial (amitriptyline, 30; placebo, 31).") == {"amitriptyline": 30, "placebo": 31}
    # the dose sentence names one arm; the comparator is in the allocation sentence before it
    found = sizes("Patients were randomized to receive magnesium (group M) or saline (group S). Group M (n = 22) "
                  "received magnesium sulfate 30 mg/kg.")
    assert found == {"magnesium sulfate": 22, "saline": None}
