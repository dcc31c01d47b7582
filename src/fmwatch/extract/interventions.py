"""Interventions that are no drug the substance lexicon knows: physical and behavioural treatments
(massage, TENS, exercise, acupuncture, rehabilitation, breastfeeding ...), drug classes and
chemotherapy regimens named by their usual abbreviations (NSAIDs, TNFi, FOLFOX), an inert vehicle
as placebo, and abbreviations a text defines for any intervention ("deep tissue massage (DTM)",
"methotrexate (MTX)").

Used by ``arms`` beside ``substances.substance_mentions``: each is a ``Mention`` whose ``name`` and
``substance`` are the intervention's normal name (lower case, as the pain labels name non-drug arms:
tests/gold/README.md, pain section). A non-drug intervention has no dose and no route of its own
(``NON_DRUG``). The vocabulary follows the interventions of pain and rehabilitation trials
(Cochrane Back and Neck and PaPaS review groups' intervention headings; EBM-NLP's "physical" and
"behavioural" intervention types, Nye et al., ACL 2018)."""

from __future__ import annotations

import re
from functools import lru_cache

from .fastre import led
from .substances import Mention, substance_mentions

# (normal name, pattern, needles): a pattern is only run on a text holding one of its needles (lower-case
# needles in the lower-cased text, others as written). Longer names first ("electroacupuncture" before
# "acupuncture"); "deep tissue massage" is "massage".
_NON_DRUG = [
    ("electroacupuncture", r"electro-?acupuncture", ("acupunct",)),
    ("acupuncture", r"(?:auricular\s+|laser\s+)?acupuncture|dry\s+needling", ("acupunct", "needling")),
    ("transcutaneous electrical nerve stimulation", r"transcutaneous\s+electrical\s+(?:nerve\s+)?stimulation|(?-i:TENS)",
     ("transcutaneous", "TENS")),
    ("neuromuscular electrical stimulation", r"neuromuscular\s+electrical\s+stimulation|(?-i:NMES)",
     ("neuromuscular electrical", "NMES")),
    ("rtms", r"(?:repetitive\s+)?transcranial\s+magnetic\s+stimulation|(?-i:rTMS)", ("transcranial magnetic", "rTMS")),
    ("tdcs", r"transcranial\s+direct[\s-]+current\s+stimulation|(?-i:tDCS)", ("transcranial direct", "tDCS")),
    ("neurofeedback", r"neurofeedback", ("neurofeedback",)),
    ("biofeedback", r"biofeedback", ("biofeedback",)),
    ("massage", r"(?:deep[\s-]+tissue\s+|swedish\s+|classical\s+|therapeutic\s+)?massage|effleurage",
     ("massage", "effleurage")),
    ("exercise", r"(?:aerobic\s+|resistance\s+|strengthening\s+|aquatic\s+|home\s+|supervised\s+|stretching\s+)?"
                 r"exercises?(?:\s+(?:program(?:me)?s?|training|therapy|sessions?))?(?![\s-]+(?:capacity|tolerance|test\w*|"
                 r"induced|performance|stress|testing))|"
                 r"(?:aerobic|resistance|strength)\s+training", ("exercis", "aerobic training", "resistance training", "strength training")),
    ("physiotherapy", r"physiotherapy|physical\s+therapy", ("physiotherap", "physical therap")),
    ("rehabilitation", r"(?:[\w-]+\s+)?rehabilitation(?:\s+program(?:me)?)?(?![\s-]+(?:centres?|centers?|units?|"
                       r"clinics?|hospitals?|settings?))", ("rehabilitation",)),
    ("yoga", r"yoga", ("yoga",)),
    ("tai chi", r"tai[\s-]+chi", ("tai chi", "tai-chi")),
    ("pilates", r"pilates", ("pilates",)),
    ("hydrotherapy", r"hydrotherapy|balneotherapy|spa\s+therapy", ("hydrotherap", "balneother", "spa therap")),
    ("cognitive behavioural therapy", r"cognitive[\s-]+behaviou?ral\s+therapy|(?-i:CBT)", ("cognitive", "CBT")),
    ("hypnosis", r"hypnosis|hypnotherapy", ("hypno",)),
    ("music", r"music(?:\s+therapy)?", ("music",)),
    ("mindfulness", r"mindfulness(?:[\s-]+based\s+stress\s+reduction)?|(?-i:MBSR)", ("mindful", "MBSR")),
    ("relaxation", r"relaxation(?:\s+training|\s+therapy|\s+techniques?)?", ("relaxation",)),
    ("manual therapy", r"manual\s+therapy|spinal\s+manipulation|chiropractic(?:\s+care|\s+manipulation)?",
     ("manual therap", "manipulat", "chiropract")),
    ("taping", r"(?:kinesio[\s-]?)?taping", ("taping",)),
    ("laser therapy", r"low[\s-]+level\s+laser(?:\s+therapy)?|laser\s+therapy|(?-i:LLLT)", ("laser", "LLLT")),
    ("cryotherapy", r"cryotherapy|cold\s+therapy", ("cryotherap", "cold therap")),
    ("breastfeeding", r"breast[\s-]?feeding", ("breastfeed", "breast feed", "breast-feed")),
    ("skin-to-skin contact", r"skin[\s-]+to[\s-]+skin\s+contact|kangaroo\s+care", ("to-skin", "to skin", "kangaroo")),
    ("education", r"(?:patient|pain|health)\s+education|education(?:al)?\s+(?:program(?:me)?|sessions?)",
     ("education",)),
]
# Drugs named by their class or by an ending the substance lexicon lacks (the INN stem -cept of fusion
# proteins), and chemotherapy regimens by their usual abbreviations (never defined in an abstract).
_AGENTS = [
    ("nsaid", r"non-?steroidal\s+anti-?inflammatory\s+drugs?|(?-i:NSAIDs?)", ("steroidal", "NSAID")),
    ("tnfi", r"(?:tumou?r\s+necrosis\s+factor|(?-i:TNF))(?:[\s-]+(?:alpha|α))?\s+inhibitors?|anti-(?-i:TNF)\w*|(?-i:TNFis?)",
     ("necrosis factor", "TNF")),
    ("glucosamine", r"glucosamine(?:\s+(?:sulph|sulf)ate|\s+hydrochloride)?", ("glucosamin",)),
    ("chondroitin", r"chondroitin(?:\s+(?:sulph|sulf)ate)?", ("chondroitin",)),
    ("hyaluronic acid", r"(?:sodium\s+)?hyaluron(?:ate|ic\s+acid|an)", ("hyaluron",)),
    ("bupivacaine", r"bupivacain", ("bupivacain",)),  # (the spelling without its final e)
    ("", r"[a-z]{2,}(?:acept|nercept|bercept)", ("acept", "nercept", "bercept")),  # (named as written)
    ("", r"(?-i:FOLFOX\d*|FOLFIRI(?:NOX)?|XELOX|CAPOX|FEC(?:-?\d+)?|R-CHOP|CHOP|ABVD|CMF|TAC|AC|EC|TC)",
     ("FOLF", "XELOX", "CAPOX", "FEC", "CHOP", "ABVD", "CMF", " AC", " EC", " TC")),
    ("placebo", r"vehicle(?:\s+(?:control|cream|gel|solution|ointment|patch))*", ("vehicle",)),
]
# (each behind a look-ahead of the characters it can start with, ``fastre.led``: the same matches, faster)
# Two-letter regimens (doxorubicin-cyclophosphamide, epirubicin-cyclophosphamide, docetaxel-cyclophosphamide,
# docetaxel-doxorubicin-cyclophosphamide) are regimens only where chemotherapy is spoken of.
SHORT_REGIMENS = frozenset(("ac", "ec", "tc", "tac"))
CHEMOTHERAPY_WORDS = ("chemotherap", "cycle", "regimen", "adjuvant")
_VOCABULARY = [(name, led(re.compile(rf"\b(?:{pattern})\b", re.I)), needles) for name, pattern, needles in _NON_DRUG + _AGENTS]
NON_DRUG = frozenset(name for name, _, _ in _NON_DRUG)


