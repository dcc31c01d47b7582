"""Outcome measures named in a result clause, beyond the fixed fibromyalgia vocabulary of
``lexicon.MEASURES``: whatever the clause says changed ("PLMS associated with arousals decreased",
"a significant decrease in the vocalization thresholds", "magnesium reduced morphine consumption",
"improved in their morning stiffness and pain analog scores").

Pure text functions: they read one clause and return where each measure is, its label and its
polarity (whether higher is better). The outcome extractor (``core.outcomes``) gives them a
direction and evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CHANGE = (r"(?:decreas\w*|reduc\w*|improv\w*|increas\w*|declin\w*|diminish\w*|fell|rose|drop\w*|lower(?:ed)?|"
          r"worsen\w*|deteriorat\w*|attenuat\w*|elevat\w*)")
NULL = (r"(?:did\s+not\s+(?:\w+\s+)?(?:change|differ|improve|decrease|increase)|(?:was|were|are|is)\s+not\s+"
        r"(?:significantly\s+|statistically\s+)?(?:different|changed|improved|reduced|affected)|"
        r"(?:was|were|remained)\s+unchanged|(?:was|were)\s+similar)")
ADVERB = r"(?:(?:also|significantly|moderately|markedly|slightly|further|statistically|only|both|all)\s+)*"
# "<measure> (was) (significantly) decreased": the measure is the subject, the words before the verb.
VERB = re.compile(rf"\s(?:(?:was|were|are|is|had|have)\s+)?{ADVERB}(?P<verb>{CHANGE}|{NULL})\b", re.I)
SUBJECT_WORDS = 12
# Where a subject cannot reach back past: a conjunction or relative pronoun opens another clause.
SUBJECT_STOP = frozenset("that which where whereas while but because when showed show although though than".split())
# "a (significant) decrease in the vocalization thresholds", "improvements in walking speed".
CHANGE_IN = re.compile(
    r"\b(?:decrease|reduction|increase|improvement|decline|drop|fall|rise|elevation|worsening|deterioration)s?"
    r"\s+(?:of\s+[\d.,%±\s-]+\s+)?in\s+(?:the\s+|their\s+)?(?P<np>[A-Za-z][\w'/-]*(?:\s+[\w'/-]+){0,6}?)"
    r"(?=\s*(?:\(|,|;|\.|$|\s+(?:at|after|from|compared|versus|vs|than|by|with|in|of\s+\d|reflecting|and\s+(?:a|an|the))\b))",
    re.I)
# "magnesium reduced cumulative morphine consumption by 24.4%"; "improved significantly in their
# morning stiffness and pain scores"; "improved ... with respect to sleep pattern".
VERB_OBJECT = re.compile(
    rf"\b(?P<verb>reduc\w*|decreas\w*|improv\w*|increas\w*|lowered|attenuat\w*|elevat\w*|worsen\w*)\s+{ADVERB}(?:(?:in|on|with\s+respect\s+to|regarding)\s+)?(?:the\s+|their\s+|its\s+)?"
    r"(?P<np>[A-Za-z][\w'/-]*(?:\s+(?!(?:by|at|after|from|compared|versus|than|in\s+(?:the|both|all|patients))\b)"
    r"[\w'/-]+){0,8}?)(?=\s*(?:\(|,|;|\.|$|\s+(?:by|at|after|from|compared|versus|vs|than|in\s+(?:the|both|all|"
    r"patients|\d)|when|during|over|within)\b))", re.I)

# "complete pain relief", "partial relief of pain": relief is itself the improvement.
RELIEF = re.compile(r"\b(?P<np>(?:[a-z-]+\s+)?relief)\b", re.I)
# Words a measure's name never holds: verbs, relative pronouns, the people and the treatments.
NOT_IN_MEASURE = frozenset("""who which that showed show shows had has have received receiving experienced was were
is are did does patients subjects participants group groups rat rats mouse mice women men people children volunteers
controls magnesium mg placebo treatment therapy supplementation drug infusion study trial we they bid tid daily
tablet tablets capsule capsules limb limbs dose doses combination combined""".split())
# Words that make no measure by themselves ("other secondary endpoints", "subscale scores").
GENERIC_WORDS = frozenset("""score subscale total secondary primary other endpoint outcome parameter measure variable
value level result change effect difference mean rate overall main significant slight marked small large modest
greater""".split())
# A measure's name does not open with a preposition, an adverb or a verb: "from 54", "by the second
# week", "significantly", "stayed better".
NOT_FIRST = re.compile(r"(?:from|at|by|to|in|on|after|before|during|over|within|than|significantly|stayed|remained|"
                       r"became|got|was|were|both|each|either|neither|no|not|only|also|further|markedly)\b", re.I)
# The head a list of modifiers shares: "patient and physician global assessments".
SHARED_HEAD = re.compile(r"\s(?P<head>(?:global\s+)?(?:assessments?|scores?|ratings?|evaluations?|impressions?|indices|"
                         r"index|scales?))$", re.I)
# "After 4 weeks, ...", "Following magnesium treatment, ...": an opening phrase, not the measure.
INTRO = re.compile(r"(?:after|following|in|at|during|compared|when|of|among|with|for|overall|by|from|on|within|"
                   r"over|between|relative)\b[^,:]*[,:]\s*", re.I)
TRAILING_TIME = re.compile(r"\s+(?:at|after|during|over|within|for|from)\s+(?:\d|baseline|the\s+end|week|month|day)"
                           r".*$", re.I)
PREPOSITION_PART = re.compile(r"^(?:at|on|in|during|with|after)\s+\w+", re.I)
STOP = frozenset("the a an of in on at to and or with without their its his her this that these those both all "
                 "each was were is are".split())
# Not measures: people, groups, treatments, statistics, time.
NOT_MEASURE = re.compile(
    r"^(?:it|this|that|there|which|they|we|these|those|patients?|subjects?|participants?|women|men|groups?|"
    r"differences?|significant\s+differences?|changes?|effects?|results?|values?|levels?|scores?|doses?|"
    r"treatment|therapy|placebo|controls?|baseline|time|rates?|number|proportion|mean|median|p|ratio|data|"
    r"magnesium|mg|study|trial|analysis|both|all|none|some|most)$", re.I)
LEADING = re.compile(r"^(?:(?:the|a|an|their|its|also|both|all|mean|overall|total)\s+)+", re.I)
# Whether more of a measure is better: most measures reported in trials are of symptoms or use.
HIGHER_IS_BETTER = re.compile(
    r"efficien|quality|threshold|function|relief|strength|well-?being|satisfaction|energy|mobility|range|distance|"
    r"speed|survival|tolerance|response|remission|activity|performance|capacity|sleep\s+time|health|global", re.I)
SUBSTANCE_SUBJECT = re.compile(r"\b(?:magnesium|mg|treatment|therapy|supplementation|intervention|infusion|drug|"
                               r"administration|[a-z]{3,}(?:ine|ol|ide|ate))\b[^,;]{0,30}$", re.I)


# Substrings (lower case) one of which each pattern needs: in an ASCII clause holding none of them,
# the pattern is not run (a substring test costs far less than the regex).
CHANGE_IN_NEEDLES = ("decrease", "reduction", "increase", "improvement", "decline", "drop", "fall", "rise", "elevation",
                     "worsening", "deterioration")
VERB_OBJECT_NEEDLES = ("reduc", "decreas", "improv", "increas", "lowered", "attenuat", "elevat", "worsen")
VERB_NEEDLES = ("decreas", "reduc", "improv", "increas", "declin", "diminish", "fell", "rose", "drop", "lower", "worsen",
                "deteriorat", "attenuat", "elevat", "not", "unchanged", "similar")
WORD_RUN = re.compile(r"\S+")


def _holds_any(lowered: str | None, needles: tuple[str, ...]) -> bool:
    """Whether an ASCII clause in lower case holds one of the needles (always True for None: a
    clause that is not ASCII runs every pattern)."""
    return lowered is None or any(n in lowered for n in needles)


@dataclass(frozen=True)
class Measure:
    """A measure found in a clause: offsets in the clause, its label as written (or with a shared
    head: "physician global assessments"), and whether more of it is better."""

    start: int  # within the clause
    end: int
    label: str
    higher_is_better: bool


def tokens(text: str) -> set[str]:
    """Content words of a label, lower case, a plural "s" dropped: {"pain", "score"} for "pain scores"."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words} - STOP


