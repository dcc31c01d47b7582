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

from .substances import Mention, substance_mentions

# (normal name, pattern): the first pattern that matches a stretch of text names it. Longer names
# first ("electroacupuncture" before "acupuncture", "deep tissue massage" is "massage").
_NON_DRUG = [
    ("electroacupuncture", r"electro-?acupuncture"),
    ("acupuncture", r"(?:auricular\s+|laser\s+)?acupuncture|dry\s+needling"),
    ("transcutaneous electrical nerve stimulation", r"transcutaneous\s+electrical\s+(?:nerve\s+)?stimulation|(?-i:TENS)"),
    ("neuromuscular electrical stimulation", r"neuromuscular\s+electrical\s+stimulation|(?-i:NMES)"),
    ("rtms", r"(?:repetitive\s+)?transcranial\s+magnetic\s+stimulation|(?-i:rTMS)"),
    ("tdcs", r"transcranial\s+direct[\s-]+current\s+stimulation|(?-i:tDCS)"),
    ("neurofeedback", r"neurofeedback"),
    ("biofeedback", r"biofeedback"),
    ("massage", r"(?:deep[\s-]+tissue\s+|swedish\s+|classical\s+|therapeutic\s+)?massage|effleurage"),
    ("exercise", r"(?:aerobic\s+|resistance\s+|strengthening\s+|aquatic\s+|home\s+|supervised\s+|stretching\s+)?"
                 r"exercises?(?:\s+(?:program(?:me)?s?|training|therapy|sessions?))?(?![\s-]+(?:capacity|tolerance|test\w*|"
                 r"induced|performance|stress|testing))|"
                 r"(?:aerobic|resistance|strength)\s+training"),
    ("physiotherapy", r"physiotherapy|physical\s+therapy"),
    ("rehabilitation", r"(?:[\w-]+\s+)?rehabilitation(?:\s+program(?:me)?)?(?![\s-]+(?:centres?|centers?|units?|"
                       r"clinics?|hospitals?|settings?))"),
    ("yoga", r"yoga"),
    ("tai chi", r"tai[\s-]+chi"),
    ("pilates", r"pilates"),
    ("hydrotherapy", r"hydrotherapy|balneotherapy|spa\s+therapy"),
    ("cognitive behavioural therapy", r"cognitive[\s-]+behaviou?ral\s+therapy|(?-i:CBT)"),
    ("hypnosis", r"hypnosis|hypnotherapy"),
    ("music", r"music(?:\s+therapy)?"),
    ("mindfulness", r"mindfulness(?:[\s-]+based\s+stress\s+reduction)?|(?-i:MBSR)"),
    ("relaxation", r"relaxation(?:\s+training|\s+therapy|\s+techniques?)?"),
    ("manual therapy", r"manual\s+therapy|spinal\s+manipulation|chiropractic(?:\s+care|\s+manipulation)?|mobili[sz]ation"),
    ("taping", r"(?:kinesio[\s-]?)?taping"),
    ("laser therapy", r"low[\s-]+level\s+laser(?:\s+therapy)?|laser\s+therapy|(?-i:LLLT)"),
    ("cryotherapy", r"cryotherapy|cold\s+therapy|ice\s+packs?"),
    ("breastfeeding", r"breast[\s-]?feeding"),
    ("skin-to-skin contact", r"skin[\s-]+to[\s-]+skin\s+contact|kangaroo\s+care"),
    ("education", r"(?:patient|pain|health)\s+education|education(?:al)?\s+(?:program(?:me)?|sessions?)"),
]
# Drugs named by their class or by a fusion-protein ending the substance lexicon lacks, and
# chemotherapy regimens named by their usual abbreviations (never defined in an abstract).
_AGENTS = [
    ("nsaid", r"non-?steroidal\s+anti-?inflammatory\s+drugs?|(?-i:NSAIDs?)"),
    ("tnfi", r"(?:tumou?r\s+necrosis\s+factor|(?-i:TNF))(?:[\s-]+(?:alpha|α))?\s+inhibitors?|anti-(?-i:TNF)\w*|(?-i:TNFis?)"),
    ("glucosamine", r"glucosamine(?:\s+(?:sulph|sulf)ate|\s+hydrochloride)?"),
    ("chondroitin", r"chondroitin(?:\s+(?:sulph|sulf)ate)?"),
    ("hyaluronic acid", r"(?:sodium\s+)?hyaluron(?:ate|ic\s+acid|an)"),
    ("bupivacaine", r"bupivacain"),  # (the spelling without its final e, frequent in European abstracts)
]
_REGIMENS = r"(?-i:FOLFOX\d*|FOLFIRI|FOLFIRINOX|XELOX|CAPOX|FEC(?:-?\d+)?|R-CHOP|CHOP|ABVD|CMF|AC|EC|TAC|TC)"
_CEPT = r"[a-z]{3,}cept"  # fusion proteins: etanercept, abatacept, aflibercept (INN stem -cept)
_VEHICLE = r"vehicle(?:\s+(?:control|cream|gel|solution|ointment|patch))*"

