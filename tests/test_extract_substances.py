"""substance_mentions: the one-word names are found through a remembered set of the words met so
far (``_naming_words``) and their offsets by a substring search (``_word_at``); these tests hold
that path to the plain reading, word by word, on sentences written by us."""

from __future__ import annotations

import re

import pytest

from fmwatch.extract import lexicon as lx
from fmwatch.extract import substances
from fmwatch.extract.substances import NAME_WORD, _word_at, _word_name, substance_mentions

SENTENCES = [  # written by us
    "Patients received pregabalin 150 mg or placebo twice daily for 12 weeks.",
    "A placebo-controlled trial of duloxetine versus Placebo and amitriptyline (AMITRIPTYLINE 25 mg).",
    "Magnesium citrate, MgSO4 and Mg2+ were compared with vitamin D and folic acid; zinc was not given.",
    "Doses of 3mg/kg ketamine, 5Pregabalin, a3pregabalin and pregabalin3 are not all words of their own.",
    "Atorvastatin-treated rats got omeprazole; cholesterol and sterol levels were measured.",
    "Placebo placebo PLACEBO: placebos, placebo-like, and placebo controlled arms.",
    "Ketamine Ketamine ketamine; ketamineketamine is one word, as is xketamine.",
    "Naïve patients took ibuprofen 400 mg and paracetamol; the \u212aelvin sign and the long \u017f stay as they are.",
    "Omega-3 fatty acids, fish oil and coenzyme Q10 were given with b12 and B6.",
    "",
]


def _reference(text: str) -> list[tuple]:
    """The mentions as the extractor first read them (every word of NAME_WORD.finditer tested in
    turn, no words remembered): the oracle the faster path must agree with."""
    found = []  # (name, substance, form, start, end)
    inside = lambda position: any(f[3] <= position < f[4] for f in found)  # noqa: E731
    for match in lx.MAGNESIUM.finditer(text):
        if match.group("malic"):
            found += [("malic acid", "malic acid", None, *match.span()), ("magnesium", "magnesium", None, *match.span())]
            continue
        form = match.group("form") or match.group("form_before")
        form = lx.MAGNESIUM_FORMS.get(form.lower()) if form else None
        if match.group("short"):
            form = lx.MAGNESIUM_SHORT[match.group("short").lower()]
        found.append((f"magnesium {form}" if form else "magnesium", "magnesium", form, *match.span()))
    for match in lx.MG_SYMBOL.finditer(text):
        if not inside(match.start()):
            salt = lx.MG_FORM_AFTER.match(text, match.end())
            form = lx.MAGNESIUM_FORMS[salt.group("form").lower()] if salt else None
            found.append((f"magnesium {form}" if form else "magnesium", "magnesium", form, match.start(),
                          salt.end() if salt else match.end()))
    for match in substances.KNOWN_PHRASE.finditer(text):
        if not inside(match.start()):
            name = lx.KNOWN_SUBSTANCES[match.group(0).lower()]
            found.append((name, name, None, *match.span()))
    for match in NAME_WORD.finditer(text):
        name = _word_name(match.group(0).lower())
        if name is None or (name == "placebo" and re.match(r"[\s-]+controlled", text[match.end():])):
            continue
        if not inside(match.start()):
            found.append((name, name, None, *match.span()))
    return sorted(found, key=lambda f: f[3])


def _tuples(mentions) -> list[tuple]:
    return [(m.name, m.substance, m.form, m.start, m.end) for m in mentions]


@pytest.mark.parametrize("text", SENTENCES + [s.upper() for s in SENTENCES] + [s.lower() for s in SENTENCES])
def test_mentions_are_those_the_plain_reading_finds(text):
    assert _tuples(substance_mentions.__wrapped__(text)) == _reference(text)


@pytest.mark.parametrize("text", SENTENCES)
def test_the_remembered_words_give_the_same_answer_as_a_first_reading(text):
    substances._WORDS_SEEN.clear()
    substances._WORDS_NAMING.clear()
    first = substance_mentions.__wrapped__(text)  # every word new
    again = substance_mentions.__wrapped__(text)  # every word remembered
    assert first == again
    assert substances._WORDS_NAMING == {w for w in substances._WORDS_SEEN if _word_name(w)}


def test_offsets_and_names_of_one_word_substances():
    text = SENTENCES[6]
    assert [(m.name, m.start, m.end) for m in substance_mentions.__wrapped__(text)] == [
        ("ketamine", 0, 8), ("ketamine", 9, 17), ("ketamine", 18, 26)]
    # "placebos" is no name of ours; "placebo controlled" is the design; "placebo-like" names a placebo
    placebos = [(m.start, m.end) for m in substance_mentions.__wrapped__(SENTENCES[5])]
    assert [SENTENCES[5][a:b] for a, b in placebos] == ["Placebo", "placebo", "PLACEBO", "placebo"]
    assert placebos[-1][0] == SENTENCES[5].index("placebo-like")
    # after digits a word begins ("5Pregabalin"); after a letter it does not ("a3pregabalin")
    found = [(m.name, SENTENCES[3][m.start:m.end]) for m in substance_mentions.__wrapped__(SENTENCES[3])]
    assert found == [("ketamine", "ketamine"), ("pregabalin", "Pregabalin")]
    assert _word_at("5pregabalin", 1, 11) and not _word_at("a3pregabalin", 2, 12) and not _word_at("pregabalin3", 0, 10)


def test_words_met_are_forgotten_past_the_bound(monkeypatch):
    monkeypatch.setattr(substances, "_WORDS_MAX", 3)
    substances._WORDS_SEEN.clear()
    substances._WORDS_NAMING.clear()
    substance_mentions.__wrapped__("one two three four five pregabalin")
    assert len(substances._WORDS_SEEN) == 6
    assert [m.name for m in substance_mentions.__wrapped__("six pregabalin")] == ["pregabalin"]
    assert substances._WORDS_SEEN == {"six", "pregabalin"}