# "(PLMS per hour of total sleep time ...)": a count per hour of sleep, which the field names the
# index of what is counted (periodic limb movement index, apnoea-hypopnoea index).
PER_HOUR_INDEX = re.compile(r"\(\s*(?P<abbr>[A-Z][A-Za-z-]{1,9})\s+per\s+hour\b")
# "complete relief", "partial pain relief": how much relief is a count of responders, not a measure.
DEGREE = re.compile(r"^(?:complete|partial|total|full|significant|marked|moderate|substantial|some|good|excellent|"
                    r"adequate|effective|satisfactory)\s+", re.I)
# "long form (ABBR)": an abbreviation the text defines (the long form is read back from the bracket).
ABBREVIATION = re.compile(r"[A-Z][A-Za-z0-9-]{1,9}")
DEFINED = re.compile(r"\(\s*(?P<short>[A-Z][A-Za-z0-9-]{1,9})\s*\)")
LONG_WORD = re.compile(r"[A-Za-z][\w'-]*")
LONG_WORD_END = re.compile(r"[A-Za-z][\w'-]*$")


def plain_label(label: str) -> str:
    """A measure's label without a degree word; bare relief is pain relief (the IMMPACT outcome).

    >>> plain_label("complete relief"), plain_label("partial pain relief"), plain_label("pain scores")
    ('pain relief', 'pain relief', 'pain scores')"""
    plain = DEGREE.sub("", label.strip())
    return "pain relief" if plain.lower() == "relief" else plain