NON_DRUG = frozenset(name for name, _ in _NON_DRUG)
_NAMES = [name for name, _ in _NON_DRUG] + [name for name, _ in _AGENTS]
PHRASE = re.compile(r"\b(?:" + "|".join(f"(?P<g{i}>{p})" for i, (_, p) in enumerate(_NON_DRUG + _AGENTS))
                    + rf"|(?P<regimen>{_REGIMENS})|(?P<cept>{_CEPT})|(?P<vehicle>{_VEHICLE}))\b", re.I)
# Lower-case pieces one of which PHRASE needs (a cheap test before the search); the abbreviations
# (TENS, NMES, CBT, NSAID, FOLFOX ...) are tested in upper case.
NEEDLES = ("acupunct", "needling", "stimulation", "feedback", "massage", "effleurage", "exercis", "training",
           "physiotherap", "physical therap", "rehabilitat", "yoga", "tai", "pilates", "therapy", "hypno", "music",
           "mindful", "relaxation", "manipulat", "chiropract", "mobili", "taping", "laser", "ice pack", "breast",
           "skin", "kangaroo", "education", "inflammatory", "inhibitor", "anti-tnf", "glucosamin", "chondroitin",
           "hyaluron", "bupivacain", "cept", "vehicle")
UPPER_NEEDLES = ("TENS", "NMES", "TMS", "tDCS", "CBT", "MBSR", "LLLT", "NSAID", "TNF", "FOLF", "XELOX", "CAPOX", "FEC",
                 "CHOP", "ABVD", "CMF", "AC", "EC", "TC")


@lru_cache(maxsize=4096)
def intervention_mentions(text: str) -> tuple[Mention, ...]:
    """The interventions of ``text`` the substance lexicon does not name (``_NON_DRUG``, ``_AGENTS``,
    chemotherapy regimens, "-cept" fusion proteins, a vehicle as ``placebo``), in text order, as
    ``Mention``s with offsets in ``text``. Cached per text.

    Example: "randomised to deep tissue massage or TENS" -> massage (14, 33), transcutaneous
    electrical nerve stimulation (37, 41)."""
    lowered = text.lower()
    if not any(n in lowered for n in NEEDLES) and not any(n in text for n in UPPER_NEEDLES):
        return ()
    found = []
    for match in PHRASE.finditer(text):
        group = match.lastgroup
        if group == "regimen":
            name = match.group(0).lower()
        elif group == "cept":
            name = match.group(0).lower()
            if name in ("concept", "except", "intercept", "accept", "precept", "percept"):
                continue
        elif group == "vehicle":
            name = "placebo"
        else:
            name = _NAMES[int(group[1:])]
        found.append(Mention(name, name, None, match.start(), match.end()))
    return tuple(found)


# An abbreviation defined right after a name: "deep tissue massage (DTM)", "methotrexate (MTX)",
# "multidisciplinary orthopaedic rehabilitation (MOR)".
WORD = re.compile(r"[A-Za-z][\w-]*")
ABBREVIATION = re.compile(r"\(\s*(?P<abbr>[A-Z][A-Za-z]{0,2}[A-Z][A-Za-z0-9+-]{0,5}|[A-Z][a-z])\s*\)")


def abbreviations(text: str) -> dict[str, Mention]:
    """Abbreviations ``text`` defines for an intervention: ``{"DTM": Mention("massage", ...)}``
    (offsets of the defining name). An abbreviation counts when it follows, in brackets, a name
    (a known substance or an intervention of this module) whose phrase, within the four words
    before the bracket, opens with a word that starts with the abbreviation's first letter (the
    Schwartz and Hearst rule, PSB 2003, made strict for speed). Case as written."""
    found: dict[str, Mention] = {}
    if "(" not in text:
        return found
    for match in ABBREVIATION.finditer(text):
        abbr = match.group("abbr")
        if abbr in found or abbr in ("MG", "Mg"):
            continue
        window = text[max(0, match.start() - 80):match.start()]
        words = WORD.findall(window)[-4:]
        if not words or not any(w[0].lower() == abbr[0].lower() for w in words):
            continue
        # a name within those words, at most two words after it ("neurofeedback behavioural therapy (NFB)")
        named = [m for m in list(substance_mentions(window)) + list(intervention_mentions(window))
                 if m.name != "placebo" and len(WORD.findall(window[m.start:])) <= 4
                 and len(WORD.findall(window[m.end:])) <= 2
                 and any(w[0].lower() == abbr[0].lower() for w in WORD.findall(window[:m.end])[-4:])]
        if named:
            found[abbr] = named[-1]
    return found
