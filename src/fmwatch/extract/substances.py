"""Substances: every substance a text names (magnesium in its salts and symbols, the lexicon's
known substances, words shaped like drug names), with its offsets. Whether a substance was given,
and to which arm, is ``arms``'s question."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from . import lexicon as lx
from .fastre import holds_any


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


# The lower-case words met so far, and those of them that name a substance (``_word_name``): the
# words of abstracts repeat, and two set operations per text cost less than the suffix tests per
# word. (Both are emptied when they grow past ``_WORDS_MAX``, so a long run's memory stays bounded.)
_WORDS_SEEN: set[str] = set()
_WORDS_NAMING: set[str] = set()
_WORDS_MAX = 200_000
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_DIGITS = frozenset("0123456789")


def _word_name(word: str) -> str | None:
    """The substance one lower-case word names: a known one-word substance's normal name
    (``SINGLE_WORD_SUBSTANCES``), the word itself when it is shaped like a drug name (five letters
    or more, ending in one of ``lexicon.DRUG_SUFFIXES``, not one of ``NOT_DRUGS``), else None.

    Example: "pregabalin" -> "pregabalin", "acetaminophen" -> "paracetamol", "sterol" -> None."""
    name = SINGLE_WORD_SUBSTANCES.get(word)
    if name is None and len(word) >= 5 and word.endswith(_SUFFIXES_BY_END.get(word[-2:], ())) \
            and word not in lx.NOT_DRUGS:
        return word
    return name


def _naming_words(words: list[str]) -> set[str]:
    """Those of the lower-case ``words`` that name a substance (``_word_name``), as a set."""
    if len(_WORDS_SEEN) > _WORDS_MAX:
        _WORDS_SEEN.clear()
        _WORDS_NAMING.clear()
    distinct = set(words)
    for word in distinct - _WORDS_SEEN:
        _WORDS_SEEN.add(word)
        if _word_name(word) is not None:
            _WORDS_NAMING.add(word)
    return distinct & _WORDS_NAMING


def _word_at(text: str, start: int, end: int) -> bool:
    """Whether ``NAME_WORD`` (a letter, then letters and digits, read left to right) finds a word
    exactly at ``start:end`` of an ASCII text whose ``start`` is a letter: nothing alphanumeric
    after it, and before it nothing or digits only back to the start or a character that is
    neither a letter nor a digit ("3mg" holds the word "mg"; "a3mg" is one word)."""
    if end < len(text) and text[end] in _ALNUM:
        return False
    while start > 0 and text[start - 1] in _DIGITS:
        start -= 1
    return start == 0 or text[start - 1] not in _ALNUM


def _inside(found: list[Mention], position: int) -> bool:
    """Whether a position falls inside a mention already found."""
    for mention in found:
        if mention.start <= position < mention.end:
            return True
    return False


@lru_cache(maxsize=4096)
def substance_mentions(text: str) -> list[Mention]:
    """Every substance a text names, in text order: magnesium in its forms and symbols ("MgCl2",
    "Mg2+", "malic acid" as magnesium malate's two parts), the known substances of
    ``lexicon.KNOWN_SUBSTANCES`` and words shaped like drug names (``lexicon.DRUG_SUFFIXES``, less
    ``NOT_DRUGS``); "placebo-controlled" is no placebo. Cached per text.

    Example: "magnesium citrate 300 mg or placebo" -> magnesium citrate (0, 17), placebo (28, 35)."""
    found: list[Mention] = []
    lowered = text.lower()
    ascii_text = text.isascii()
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
            if not _inside(found, match.start()):
                salt = lx.MG_FORM_AFTER.match(text, match.end())  # "Mg-pyrrolidone carboxylic acid"
                form = lx.MAGNESIUM_FORMS[salt.group("form").lower()] if salt else None
                found.append(Mention(f"magnesium {form}" if form else "magnesium", "magnesium", form, match.start(),
                                     salt.end() if salt else match.end()))
    if not ascii_text or holds_any(lowered, KNOWN_PHRASE_NEEDLES):
        for match in KNOWN_PHRASE.finditer(text):
            if not _inside(found, match.start()):
                name = lx.KNOWN_SUBSTANCES[match.group(0).lower()]
                found.append(Mention(name, name, None, match.start(), match.end()))
    # One-word names: the text's words are listed (of the lower-case text, whose offsets are the
    # text's when it is ASCII) and only those that name a substance are looked for again, for offsets.
    if ascii_text:
        named = _naming_words(NAME_WORD.findall(lowered))
        places = []
        for word in named:
            at = lowered.find(word)
            while at >= 0:
                if _word_at(lowered, at, at + len(word)):
                    places.append((at, word))
                at = lowered.find(word, at + 1)
        places.sort()
    else:
        places = [(m.start(), m.group(0).lower()) for m in NAME_WORD.finditer(text)]
        named = _naming_words([word for _, word in places])
    for at, word in places:
        if word not in named:
            continue
        name = _word_name(word)
        end = at + len(word)
        if name == "placebo" and CONTROLLED_AFTER.match(text, end):
            continue
        if not _inside(found, at):
            found.append(Mention(name, name, None, at, end))
    return sorted(found, key=lambda m: m.start)


# Speed: behind a look-ahead of the characters it can start with (``fastre.led``: the same matches,
# found faster). Kept last, to cover whatever it becomes.
from .fastre import led  # noqa: E402

KNOWN_PHRASE = led(KNOWN_PHRASE)
