"""statements: the study's start and an objective are told by an opening matched at the sentence's
start and by words searched anywhere, apart (faster); together they answer as the single patterns
they were written as. Sentences written by us."""

from __future__ import annotations

import re

import pytest

from fmwatch.extract import statements as st

# The single patterns as first written (the oracle): every "^" alternative opens the sentence.
STUDY_START_AS_ONE = re.compile(
    r"\b(?:we|our|this|the\s+present|here|in\s+the\s+present)\b|^\s*(?:methods?|design|patients|participants|subjects|"
    r"setting|results?|objectives?|aims?|purpose)\s*[:.]|\brandomi[sz]|\benrol|\bwere\s+(?:included|studied|recruited|"
    r"selected|assigned|evaluated|examined|divided|enrolled|treated|given|measured)|\b(?:aims?|objectives?|purpose)\b|"
    r"^\s*(?:a|an)\s+(?:total\s+of\s+)?(?:\d+|[a-z]+-?[a-z]*)\s+(?:patients|women|men|subjects|participants)|"
    r"^\s*(?:\d+|[A-Z][a-z]+(?:-[a-z]+)?)\s+(?:\w+\s+){0,4}(?:patients|women|men|subjects|participants|volunteers|"
    r"children|adults|rats|mice)\b|\b(?:trial|placebo|blind\w*|cross-?over|cohort|case-control)\b", re.I)

SENTENCES = [  # written by us
    "Chronic widespread pain is common and costly.",
    "Magnesium has been proposed as a remedy for muscle pain.",
    "  Methods: sixty women took part.",
    "Design. A parallel comparison.",
    "A total of 48 patients with fibromyalgia took part.",
    "An eighty-one women cohort was followed.",
    "Forty-two adult women with chronic pain were studied.",
    "12 young healthy volunteers gave blood.",
    "Here, magnesium was given to rats.",
    "Pain fell in the treated arm, not in the other arm.",
    "The aim of this study was to determine whether magnesium eases pain.",
    "OBJECTIVES / HYPOTHESIS: magnesium lowers pain.",
    "Background and aims. Pain is common.",
    "This trial was designed to compare two doses.",
    "We sought to learn whether the levels differ.",
    "It remains unclear whether or not cramps respond.",
    "Our study aims to close that gap.",
    "To test the hypothesis that magnesium helps, we gave it.",
    "Results were similar in both arms (p = 0.4).",
    "Sixty patients were enrolled; none were lost.",
    "  ",
    "",
]


@pytest.mark.parametrize("text", SENTENCES + [s.upper() for s in SENTENCES] + [" " + s for s in SENTENCES])
def test_study_start_and_objective_answer_as_the_single_patterns(text):
    said = bool(st.STUDY_OPENING.match(text) or st.STUDY_WORDS.search(text))
    assert said == bool(STUDY_START_AS_ONE.search(text))
    assert st.is_objective(text) == bool(st.OBJECTIVE.search(text))


def test_leading_background_counts_the_sentences_before_the_study_is_spoken_of():
    assert st.leading_background(SENTENCES[:2] + SENTENCES[4:6]) == 2
    assert st.leading_background(["Background: pain is common.", "Cramps are frequent.", "We gave magnesium."]) == 2
    assert st.leading_background(SENTENCES[:2]) == 0  # no sentence speaks of the study: nothing to go by
    assert st.kind_of(SENTENCES[10]) == "objective" and st.kind_of(SENTENCES[18]) == "statement"
    assert st.kind_of(SENTENCES[1]) == "background" and st.kind_of("Further trials are needed.") == "wish"
