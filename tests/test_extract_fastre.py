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
    # a pattern opening with a set gets no look-ahead (re skips to the set already) ...
    assert led(population.MALE).pattern == population.MALE.pattern
    # ... and is searched through its scanner all the same (under re.I re cannot skip to a set of letters)
    assert led(population.MALE).original is population.MALE


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


# --- fastre.scanner / FastPattern: lower-cased ASCII text through a case-sensitive set scan -------

DOCUMENT = " ".join(SENTENCES[:5]) + (  # written by us: a short abstract, ASCII, with matches at its edges
    " Placebo tablets looked alike. Patients were randomized; randomisation was done in random order."
    " A cross-over, single-blind phase followed, with 12 men and 30 women (PLACEBO)")
NON_ASCII = (  # written by us: outside ASCII, but none of the four characters re.I folds to an ASCII letter
    "Naïve WOMEN (ÉTUDE) took 300\u2009mg ± 20 µg placebo – 12 MEN, 30 Frauen – for 8 wks; Ωmega “double-blind” "
    "crossover, randomisée. Σ twenty-two patients were randomized; p < 0.05 vs PLACEBO.")
TEXTS = SENTENCES + [DOCUMENT, DOCUMENT.upper(), DOCUMENT.lower(), NON_ASCII, NON_ASCII.upper(), NON_ASCII + DOCUMENT,
                     "placebo", "Mg", "12 mg", "4 IU", "20 mEq", "20 μg", "20 \u039cG"]
PATTERNS = [
    design.DESIGN_CUES["randomized"], design.DESIGN_CUES["placebo"], design.DESIGN_CUES["double"],
    design.DESIGN_CUES["crossover"], design.TRIAL_WORDS, design.REGISTRY_FIELDS, population.MALE, population.FEMALE,
    population.HEADCOUNT, population.WHO_WORD, arms.PLACEBO_ARM, arms.ARM_SENTENCE, arms.MEASURED_BEFORE,
    lexicon.DOSE, lexicon.DURATION, lexicon.MAGNESIUM, lexicon.MG_SYMBOL, lexicon.NO_CHANGE, lexicon.P_VALUE,
    statements.WISH, statements.STUDY_WORDS, statements.OBJECTIVE_WORDS]


def _found(found) -> list:
    return [(m.span(), m.groupdict(), m.groups(), m.group(0)) for m in found]


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.pattern[:30])
def test_a_fast_pattern_finds_what_the_pattern_finds(pattern):
    from fmwatch.extract.fastre import FastPattern, fast
    original = pattern.original if isinstance(pattern, FastPattern) else pattern
    searched = fast(original)
    for text in TEXTS:
        assert _found(searched.finditer(text)) == _found(original.finditer(text))
        for start in range(0, len(text), 5):
            found, expected = searched.search(text, start), original.search(text, start)
            assert (found and _found([found])) == (expected and _found([expected]))
            found, expected = searched.search(text, 0, start), original.search(text, 0, start)
            assert (found and _found([found])) == (expected and _found([expected]))


def test_the_extractors_word_lists_are_searched_through_scanners():
    from fmwatch.extract.fastre import FastPattern
    for pattern in (arms.ARM_SENTENCE, population.WHO_WORD, lexicon.NO_CHANGE, lexicon.DOSE, statements.WISH,
                    statements.STUDY_WORDS):
        assert isinstance(pattern, FastPattern)
    # population() tells a head count's matches by `match.re is HEADCOUNT_RE`: the pattern a
    # FastPattern's matches carry (its `original`), so HEADCOUNT itself is searched the fast way
    assert isinstance(population.HEADCOUNT, FastPattern) and population.HEADCOUNT_RE is population.HEADCOUNT.original
    match = population.HEADCOUNT.search("Forty-two patients were randomised.")
    assert match is not None and match.re is population.HEADCOUNT_RE


