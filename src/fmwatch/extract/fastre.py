"""Speed for the extractor's regexes without changing a single match.

Python's ``re`` tries a search pattern at every position of the text. A pattern that opens with
``\\b`` and a list of words, compiled with ``re.I``, pays a word-boundary test and then one
case-folding comparison per alternative at each of those positions; ``re`` only skips positions
quickly when the pattern opens with a case-less literal or character set. ``led`` puts a
look-ahead of the characters the pattern can start with in front of it: every position whose
character cannot start a match is left after one set test, and the matches are the same ones, at
the same offsets, with the same groups (the look-ahead is zero-width and only states what the
pattern already requires). On the EBM-NLP abstracts that halves the cost of such patterns.

The character set is computed from the pattern itself, so a word added to a pattern later is
covered without anyone keeping a list; when it cannot be computed (the pattern may match the
empty string, or opens with ``.``, a negated set or a back-reference), the pattern is returned as
it is.
"""

from __future__ import annotations

import re

try:  # the parser behind re.compile (public as sre_parse before Python 3.11)
    from re import _parser as _sre
except ImportError:  # pragma: no cover - older Pythons
    import sre_parse as _sre  # type: ignore[no-redef]

_CATEGORIES = {"CATEGORY_DIGIT": r"\d", "CATEGORY_NOT_DIGIT": r"\D", "CATEGORY_SPACE": r"\s",
               "CATEGORY_NOT_SPACE": r"\S", "CATEGORY_WORD": r"\w", "CATEGORY_NOT_WORD": r"\W"}
_ZERO_WIDTH = ("AT", "ASSERT", "ASSERT_NOT")
_REPEATS = ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")


def _char(code: int) -> str:
    """One character as it may stand inside ``[...]``."""
    char = chr(code)
    return "\\" + char if char in "\\]^-[" else char if char.isprintable() and not char.isspace() else f"\\U{code:08x}"


def _first_of_sequence(items) -> tuple[set[str], bool] | None:
    """(what may start a match of the sequence, whether it may match the empty string), or None."""
    starts: set[str] = set()
    for op, av in items:
        if str(op) in _ZERO_WIDTH:
            continue  # \b, ^, look-arounds consume nothing: the next item starts the match
        found = _first_of_item(str(op), av)
        if found is None:
            return None
        starts |= found[0]
        if not found[1]:
            return starts, False
    return starts, True


def _first_of_item(op: str, av) -> tuple[set[str], bool] | None:
    if op == "LITERAL":
        return {_char(av)}, False
    if op == "IN":
        starts = set()
        for kind, value in av:
            kind = str(kind)
            if kind == "LITERAL":
                starts.add(_char(value))
            elif kind == "RANGE":
                starts.add(f"{_char(value[0])}-{_char(value[1])}")
            elif kind == "CATEGORY" and str(value) in _CATEGORIES:
                starts.add(_CATEGORIES[str(value)])
            else:  # a negated set and the like: not worth the trouble
                return None
        return starts, False
    if op == "BRANCH":
        starts, empty = set(), False
        for alternative in av[1]:
            found = _first_of_sequence(alternative)
            if found is None:
                return None
            starts |= found[0]
            empty = empty or found[1]
        return starts, empty
    if op == "SUBPATTERN":
        _group, add_flags, del_flags, pattern = av
        return None if add_flags or del_flags else _first_of_sequence(pattern)
    if op == "ATOMIC_GROUP":
        return _first_of_sequence(av)
    if op in _REPEATS:
        low, _high, pattern = av
        found = _first_of_sequence(pattern)
        return None if found is None else (found[0], found[1] or low == 0)
    return None  # ".", a back-reference, a conditional: no set to give


def first_characters(pattern: re.Pattern) -> str | None:
    """The character set (``"[...]"``) every match of ``pattern`` starts with, read under the
    pattern's own flags; None when a match may be empty or its start cannot be told.

    Example: ``first_characters(re.compile(r"\\b(?:serum|plasma)\\s", re.I))`` -> ``"[ps]"``."""
    if not isinstance(pattern.pattern, str) or pattern.flags & re.VERBOSE:
        return None
    try:
        parsed = _sre.parse(pattern.pattern, pattern.flags)
    except Exception:  # noqa: BLE001 - a parser of another Python: the pattern stays as it is
        return None
    found = _first_of_sequence(parsed)
    if found is None or found[1] or not found[0]:
        return None
    return "[" + "".join(sorted(found[0])) + "]"


def _worth_it(pattern: re.Pattern, starts: str) -> bool:
    """Whether a look-ahead saves time: not when the pattern already opens with a character or a
    set (``re`` tests that as cheaply), nor when the set is wide (most positions pass it)."""
    first = _sre.parse(pattern.pattern, pattern.flags)[0]
    if str(first[0]) in ("LITERAL", "IN", "NOT_LITERAL", "ANY"):
        return False
    wide = re.search(r"\\[wWSD]|([^\\])-([^\\])", starts)
    return not (wide and (wide.group(1) is None or ord(wide.group(2)) - ord(wide.group(1)) > 9))


def led(pattern: re.Pattern) -> re.Pattern:
    """``pattern`` behind a look-ahead of the characters it can start with (same flags, groups
    and matches; faster to search), or ``pattern`` itself when they cannot be told.

    Example: ``led(re.compile(r"\\bplacebo\\b", re.I)).pattern`` -> ``"(?=[p])(?:\\bplacebo\\b)"``."""
    starts = first_characters(pattern)
    if starts is None or not _worth_it(pattern, starts):
        return pattern
    try:
        return re.compile(f"(?={starts})(?:{pattern.pattern})", pattern.flags)
    except re.error:  # e.g. inline global flags, which must open a pattern: it stays as it is
        return pattern
