"""Substances: every substance a text names (magnesium in its salts and symbols, the lexicon's
known substances, words shaped like drug names), with its offsets. Whether a substance was given,
and to which arm, is ``arms``'s question."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from . import lexicon as lx


@dataclass
class Mention:
    """A substance named in a text: normalised ``name`` ("magnesium citrate"), ``substance``
    ("magnesium"), salt ``form`` ("citrate") or None, and its offsets in that text."""

    name: str
    substance: str | None
    form: str | None
    start: int  # within the sentence
    end: int


# Names of one word are looked up word by word (a dict lookup); only names of several words need
# a regex. "placebo-controlled" describes the design, not an arm.
SINGLE_WORD_SUBSTANCES = {w: n for w, n in lx.KNOWN_SUBSTANCES.items() if re.fullmatch(r"[a-z0-9]+", w)}
KNOWN_PHRASE = re.compile(
    r"\b(?:" + "|".join(re.escape(w) for w in sorted(set(lx.KNOWN_SUBSTANCES) - set(SINGLE_WORD_SUBSTANCES),
                                                     key=len, reverse=True)) + r")\b", re.I)
NAME_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]+")
# The first word of every name KNOWN_PHRASE holds: an ASCII text without one of them names none.
KNOWN_PHRASE_NEEDLES = tuple(sorted({re.match(r"[a-z0-9]*", w).group(0)
                                     for w in set(lx.KNOWN_SUBSTANCES) - set(SINGLE_WORD_SUBSTANCES)}))
assert all(KNOWN_PHRASE_NEEDLES)
# The drug-name suffixes by their last two letters: one short endswith() per word instead of all.
_SUFFIXES_BY_END: dict[str, tuple[str, ...]] = {}
for _suffix in lx.DRUG_SUFFIXES:
    _SUFFIXES_BY_END[_suffix[-2:]] = _SUFFIXES_BY_END.get(_suffix[-2:], ()) + (_suffix,)
assert min(len(s) for s in lx.DRUG_SUFFIXES) >= 2
CONTROLLED_AFTER = re.compile(r"[\s-]+controlled")


@lru_cache(maxsize=4096)
def substance_mentions(text: str) -> list[Mention]:
    """Every substance a text names, in text order: magnesium in its forms and symbols ("MgCl2",
    "Mg2+", "malic acid" as magnesium malate's two parts), the known substances of
    ``lexicon.KNOWN_SUBSTANCES`` and words shaped like drug names (``lexicon.DRUG_SUFFIXES``, less
    ``NOT_DRUGS``); "placebo-controlled" is no placebo. Cached per text.

    Example: "magnesium citrate 300 mg or placebo" -> magnesium citrate (0, 17), placebo (28, 35)."""
    found: list[Mention] = []
    lowered = text.lower()
    magnesium_matches = lx.MAGNESIUM.finditer(text) if ("magnes" in lowered or "malic" in lowered
                                                         or "mgcl" in lowered or "mgso" in lowered or "mgo" in lowered) else ()
    for match in magnesium_matches:
        if match.group("malic"):
            found.append(Mention("malic acid", "malic acid", None, match.start(), match.end()))
            found.append(Mention("magnesium", "magnesium", None, match.start(), match.end()))
            continue
        form = match.group("form") or match.group("form_before")
        form = lx.MAGNESIUM_FORMS.get(form.lower()) if form else None
        if match.group("short"):
            form = lx.MAGNESIUM_SHORT[match.group("short").lower()]
        found.append(Mention(f"magnesium {form}" if form else "magnesium", "magnesium", form, match.start(), match.end()))
    if "Mg" in text:
        for match in lx.MG_SYMBOL.finditer(text):
            if not any(m.start <= match.start() < m.end for m in found):
                salt = lx.MG_FORM_AFTER.match(text, match.end())  # "Mg-pyrrolidone carboxylic acid"
                form = lx.MAGNESIUM_FORMS[salt.group("form").lower()] if salt else None
                found.append(Mention(f"magnesium {form}" if form else "magnesium", "magnesium", form, match.start(),
                                     salt.end() if salt else match.end()))
    phrases = (KNOWN_PHRASE.finditer(text) if not text.isascii() or any(n in lowered for n in KNOWN_PHRASE_NEEDLES)
               else ())
    for match in phrases:
        if not any(m.start <= match.start() < m.end for m in found):
            name = lx.KNOWN_SUBSTANCES[match.group(0).lower()]
            found.append(Mention(name, name, None, match.start(), match.end()))
    for match in NAME_WORD.finditer(text):
        word = match.group(0).lower()
        name = SINGLE_WORD_SUBSTANCES.get(word)
        if name is None and not (len(word) >= 5 and word.endswith(_SUFFIXES_BY_END.get(word[-2:], ()))
                                 and word not in lx.NOT_DRUGS):
            continue
        if name == "placebo" and CONTROLLED_AFTER.match(text, match.end()):
            continue
        if not any(m.start <= match.start() < m.end for m in found):
            found.append(Mention(name or word, name or word, None, match.start(), match.end()))
    return sorted(found, key=lambda m: m.start)


# Speed: behind a look-ahead of the characters it can start with (``fastre.led``: the same matches,
# found faster). Kept last, to cover whatever it becomes.
from .fastre import led  # noqa: E402

KNOWN_PHRASE = led(KNOWN_PHRASE)
