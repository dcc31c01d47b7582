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
it is. Where it can, ``led`` returns a ``FastPattern``: the same matches again, found by scanning
the lower-cased text without ``re.I`` (see the section on scanners below), in about half the time
once more. A ``FastPattern``'s matches are ``re.Match`` objects of the pattern it wraps
(``.original``), so ``match.re is PATTERN`` does not hold for them: a module that tells matches
apart so keeps that pattern a plain ``re.Pattern``.
"""

from __future__ import annotations

import re
import sys
from typing import Iterator

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


def led(pattern: re.Pattern) -> "re.Pattern | FastPattern":
    """``pattern`` behind a look-ahead of the characters it can start with (same flags, groups
    and matches; faster to search), or ``pattern`` itself when they cannot be told; searched
    through a ``FastPattern`` where a scanner can be built (see there).

    Example: ``led(re.compile(r"\\bplacebo\\b", re.I)).pattern`` -> ``"(?=[p])(?:\\bplacebo\\b)"``."""
    starts = first_characters(pattern)
    if starts is None:
        return pattern
    looking = pattern
    if _worth_it(pattern, starts):
        try:
            looking = re.compile(f"(?={starts})(?:{pattern.pattern})", pattern.flags)
        except re.error:  # e.g. inline global flags, which must open a pattern: it stays as it is
            pass
    scan = scanner(pattern, starts)
    return looking if scan is None else FastPattern(looking, scan, pattern)


# --- a scanner re can skip through, on lower-case text ------------------------------------------------
#
# ``led``'s look-ahead still costs a step of the matching engine at every position, and under
# ``re.I`` every alternative of a word list is tried in turn (re skips an alternative at once by
# its first character only when it compares case-sensitively). Lower-casing a text keeps its
# offsets, and a pattern's source with its letters lower-cased matches the lower-cased text
# without ``re.I`` exactly where it matches the text with it. So ``scanner`` compiles, without
# ``re.I``, the pattern's first characters as a set (which re skips through in C), followed by a
# one-character look-behind that holds the pattern as a look-ahead: it matches at exactly the
# positions where the pattern's matches start. ``FastPattern`` searches the lower-cased text with
# it and reads each match with the pattern itself, on the text as given: spans, groups and names
# are the pattern's own. A text holding one of the four characters outside ASCII that re.I
# matches with an ASCII letter (``FOLDS_TO_ASCII``) is searched with the pattern as before. On the
# EBM-NLP abstracts the extractor's word-list patterns are found in about half the time.

SCANNED_SET_MAX = 24  # characters; a wider set passes most positions and the scan saves little
_FLAGS_KEPT = re.IGNORECASE | re.UNICODE
_ASCII = "".join(map(chr, range(128)))


def lowercased(source: str) -> str | None:
    """A ``re.I`` pattern's source with its letters in lower case (escapes such as ``\\S``, ``\\W``,
    ``\\B`` and group names as they are): compiled without ``re.I`` it matches lower-cased ASCII
    text exactly where the source, with ``re.I``, matches the text. None when that cannot be told:
    a letter given by name or code (``\\N{...}``, ``\\x41``, ``\\u0130``), a flag turned off
    (``(?-i:...)``), or a range whose letters lower-casing would not keep (``[A-z]``, ``[0-a]``).

    Example: ``lowercased(r"\\bFMS\\b|(?P<n>\\d+)\\s*IU")`` -> ``r"\\bfms\\b|(?P<n>\\d+)\\s*iu"``."""
    if re.search(r"\(\?[a-zA-Z]*-", source) or not _ranges_lower_case_the_same(source):
        return None
    out = []
    position = 0
    while position < len(source):
        char = source[position]
        if char == "\\":
            kind = source[position + 1:position + 2]
            width = {"x": 2, "u": 4, "U": 8}.get(kind, 0)
            if kind == "N" or (width and chr(int(source[position + 2:position + 2 + width], 16)).swapcase()
                               != chr(int(source[position + 2:position + 2 + width], 16))):
                return None  # a letter by name or by code: left to re.I
            out.append(source[position:position + 2 + width])
            position += 2 + width
            continue
        if source.startswith("(?P<", position) or source.startswith("(?P=", position):
            name_end = source.index(">" if source[position + 3] == "<" else ")", position)
            out.append(source[position:name_end + 1])
            position = name_end + 1
            continue
        out.append(char.lower() if "A" <= char <= "Z" else char)
        position += 1
    return "".join(out)


def _ranges_lower_case_the_same(source: str) -> bool:
    """Whether every range of the source's sets (``[a-z]``, ``[\\x20-\\x5f]``) lies within a-z, within
    A-Z, or holds no letter with another case: lower-casing such a range's ends, and the text,
    keeps what it matches under re.I ("[0-a]" holds "B" and so matches "b" under re.I: not so)."""
    try:
        parsed = _sre.parse(source, re.IGNORECASE)
    except Exception:  # noqa: BLE001 - a parser of another Python: the pattern is not rewritten
        return False
    return all(_range_lower_cases(*value) for items in _sets_of(parsed) for kind, value in items
               if str(kind) == "RANGE")


def _sets_of(value):
    """The sets (``IN`` items) anywhere in a parsed pattern, groups, branches and look-arounds included."""
    if isinstance(value, _sre.SubPattern):
        for op, av in value:
            if str(op) == "IN":
                yield av
            else:
                yield from _sets_of(av)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _sets_of(item)


def _range_lower_cases(low: int, high: int) -> bool:
    if ord("a") <= low <= high <= ord("z") or ord("A") <= low <= high <= ord("Z"):
        return True
    return high - low < 0x3000 and all(chr(c).lower() == chr(c) == chr(c).upper() for c in range(low, high + 1))


def scanner(pattern: re.Pattern, starts: str | None = None) -> re.Pattern | None:
    """A pattern that matches one character exactly where a match of ``pattern`` starts, compiled
    without ``re.I`` (for lower-cased text when ``pattern`` has ``re.I``, see ``scanned_text``; for
    any text when not), or None when that cannot be built or would not pay: the first characters
    cannot be told, they are more than ``SCANNED_SET_MAX`` of ASCII, the pattern has flags other
    than ``re.I`` (and the default ``re.U``), or under ``re.I`` its source cannot be ``lowercased``.
    ``starts`` is ``first_characters(pattern)`` when known.

    Example: ``scanner(re.compile(r"\\bplacebo\\b", re.I)).pattern`` ->
    ``"[p](?<=(?=\\bplacebo\\b)[p])"``."""
    if not isinstance(pattern.pattern, str) or pattern.flags & ~_FLAGS_KEPT:
        return None
    starts = starts or first_characters(pattern)
    if starts is None:
        return None
    caseless = bool(pattern.flags & re.IGNORECASE)
    source = lowercased(pattern.pattern) if caseless else pattern.pattern
    if source is None:
        return None
    chars = [c for c in re.findall(starts, _ASCII, pattern.flags) if not (caseless and "A" <= c <= "Z")]
    if not chars or len(chars) > SCANNED_SET_MAX:
        return None
    first = lowercased(starts) if caseless else starts  # (categories such as \\s stay: non-ASCII text too)
    if first is None:
        return None
    try:
        return re.compile(f"{first}(?<=(?={source}){first})", pattern.flags & ~re.IGNORECASE)
    except re.error:  # e.g. inline global flags, which must open a pattern: no scanner
        return None


_last_lowered = ("", "")  # (text, text.lower()): the stages search one sentence with many patterns
# The characters outside ASCII that re.I matches with an ASCII letter (İ ı ſ K: the dotted and
# dotless i, the long s, the Kelvin sign); only "İ" changes length when lower-cased. A text holding
# none of them, lower-cased, has its offsets, and no ASCII letter it did not have.
FOLDS_TO_ASCII = re.compile("[\u0130\u0131\u017f\u212a]")


def scanned_text(text: str) -> str | None:
    """``text`` lower-cased for a ``scanner`` of a ``re.I`` pattern, or None when a character of
    it (``FOLDS_TO_ASCII``) would make the lower-cased text answer otherwise."""
    global _last_lowered
    last = _last_lowered
    if last[0] is text:
        return last[1]
    lowered = None if not text.isascii() and FOLDS_TO_ASCII.search(text) else text.lower()
    _last_lowered = (text, lowered)
    return lowered


_NO_MATCHES = iter(())  # (an exhausted iterator: what ``finditer`` returns for a text with no match)


class FastPattern:
    """A compiled pattern (``original``) searched through its ``scanner``: ``search`` and
    ``finditer`` give the very matches ``original`` gives (``re.Match`` objects of ``original``, on
    the text as given), found faster; ``match``, ``fullmatch``, ``findall``, ``sub``, ``subn`` and
    ``split`` are ``original``'s own, as are ``pattern``, ``flags``, ``groups`` and ``groupindex``.
    Made by ``led`` and ``fast``; ``source`` is the pattern as written (before ``led``)."""

    __slots__ = ("original", "source", "_scan", "_scan_search", "_caseless", "_ascii_only", "pattern", "flags", "groups",
                 "groupindex", "match", "fullmatch", "findall", "sub", "subn", "split")

    def __init__(self, original: re.Pattern, scan: re.Pattern, source: re.Pattern) -> None:
        self.original, self.source, self._scan = original, source, scan
        self._scan_search = scan.search
        self._caseless = bool(original.flags & re.IGNORECASE)
        # a letter outside ASCII in the pattern ("µg") matches its other case under re.I, which
        # lower-casing a text outside ASCII may not give: then only ASCII text is scanned
        self._ascii_only = self._caseless and any(
            not c.isascii() and (c.lower() != c or c.upper() != c) for c in source.pattern)
        self.pattern, self.flags, self.groups, self.groupindex = (original.pattern, original.flags, original.groups,
                                                                  original.groupindex)
        self.match, self.fullmatch, self.findall = original.match, original.fullmatch, original.findall
        self.sub, self.subn, self.split = original.sub, original.subn, original.split

    def search(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match | None:
        """``original.search(string, pos, endpos)``."""
        if self._caseless:
            if self._ascii_only and not string.isascii():
                return self.original.search(string, pos, endpos)
            last = _last_lowered  # (scanned_text's own first test, inline: the stages search one sentence with many patterns)
            text = last[1] if last[0] is string else scanned_text(string)
            if text is None:
                return self.original.search(string, pos, endpos)
            found = self._scan_search(text, pos, endpos)
        else:
            found = self._scan_search(string, pos, endpos)
        if found is None:
            return None
        match = self.match(string, found.start(), endpos)  # (``match`` is ``original.match``)
        return match if match is not None else self.original.search(string, pos, endpos)  # (cannot happen)

    def finditer(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match]:
        """``original.finditer(string, pos, endpos)`` (an iterator of the same matches; the first is
        looked for at once, and a text with none costs no generator)."""
        if not self._caseless:
            text = string
        elif self._ascii_only and not string.isascii():
            return self.original.finditer(string, pos, endpos)
        else:
            last = _last_lowered
            text = last[1] if last[0] is string else scanned_text(string)
            if text is None:
                return self.original.finditer(string, pos, endpos)
        found = self._scan_search(text, pos, endpos)
        if found is None:
            return _NO_MATCHES
        return self._matches(string, text, found, endpos)

    def _matches(self, string: str, text: str, found: re.Match, endpos: int) -> Iterator[re.Match]:
        """The matches of ``original`` from the scanner's first hit ``found`` on (``text``: what the
        scanner reads, ``string`` lower-cased or ``string`` itself)."""
        search, match_at = self._scan_search, self.match
        while True:
            match = match_at(string, found.start(), endpos)
            if match is None:  # pragma: no cover - cannot happen (the scanner asks the pattern itself)
                yield from self.original.finditer(string, found.start(), endpos)
                return
            yield match
            found = search(text, match.end(), endpos)  # (never empty: a pattern with first characters cannot match "")
            if found is None:
                return

    def __repr__(self) -> str:
        return f"FastPattern({self.original!r})"

    def __reduce__(self):
        return (led if self.original is not self.source else fast), (self.source,)


def fast(pattern: "re.Pattern | FastPattern") -> "re.Pattern | FastPattern":
    """``pattern`` searched through its ``scanner`` (a ``FastPattern``) when one can be built,
    else ``pattern`` itself; a ``FastPattern`` is returned as it is."""
    if isinstance(pattern, FastPattern):
        return pattern
    scan = scanner(pattern)
    return pattern if scan is None else FastPattern(pattern, scan, pattern)


class Anchored(FastPattern):
    """A ``re.I`` pattern every match of which holds one of a few literals (``anchors``, lower case) at most
    ``back`` characters after the match's start and ends at most ``ahead`` characters after that literal's
    start: searched only in windows around the literals' places, found by ``str.find`` on the lower-cased
    text (the same matches as the pattern's own ``finditer``, in order; the engine no longer steps through
    every position of a text that seldom holds them). Session 22: the design cues of randomisation,
    blinding and placebo, and population's word for men, whose look-aheads led on common letters were the
    costliest searches of their stages.

    Example: ``Anchored(re.compile(r"\\brandomly\\s+assigned\\b", re.I), ("random",), 0, 40)``."""

    __slots__ = ("_anchors", "_back", "_ahead")

    def __init__(self, pattern: re.Pattern, anchors: tuple[str, ...], back: int, ahead: int) -> None:
        super().__init__(pattern, pattern, pattern)
        self._anchors, self._back, self._ahead = anchors, back, ahead

    def finditer(self, string: str, pos: int = 0, endpos: int = sys.maxsize):
        """``original.finditer(string, pos, endpos)``."""
        lowered = scanned_text(string)
        if lowered is None:
            yield from self.original.finditer(string, pos, endpos)
            return
        places = []
        for anchor in self._anchors:
            at = lowered.find(anchor, pos, endpos)
            while at >= 0:
                places.append(at)
                at = lowered.find(anchor, at + 1, endpos)
        if len(self._anchors) > 1:
            places.sort()
        last = pos
        for at in places:
            if at + self._ahead <= last:
                continue  # (inside a match already given)
            for match in self.original.finditer(string, max(last, at - self._back), min(endpos, at + self._ahead)):
                if match.start() > at:
                    break  # (a match further on holds a literal of its own, and is asked in that literal's window:
                    # here the window's end could cut it short)
                if match.start() >= last:
                    yield match
                    last = match.end()

    def search(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match | None:
        """``original.search(string, pos, endpos)``."""
        return next(self.finditer(string, pos, endpos), None)

    def __reduce__(self):
        return Anchored, (self.original, self._anchors, self._back, self._ahead)