# Each entry's needles with whether they are looked for in the lower-cased text.
_CASED = [tuple((n, n.islower()) for n in needles) for _, _, needles in _VOCABULARY]
# For the look over a whole record, needles several entries share, each standing for needles that
# hold it (every text an entry's pattern matches holds its umbrella needle too): fewer looks.
_UMBRELLA = {"transcutaneous": "stimulation", "neuromuscular electrical": "stimulation",
             "transcranial magnetic": "stimulation", "transcranial direct": "stimulation",
             "aerobic training": "training", "resistance training": "training", "strength training": "training",
             "physiotherap": "therap", "physical therap": "therap", "hydrotherap": "therap", "balneother": "therap",
             "spa therap": "therap", "cognitive": "therap", "manual therap": "therap", "cryotherap": "therap",
             "cold therap": "therap", "breastfeed": "breast", "breast feed": "breast", "breast-feed": "breast",
             "to-skin": "skin", "to skin": "skin", "acept": "cept", "nercept": "cept", "bercept": "cept"}
# Each (umbrella) needle once, with the entries it opens.
_BY_NEEDLE: dict[str, list[int]] = {}
for _index, (_, _, _needles) in enumerate(_VOCABULARY):
    for _needle in _needles:
        _opened = _BY_NEEDLE.setdefault(_UMBRELLA.get(_needle, _needle), [])
        if _index not in _opened:
            _opened.append(_index)
AGENT_FROM = len(_NON_DRUG)  # the entries from here on are _AGENTS (classes, regimens, vehicles)
_LOWER_NEEDLES = tuple((n, tuple(i)) for n, i in _BY_NEEDLE.items() if n.islower())
_OTHER_NEEDLES = tuple((n, tuple(i)) for n, i in _BY_NEEDLE.items() if not n.islower())


