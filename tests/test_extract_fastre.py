"""fastre.led: a pattern behind a look-ahead of its first characters finds exactly what it found
before. Sentences written by us."""

from __future__ import annotations

import re

import pytest

from fmwatch.extract import arms, design, lexicon, outcomes, population, statements
from fmwatch.extract.fastre import first_characters, led

SENTENCES = [  # written by us, in the phrasings the extractor reads
    "Forty-two women with fibromyalgia were randomly assigned to magnesium citrate 300 mg daily or placebo for 8 weeks.",
    "Serum magnesium was lower in patients than in 20 healthy controls (n = 20); RBC magnesium did not differ.",
    "Each tablet (200 mg malic acid, 50 mg magnesium) was taken twice daily by mouth; 36 completed the study.",
    "In a double-blind, placebo-controlled crossover trial, IV MgSO4 (30 mg/kg) was infused over 1 h.",
    "PAIN SCORES: no significant differences between the groups were found at 4 weeks.",
    "Μαγνήσιο and Ünïcödé words, the Kelvin sign \u212a and a long s \u017fodium sit among ASCII ones.",
    "",
]


def _matches(pattern: re.Pattern, text: str) -> list:
    return [(m.span(), m.groupdict(), m.groups()) for m in pattern.finditer(text)]


def test_first_characters_of_a_word_list_led_by_a_word_boundary():
    assert first_characters(re.compile(r"\b(?:serum|plasma)\s", re.I)) == "[ps]"
    assert first_characters(re.compile(r"(?<![\w-])(?:\d+|one|two)\s+weeks")) == r"[\dot]"
    # optional parts let the next item start a match too
    assert first_characters(re.compile(r"(?:the\s+)?aims?\b")) == "[at]"


def test_no_look_ahead_when_the_start_cannot_be_told_or_would_not_help():
    for source in (r"(?:a)?", r".+mg", r"[^a]b", r"\w+"):
        assert led(re.compile(source)).pattern == source
    # a pattern opening with a set is searched as fast already (re skips to it)
    assert led(population.MALE) is population.MALE


def test_led_pattern_keeps_flags_groups_and_names():
    original = re.compile(r"\b(?P<n>\d+|two)\s+(?P<unit>weeks?|days?)\b", re.I)
    fast = led(original)
    assert fast.pattern.startswith("(?=[") and fast.flags == original.flags
    assert fast.groupindex == original.groupindex and fast.groups == original.groups
    assert fast.search("for TWO Weeks").groupdict() == {"n": "TWO", "unit": "Weeks"}


@pytest.mark.parametrize("source, flags", [
    (p.pattern, p.flags) for p in (
        lexicon.DURATION, lexicon.DOSE, lexicon.NO_CHANGE, population.HEADCOUNT, population.WHO_WORD,
        arms.ARM_SENTENCE, arms.MEASURED_BEFORE, arms.ARM_SPLIT, outcomes.BLANKET_NULL, statements.OBJECTIVE,
        design.DESIGN_CUES["randomized"], design.TRIAL_WORDS)])
def test_the_extractors_patterns_match_the_same_with_or_without_the_look_ahead(source, flags):
    # (the modules' patterns are led already: strip the look-ahead to get the original back)
    match = re.fullmatch(r"\(\?=\[.*?\]\)\(\?:(.*)\)", source, re.S)
    original = re.compile(match.group(1) if match else source, flags)
    fast = led(original)
    for text in SENTENCES:
        assert _matches(fast, text) == _matches(original, text)
        for start in range(0, len(text), 7):
            assert (fast.match(text, start) is None) == (original.match(text, start) is None)
            found, expected = fast.search(text, 0, start), original.search(text, 0, start)
            assert (found and found.span()) == (expected and expected.span())


def _sentences_by_look_behind(text: str) -> list[tuple[int, int]]:
    """The sentence split as first written (a look-behind for the stop): the oracle."""
    found, start = [], 0
    for match in re.finditer(r"(?<=[.!?])\s+(?=[A-Z0-9(\"“])|\n+", text):
        if match.start() > start:
            found.append((start, match.start()))
        start = match.end()
    return found + ([(start, len(text))] if start < len(text) else [])


@pytest.mark.parametrize("text", SENTENCES + [
    "Ten took it. Pain fell.", "Done!  (Really?) \u201cYes.\u201d 2 more.\nNext line\n\nAfter a gap. e.g. lower case.",
    ". Leading stop. Trailing stop.", "A.\n\nB", "x.\nb", "..  B", "?!\n", "\n\nOnly breaks\n"])
def test_sentences_split_where_the_look_behind_split(text):
    from fmwatch.extract.text import Document, sentences
    doc = Document("t:1", "pubmed", "", {"abstract": text})
    assert [(s.start, s.end) for s in sentences(doc)] == _sentences_by_look_behind(text)
    assert all(s.text == text[s.start:s.end] for s in sentences(doc))
