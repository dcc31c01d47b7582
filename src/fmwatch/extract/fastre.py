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


def holds_any(lowered: str, needles: tuple[str, ...]) -> bool:
    """Whether any of the needles is a substring of ``lowered``: the cheap test before a regex
    that needs one of them (a loop: faster than ``any()`` over a generator, called per sentence).

    Example: ``holds_any("in a placebo arm", ("placebo", "sham"))`` -> True."""
    for needle in needles:
        if needle in lowered:
            return True
    return False


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


# --- whole texts: a scanner re can skip through ------------------------------------------------------
#
# ``led``'s look-ahead still costs a step of the matching engine at every position. ``re`` skips
# positions in C, without entering the engine, only when a pattern opens with a set it can test
# case-sensitively; a pattern compiled with ``re.I`` never gets that. ``scanner`` writes the set
# out in both cases (for ASCII text, where that is exact) as the scanner's first item, and asks,
# by a one-character look-behind holding a look-ahead, whether the whole pattern matches where
# that character stands: the scanner matches at exactly the positions where the pattern's matches
# start, and re reaches them by its fast set scan. ``finditer`` then reads each match with the
# pattern itself, so spans, groups and names are the pattern's own. On the EBM-NLP abstracts it
# finds a document's design cues in a third to a half less time than ``led`` does.

SCANNED_SET_MAX = 24  # characters; a wider set passes most positions and the scan saves little
_SCANNER_FLAGS = re.IGNORECASE | re.UNICODE
_ASCII = "".join(map(chr, range(128)))


def scanner(pattern: re.Pattern) -> re.Pattern | None:
    """A case-sensitive pattern that matches a single character of an ASCII text exactly where a
    match of ``pattern`` starts (for ``finditer``), or None when that cannot be built or would not
    pay: the first characters cannot be told, the set is wider than ``SCANNED_SET_MAX``, or the
    pattern has flags other than ``re.I`` (and the default ``re.U``).

    Example: ``scanner(re.compile(r"\\bplacebo\\b", re.I)).pattern`` ->
    ``"[Pp](?<=(?=(?i:\\bplacebo\\b))[Pp])"``."""
    if not isinstance(pattern.pattern, str) or pattern.flags & ~_SCANNER_FLAGS:
        return None
    starts = first_characters(pattern)
    if starts is None:
        return None
    ascii_starts = re.findall(starts, _ASCII, pattern.flags)  # (read under the pattern's flags: re.I too)
    if not ascii_starts or len(ascii_starts) > SCANNED_SET_MAX:
        return None
    first = "[" + "".join(_char(ord(c)) if c.isprintable() and not c.isspace() else f"\\x{ord(c):02x}"
                          for c in ascii_starts) + "]"
    body = f"(?i:{pattern.pattern})" if pattern.flags & re.IGNORECASE else f"(?:{pattern.pattern})"
    try:
        return re.compile(f"{first}(?<=(?={body}){first})")
    except re.error:  # e.g. inline global flags, which must open a pattern: no scanner
        return None


def finditer(pattern: re.Pattern, scan: re.Pattern | None, text: str):
    """``pattern.finditer(text)``: the same matches, in order, found through ``scan``
    (``scanner(pattern)``) when there is one and the text is ASCII."""
    if scan is None or not text.isascii():
        yield from pattern.finditer(text)
        return
    position = 0
    while True:
        found = scan.search(text, position)
        if found is None:
            return
        match = pattern.match(text, found.start())
        if match is None:  # pragma: no cover - cannot happen (the scanner asks the pattern itself)
            yield from pattern.finditer(text, found.start())
            return
        yield match
        position = match.end()  # (never empty: a pattern with first characters cannot match "")