def vocabulary_in(text: str) -> tuple[int, ...]:
    """The entries of the vocabulary (their indexes, ascending; those below ``AGENT_FROM`` are
    treatments that are no drug) one of whose needles ``text`` holds: what
    ``intervention_mentions`` need look for in any part of that text."""
    lowered = text.lower()
    found: set[int] = set()
    for needle, indexes in _LOWER_NEEDLES:
        if needle in lowered:
            found.update(indexes)
    for needle, indexes in _OTHER_NEEDLES:
        if needle in text:
            found.update(indexes)
    return tuple(sorted(found))


@lru_cache(maxsize=1024)
def intervention_mentions(text: str, entries: tuple[int, ...] | None = None) -> tuple[Mention, ...]:
    """The interventions of ``text`` the substance lexicon does not name (``_NON_DRUG``, ``_AGENTS``:
    drug classes, "-cept" fusion proteins and chemotherapy regimens named as written, a vehicle as
    ``placebo``), in text order, as ``Mention``s with offsets in ``text``; a name inside a longer
    one is dropped. ``entries`` (from ``vocabulary_in`` on the whole record) limits the search to
    the entries the record can hold. Cached per text.

    Example: "randomised to deep tissue massage or TENS" -> massage (14, 33), transcutaneous
    electrical nerve stimulation (37, 41)."""
    lowered = text.lower()
    found: list[Mention] = []
    for index in (range(len(_VOCABULARY)) if entries is None else entries):
        name, pattern, _ = _VOCABULARY[index]
        for needle, lower in _CASED[index]:  # (a loop: faster than any() over a generator)
            if needle in (lowered if lower else text):
                break
        else:
            continue
        for match in pattern.finditer(text):
            if not any(m.start < match.end() and match.start() < m.end for m in found):
                written = name or match.group(0).lower()
                if written in SHORT_REGIMENS and not any(w in lowered for w in CHEMOTHERAPY_WORDS):
                    continue  # "TC" is total cholesterol, "EC" an ejection count, unless chemotherapy is spoken of
                found.append(Mention(written, written, None, match.start(), match.end()))
    return tuple(sorted(found, key=lambda m: m.start))


# An abbreviation defined right after a name: "deep tissue massage (DTM)", "methotrexate (MTX)",
# "multidisciplinary orthopaedic rehabilitation (MOR)".
WORD = re.compile(r"[A-Za-z][\w-]*")
ABBREVIATION = re.compile(r"\(\s*(?P<abbr>[A-Z][A-Za-z]{0,2}[A-Z][A-Za-z0-9+-]{0,5}|[A-Z][a-z])\s*\)")


def abbreviation_sites(text: str) -> dict[str, int]:
    """The abbreviations ``text`` may define for an intervention: ``{"DTM": offset of its bracket}``,
    each the first bracket holding it ("(DTM)") that one of the four words before opens with its
    first letter, and used again in the text. Cheap: whether a name stands before the bracket is
    ``defined_at``'s question, asked only of the abbreviations a reader meets. Case as written."""
    found: dict[str, int] = {}
    if "(" not in text:
        return found
    for match in ABBREVIATION.finditer(text):
        abbr = match.group("abbr")
        if abbr in found or abbr in ("MG", "Mg"):
            continue
        first = abbr[0].lower()
        words = WORD.findall(text, max(0, match.start() - 70), match.start())[-4:]
        if any(w[0].lower() == first for w in words) and (
                text.find(abbr, match.end()) >= 0 or text.find(abbr) < match.start()):
            found[abbr] = match.start()  # (an abbreviation never used again names nothing we read)
    return found


def defined_at(text: str, abbr: str, at: int) -> Mention | None:
    """The intervention the abbreviation ``abbr`` in the bracket at ``text[at]`` stands for
    (``abbreviation_sites``), or None: a name (a known substance or an intervention of this module)
    within the four words before the bracket, at most two words before it, at or after a word that
    opens with the abbreviation's first letter (the Schwartz and Hearst rule, PSB 2003, made strict).
    Offsets of the returned mention are those of the window read, not of ``text``.

    Example: "... deep tissue massage (DTM) ..." with "DTM" -> massage."""
    window = text[max(0, at - 70):at]
    words = list(WORD.finditer(window))[-4:]
    if not words:
        return None
    window = window[words[0].start():]  # the four words before the bracket
    first = abbr[0].lower()
    named = [m for m in list(substance_mentions(window)) + list(intervention_mentions(window))
             if m.name != "placebo" and len(WORD.findall(window[m.end:])) <= 2
             and any(w[0].lower() == first for w in WORD.findall(window[:m.end]))]
    return named[-1] if named else None


def abbreviations(text: str) -> dict[str, Mention]:
    """Every abbreviation ``text`` defines for an intervention: ``{"DTM": Mention("massage", ...)}``
    (``abbreviation_sites`` whose ``defined_at`` names one)."""
    found = {}
    for abbr, at in abbreviation_sites(text).items():
        mention = defined_at(text, abbr, at)
        if mention is not None:
            found[abbr] = mention
    return found