def test_scanner_is_a_case_sensitive_set_and_declines_what_it_cannot_tell():
    from fmwatch.extract.fastre import lowercased, scanner
    assert scanner(re.compile(r"\bplacebo\b", re.I)).pattern == r"[p](?<=(?=\bplacebo\b)[p])"
    assert scanner(re.compile(r"\bMg\b")).pattern == r"[M](?<=(?=\bMg\b)[M])"  # (case-sensitive stays so)
    assert scanner(re.compile(r"\w+ed\b")) is None  # a set as wide as \w: the scan would save nothing
    assert scanner(re.compile(r"(?:a)?b")) is not None and scanner(re.compile(r"(?:a)?")) is None
    assert scanner(re.compile(r"^placebo", re.I | re.M)) is None  # flags a scoped group may not carry
    assert scanner(re.compile(r".placebo")) is None
    assert lowercased(r"\bFMS\b|(?P<N>\d+)\s*IU\S[A-Z]") == r"\bfms\b|(?P<N>\d+)\s*iu\S[a-z]"
    for source in (r"[A-z]", r"(?-i:A)", r"\x41", r"\N{LATIN CAPITAL LETTER A}", r"\u0130"):
        assert lowercased(source) is None  # a meaning lower case would change, or a letter by code
    assert lowercased(r"[\u00a0\x20]") == r"[\u00a0\x20]" and lowercased(r"[A-Za-z0-9]") == r"[a-za-z0-9]"
    # a range whose letters lower-casing would not keep: "[0-a]" holds "B", so it matches "b" under re.I
    for source in (r"[0-a]", r"[\x20-\x5f]", r"x|(?=[!-Z])", r"(?P<n>[\u00c0-\u00d6])"):
        assert lowercased(source) is None


def test_a_pattern_with_a_letter_outside_ascii_scans_ascii_text_only():
    from fmwatch.extract.fastre import fast
    pattern = re.compile(r"\d+\s*(?:µg|mg)\b", re.I)  # under re.I "µ" matches "Μ" and "μ" too
    for text in ("12 µg and 3 MG", "12 \u039cG and 3 mg", "12 \u03bcg", "12 mg"):
        assert [m.span() for m in fast(pattern).finditer(text)] == [m.span() for m in pattern.finditer(text)]


def test_text_that_folds_to_ascii_under_re_i_is_searched_with_the_pattern_itself():
    from fmwatch.extract.fastre import fast, scanned_text
    assert scanned_text(NON_ASCII) == NON_ASCII.lower()
    assert all(scanned_text(f"a {c} b") is None for c in "\u0130\u0131\u017f\u212a")
    # under re.I "k" matches the Kelvin sign and "s" the long s: lower-casing would lose them
    pattern = re.compile(r"\b(?:ketamine|saline)\b", re.I)
    text = "\u212aetamine or \u017faline or Ketamine"  # written by us
    assert [m.span() for m in fast(pattern).finditer(text)] == [(0, 8), (12, 18), (22, 30)]
    assert fast(pattern).search(text).span() == (0, 8)


def test_a_fast_pattern_keeps_the_patterns_face_and_pickles():
    import pickle
    from fmwatch.extract.fastre import FastPattern, fast
    searched = led(re.compile(r"\b(?P<n>\d+)\s+(?P<unit>weeks?|days?)\b", re.I))
    assert isinstance(searched, FastPattern) and searched.pattern.startswith("(?=[")
    assert searched.groupindex == {"n": 1, "unit": 2} and searched.flags & re.I
    assert searched.sub("N", "for 8 Weeks") == "for N" and searched.findall("2 days, 3 weeks") == [("2", "days"),
                                                                                                   ("3", "weeks")]
    assert searched.match("8 weeks").group("unit") == "weeks" and searched.fullmatch("8 weeks x") is None
    again = pickle.loads(pickle.dumps(searched))
    assert again.pattern == searched.pattern and again.search("in 8 DAYS").group(0) == "8 DAYS"
    assert fast(searched) is searched