def abbreviations(text: str) -> dict[str, str]:
    """The abbreviations a text defines as "long form (ABBR)", the long form being the last words
    whose initials spell the abbreviation: {"NS": "numerical scale"} for "on pain [Neuropathic Pain
    Symptom Inventory (NPSI) and numerical scale (NS)]". An abbreviation with no such words is left out."""
    found: dict[str, str] = {}
    for match in DEFINED.finditer(text):
        short = match.group("short")
        letters = re.sub(r"[^a-z]", "", short.lower())
        words: list[str] = []  # the words right before the bracket, nearest last
        for token in reversed(text[max(0, match.start() - 150):match.start()].split()):
            if len(words) == 8:
                break
            if LONG_WORD.fullmatch(token):
                words.insert(0, token)
                continue
            tail = LONG_WORD_END.search(token)  # "[Neuropathic": the word after the bracket opens
            if tail:
                words.insert(0, tail.group(0))
            break
        for count in range(1, min(len(words), len(letters) + 2) + 1):
            candidate = words[-count:]
            if "".join(w[0] for w in candidate).lower() == letters:
                found.setdefault(short, " ".join(candidate))
                break
    return found


# A last word that says how a measure was counted, not what it is: "questionnaire score", "pain scores".
# (Lower case only: "Leeds Neuropathy Score" is an instrument's name, score and all.)
TRAILING_GENERIC = re.compile(r"(?:\s+(?:scores?|values?|ratings?))+$")


def key_of(label: str) -> str:
    """A measure key from a label: lower case words joined by "_", without leading "the/mean/total"
    or a trailing "score(s)" ("PLMS index" -> "plms_index"; "menstrual distress questionnaire
    scores" -> "menstrual_distress_questionnaire"; a bare "scores" stays "scores")."""
    label = LEADING.sub("", label)
    label = TRAILING_GENERIC.sub("", label) or label
    return "_".join(re.findall(r"[a-z0-9]+", label.lower()))


def _split_list(np: str, at: int) -> list[tuple[int, int, str]]:
    """'NPSI, NS and quality of life' -> three (start, end, label); 'patient and physician global
    assessments' stays one (a shared head noun), as does 'PLMS associated with arousals'; 'pain
    scores at rest and on movement' -> 'pain scores at rest', 'pain scores on movement'."""
    parts, start = [], 0
    for match in re.finditer(r",\s*(?:and\s+)?|\s+and\s+", np):
        parts.append((start, match.start()))
        start = match.end()
    parts.append((start, len(np)))
    words = [len(np[a:b].split()) for a, b in parts]
    if len(parts) > 1 and all(w == 1 for w in words[:-1]) and words[-1] > 1 and np[parts[0][0]].islower():
        return [(at, at + len(np), np)]  # "patient and physician global assessments": one head
    found = []
    head = None
    shared = SHARED_HEAD.search(np[parts[-1][0]:parts[-1][1]]) if len(parts) > 1 else None
    for index, (a, b) in enumerate(parts):
        if b <= a:
            continue
        piece = np[a:b]
        if (shared and index < len(parts) - 1 and len(piece.split()) == 1 and piece.islower()
                and index == len(parts) - 2):
            found.append((at + a, at + b, f"{piece} {shared.group('head')}"))
            continue
        prep = re.search(r"\s+(?:at|on|in|during|with|after)\s+\w+", piece)
        if head is None and prep:
            head = piece[:prep.start()]
        label = f"{head} {piece}" if head and PREPOSITION_PART.match(piece) else piece
        found.append((at + a, at + b, label))
    return found


