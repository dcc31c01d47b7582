"""Outcome kinds of the fifth pass (issue 12, item 6), read on pain, arthritis and rehabilitation trials:
named instruments reported under their own names, a blanket null applied to each measure the record
names, changes within the groups followed by a between-group null, change scores, and the noise that
is no measure. Every sentence below was written by us for these tests (none copied from ../shared);
each kind failed before its rule."""

from __future__ import annotations

import pytest

from fmwatch.extract.core import Document, extract
from fmwatch.extract import measures

KNEE = ("One hundred adults with knee osteoarthritis were randomized to a home exercise programme plus oral "
        "curcumin 500 mg twice daily or the exercise programme plus placebo for 8 weeks. ")


def results(abstract: str, title: str = "A trial") -> dict[str, str]:
    record = extract(Document("file:ours", "file", title, {"title": title, "abstract": abstract}))
    return {o["measure"]: o["direction"] for o in record["outcomes"]}


# --- named instruments under their own names ------------------------------------------------------------

@pytest.mark.parametrize("label, key", [
    ("WOMAC pain scores", "womac_pain"),
    ("WOMAC physical function", "womac_function"),
    ("the Oswestry Disability Index", "odi"),
    ("Roland-Morris Disability Questionnaire", "rmdq"),
    ("Lequesne's algofunctional index", "lequesne"),
    ("the Timed Up and Go test", "tug"),
    ("six-minute walk distance", "6mwd"),
    ("short-form McGill Pain Questionnaire", "sf_mpq"),
    ("Disease Activity Score in 28 joints", "das28"),
    ("HAQ-DI", "haq"),
])
def test_named_instruments_are_found_with_their_keys(label, key):
    found = measures.named_measures(f"At week 8, {label} improved with curcumin.")
    assert [k for _, _, k, _ in found] == [key]


def test_a_word_that_spells_an_abbreviation_in_lower_case_is_no_instrument():
    assert measures.named_measures("A tug on the rope at the odd moment nips the skin.") == []


def test_a_named_result_keeps_its_instrument_not_a_bare_pain_score():
    said = results(KNEE + "WOMAC pain scores fell more with curcumin than with placebo (p = 0.01), and the "
                   "Timed Up and Go time was shorter with curcumin than with placebo (p = 0.03).")
    assert said.get("womac_pain") == "improved"
    assert said.get("tug") == "improved"
    assert "pain_intensity" not in said


def test_a_null_listing_instruments_and_womac_subscales_gives_each_its_null():
    said = results(KNEE + "No significant difference was found between the curcumin and the placebo groups in "
                   "NRS (P = 0.41), the six-minute walk distance (P = 0.30), and aspects of WOMAC: pain "
                   "(P = 0.22), function (P = 0.35), and stiffness (P = 0.71).")
    assert said == {"pain_intensity": "no_change", "6mwd": "no_change", "womac_pain": "no_change",
                    "womac_function": "no_change", "womac_stiffness": "no_change"}


def test_an_abbreviation_the_record_defines_for_an_instrument_names_it():
    said = results(KNEE + "Outcomes were the Roland-Morris questionnaire (RMQ) and pain. RMQ scores decreased "
                   "more with curcumin than with placebo (p = 0.02).")
    assert said.get("rmdq") == "improved"


# --- a blanket null applies to each measure the record names --------------------------------------------

def test_a_blanket_null_over_multiple_measures_is_applied_to_each_named_instrument():
    abstract = ("Two hundred patients with rheumatoid arthritis were randomised to tocilizumab or adalimumab for one "
                "year. The primary outcome was the Disease Activity Score in 28 joints, and the secondary outcomes "
                "were the Health Assessment Questionnaire and the SF-36. There were no significant differences "
                "between the two groups with respect to multiple measures of disease outcomes.")
    said = results(abstract)
    assert said == {"das28": "no_change", "haq": "no_change", "sf36": "no_change"}


# --- changes within the groups, then a between-group null -------------------------------------------------

def test_changes_within_each_group_followed_by_a_bare_between_group_null_are_no_difference():
    abstract = ("Forty adults with low back pain were randomized to oral ibuprofen 400 mg (SM group) or to "
                "oral naproxen 250 mg (ST group) for 4 weeks. Outcomes were the Oswestry Disability Index (ODI) and the "
                "visual analogue scale (VAS). VAS fell from 61 to 40 (SM) and from 58 to 39 (ST). ODI fell from "
                "30 to 22 (SM) and from 28 to 21 (ST). All changes from baseline were significant; however, "
                "there was no significant difference between the SM and the ST groups.")
    said = results(abstract)
    assert said.get("pain_vas") == "no_change"
    assert said.get("odi") == "no_change"


def test_an_arms_abbreviation_is_not_a_measure():
    abstract = ("Forty adults with neck pain were randomized to oral ibuprofen 400 mg in the treatment group (TG) or "
                "placebo in the control group (CG). In both the TG and the CG, pain decreased significantly. The TG "
                "improved significantly.")
    said = results(abstract)
    assert "treatment_group" not in said and "control_group" not in said


def test_a_heading_printed_with_a_full_stop_opens_the_conclusion():
    abstract = (KNEE + "Results. WOMAC pain scores fell more with curcumin than with placebo (p = 0.01). "
                "Conclusion. Joint use of curcumin and exercise improved mobility in a similar degree.")
    assert set(results(abstract)) == {"womac_pain"}