def test_find_on_a_document_gives_the_same_spans_as_the_pattern():
    from fmwatch.extract.text import Document, _find
    doc = Document("t:1", "pubmed", "Placebo or magnesium", {"title": "Placebo or magnesium", "abstract": DOCUMENT})
    for pattern in (design.DESIGN_CUES["placebo"], design.DESIGN_CUES["randomized"], population.MALE,
                    re.compile(r"\bplacebo\b", re.I)):
        expected = [(name, m.span()) for name in ("title", "abstract") for m in pattern.finditer(doc.fields[name])]
        assert [(s["field"], (s["start"], s["end"])) for s in _find(doc, pattern)] == expected
        assert expected  # (each pattern has something to find here)


def _every_fast_pattern() -> list:
    """Every FastPattern the extractor's modules hold, in module globals, lists, tuples and dicts."""
    import importlib
    import pkgutil

    import fmwatch.extract as package
    from fmwatch.extract.fastre import FastPattern
    found, seen = [], set()

    def visit(value, name):
        if isinstance(value, FastPattern) and id(value) not in seen:
            seen.add(id(value))
            found.append(pytest.param(value, id=name))
        elif isinstance(value, (list, tuple)):
            for index, item in enumerate(value):
                visit(item, f"{name}[{index}]")
        elif isinstance(value, dict):
            for key, item in value.items():
                visit(item, f"{name}[{key}]")
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"fmwatch.extract.{info.name}")
        for name, value in vars(module).items():
            if not name.startswith("__"):
                visit(value, f"{info.name}.{name}")
    return found


@pytest.mark.parametrize("pattern", _every_fast_pattern())
def test_every_fast_pattern_of_the_extractor_finds_what_its_pattern_finds(pattern):
    # (a pattern added to a module's led() list later is held to this too)
    for text in TEXTS:
        assert _found(pattern.finditer(text)) == _found(pattern.original.finditer(text))
        for start in range(0, len(text), 11):
            found, expected = pattern.search(text, start), pattern.original.search(text, start)
            assert (found and _found([found])) == (expected and _found([expected]))


def test_finditer_with_no_match_is_an_empty_iterator_and_matches_come_in_order_when_the_text_changes_between():
    """Session 23 (speed): ``finditer`` looks for the first match at once and returns no generator for
    a text with none; with matches, searching another text between two of them changes nothing."""
    from fmwatch.extract.fastre import fast
    pattern = fast(re.compile(r"\b(?:zelvorin|placebo)\b", re.I))
    empty = pattern.finditer("Forty adults walked daily for six weeks.")
    assert not hasattr(empty, "send") and list(empty) == []
    text = "Adults took Zelvorin 20 mg or PLACEBO; zelvorin was stopped."
    found = pattern.finditer(text)
    first = next(found)
    assert pattern.search("Another placebo sentence.").span() == (8, 15)  # (the scanner's last text is another)
    assert [first.span()] + [m.span() for m in found] == [(12, 20), (30, 37), (39, 47)]
    assert [m.span() for m in pattern.finditer(text, 13)] == [(30, 37), (39, 47)]


def test_the_arms_sentences_are_gated_once_a_record_and_only_by_needles_the_record_holds():
    """Session 23 (speed): ``arms`` keeps its gated sentences on the document (``model_arms`` reads
    them again) and the same arms come out of a second reading."""
    from fmwatch.extract.text import Document
    doc = Document("pubmed:1", "pubmed", "Zelvorin for gout", {
        "title": "Zelvorin for gout",
        "abstract": "Gout is common. Sixty adults were randomized to magnesium citrate 300 mg daily (n = 31) or "
                    "placebo (n = 29)."})
    found = arms.arms(doc)
    gated = doc._found["arm_gated"]
    assert [g[0].text for g in gated] == [
        "Sixty adults were randomized to magnesium citrate 300 mg daily (n = 31) or placebo (n = 29)."]
    assert arms._lexicon_arms(doc) == found and doc._found["arm_gated"] is gated
    assert [(a["label"], a["n"]) for a in found] == [("magnesium citrate", 31), ("placebo", 29)]