def _clean(clause: str, start: int, end: int) -> tuple[int, int] | None:
    text = clause[start:end]
    intro = INTRO.match(text)  # "Following magnesium treatment, PLMS ..." -> "PLMS ..."
    if intro:
        start, text = start + intro.end(), text[intro.end():]
    if ": " in text:
        cut = text.rfind(": ")
        start, text = start + cut + 2, text[cut + 2:]
    trailing = TRAILING_TIME.search(text)
    if trailing and trailing.start() > 0 and not text.lower().startswith(("at ", "on ")):
        text = text[:trailing.start()]
    lead = LEADING.match(text)
    if lead:
        start, text = start + lead.end(), text[lead.end():]
    paren = re.search(r"\s*\([^)]*\)?\s*$", text)  # "PLMS associated with arousals (PLMS-A)"
    if paren and paren.start() > 0:
        end, text = start + paren.start(), text[:paren.start()]
    text = text.rstrip()
    end = start + len(text)
    conjunction = re.match(r"(?:and|or|but)\s+(?:the\s+|their\s+)?", text, re.I)
    if conjunction:
        start, text = start + conjunction.end(), text[conjunction.end():]
    words = set(re.findall(r"[a-z]+", text.lower()))
    if (not text or NOT_MEASURE.match(text) or not tokens(text) - GENERIC_WORDS or len(text) > 80
            or (len(text) < 3 and not text.isupper())
            or words & NOT_IN_MEASURE or NOT_FIRST.match(text) or re.search(r"\d", text)):
        return None
    return start, end


def generic_measures(clause: str) -> list[Measure]:
    """The measures a result clause reports a change in, with positions in the clause.

    Example: "PLMS associated with arousals (PLMS-A) decreased significantly" -> one measure,
    "PLMS associated with arousals", lower is better. Returns [] when the clause names none."""
    found: list[Measure] = []
    candidates: list[tuple[int, int]] = []
    lowered = clause.lower()
    ascii_lowered = lowered if clause.isascii() else None  # (None: every pattern is run)
    if " in " in lowered and _holds_any(ascii_lowered, CHANGE_IN_NEEDLES):
        for match in CHANGE_IN.finditer(clause):
            candidates.append((match.start("np"), match.end("np")))
    for match in VERB_OBJECT.finditer(clause) if _holds_any(ascii_lowered, VERB_OBJECT_NEEDLES) else ():
        if re.match(r"(?i)improv", match.group("verb")) or SUBSTANCE_SUBJECT.search(clause, max(0, match.start() - 60),
                                                                                      match.start()):
            candidates.append((match.start("np"), match.end("np")))
    for match in VERB.finditer(clause) if _holds_any(ascii_lowered, VERB_NEEDLES) else ():
        start = match.start()
        words = list(WORD_RUN.finditer(clause[max(0, start - 200):start]))[-SUBJECT_WORDS:]
        stops = [i for i, w in enumerate(words) if w.group(0).lower().strip(",;:") in SUBJECT_STOP]
        if stops:
            words = words[stops[-1] + 1:]
        while words and not words[0].group(0)[0].isalpha():
            words.pop(0)
        if {w.group(0).lower().strip(",;:()") for w in words[-3:]} & NOT_IN_MEASURE:
            continue  # "peri-operative magnesium reduced ...", "the amitriptyline group improved": the
            # subject is the treatment or the people; the measure, if any, is the object
        if words:
            offset = max(0, start - 200)
            candidates.append((offset + words[0].start(), offset + words[-1].end()))
    for match in RELIEF.finditer(clause) if _holds_any(ascii_lowered, ("relief",)) else ():
        candidates.append((match.start("np"), match.end("np")))
    for start, end in candidates:
        # a subject may run over an earlier clause: "... diminishes and the emotional component improves"
        joined = list(re.finditer(r"\s+and\s+(?:the|a|an|their)\s+", clause[start:end]))
        if joined and re.search(CHANGE, clause[start:start + joined[-1].start()], re.I):
            start += joined[-1].end()
        while (intro := INTRO.match(clause, start, end)) is not None:  # "After 4 weeks, NPSI ..." -> "NPSI ..."
            start = intro.end()
        trailing = TRAILING_TIME.search(clause, start, end)
        if trailing and trailing.start() > start:
            end = trailing.start()
        for a, b, label in _split_list(clause[start:end], start):
            piece = _clean(clause, a, b)
            if piece is None and label != clause[a:b]:
                piece = (a, b)  # "patient [global assessments]": the shared head makes it a measure
            if piece is None or any(m.start <= piece[0] < m.end or piece[0] <= m.start < piece[1] for m in found):
                continue
            if label == clause[a:b]:
                label = clause[piece[0]:piece[1]]
            found.append(Measure(piece[0], piece[1], label, bool(HIGHER_IS_BETTER.search(label))))
    return found


# Speed: the patterns searched most often, behind a look-ahead of the characters they can start
# with (``fastre.led``: the same matches, found faster). Kept last, to cover whatever they become.
from .fastre import led  # noqa: E402

VERB_OBJECT, CHANGE_IN, HIGHER_IS_BETTER = map(led, (VERB_OBJECT, CHANGE_IN, HIGHER_IS_BETTER))
