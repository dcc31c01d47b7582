"""Doses: the amount of one substance as written and what it is per administration and per day
(units to mg: g, µg, mmol and mEq of magnesium as elemental mg; per kg and per kg per hour kept per
kg; tablets and their composition in brackets; "2 x 250 mg"; per dose vs per day), with the
frequency and the route it was given by. Which arm a dose belongs to is ``arms``'s question."""

from __future__ import annotations

import re
from functools import lru_cache

from . import lexicon as lx
from .substances import Mention, substance_mentions
from .fastre import led
from .text import Document, Sentence, span


TABLETS = re.compile(rf"\b(?P<n>{lx.NUMBER})\s+(?:tablets?|capsules?|pills?|sprays?)\b", re.I)
THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+")
# A dose said of one tablet: "tablets of malic acid 200 mg", "3 tablets bid of magnesium 50 mg", "each
# capsule contains 50 mg". Not "6 tablets a day (1,200 mg malic acid ...)": a bracket between the
# tablets and the substance gives the daily totals.
# "each tablet (200 mg malic acid, 50 mg magnesium)": the composition of one tablet, in brackets
# after a single tablet (not "6 tablets a day (1,200 mg ...)", the day's totals).
TABLET_COMPOSITION = re.compile(r"\b(?:tablet|capsule|pill|sachet)\s*(?:contain\w*\s*)?\([^()]*$|"
                                # "(each containing 150 mg of magnesium)", "(per capsule: 84 mg)", "(each spray 12.5 mg"
                                r"\(\s*(?:each|per)\s+(?:(?:tablet|capsule|pill|sachet|spray|dose|unit)s?\s*)?"
                                r"(?:contain\w*|provid\w*|deliver\w*|with|of|:|=)?\s*(?:about\s+|approximately\s+)?$", re.I)
# "per day", "daily", "a day" right after a count of tablets or a substance.
PER_DAY_AFTER = re.compile(r"\s*(?:per\s+day|a\s+day|daily|/\s*day|each\s+day|every\s+day)\b", re.I)
# "2 x 250 mg", "6x419 mg": a count of doses a day before the dose.
TIMES_BEFORE = re.compile(r"\b(?P<k>\d{1,2})\s*[x×]\s*$")
# "three tablets (200 mg malic acid, 50 mg magnesium each)": a bracket after units that says "each"
# (or "per tablet") at its end gives one unit's content, not the day's totals.
UNITS_BRACKET_BEFORE = re.compile(r"\b(?:tablets?|capsules?|pills?|sachets?)\s*\([^()]*$", re.I)
EACH_BRACKET_AFTER = re.compile(r"[^()]*?\b(?:each|per\s+(?:tablet|capsule|pill|sachet|unit))\s*\)", re.I)
PER_TABLET = re.compile(r"\b(?:tablets?|capsules?|pills?)\b[^()]{0,40}$", re.I)


def _dose_mg(amount: str, unit: str, substance: str | None) -> float | None:
    # "1,200 mg" is twelve hundred; "1,5 g" (a decimal comma) is one and a half
    value = float(amount.replace(",", "") if THOUSANDS.fullmatch(amount) else amount.replace(",", "."))
    unit = unit.lower()
    if unit == "mg":
        return value
    if unit == "g":
        return value * 1000
    if unit in ("µg", "μg", "mcg", "ug", "microg", "microgram", "micrograms"):
        return value / 1000
    if unit == "mmol" and substance == "magnesium":  # elemental magnesium, 24.305 g/mol
        return round(value * 24.305, 1)
    if unit == "meq" and substance == "magnesium":  # Mg2+ carries two charges: 1 mEq = 0.5 mmol
        return round(value * 24.305 / 2, 1)
    return None  # IU (and mmol or mEq of anything but magnesium): no mg is written; dose_text keeps it
# "elemental" said of a dose: "300 mg elemental magnesium", "magnesium 300 mg (elemental)".
ELEMENTAL = re.compile(r"\belemental\b", re.I)


def dose_basis(chunk: str, mention: Mention, dose: re.Match) -> str | None:
    """Whether a magnesium dose is of the element or of the salt: "elemental" when it was written in
    mmol or mEq (converted as elemental mg) or the word "elemental" stands between the dose and the
    substance ("300 mg elemental magnesium", "magnesium (elemental) 300 mg"); "salt" when the
    substance is named by its salt ("magnesium sulfate 4 g", "400 mg magnesium oxide"): the salt's
    mass as written; None for other substances and for magnesium with no salt named (not said).

    Examples: "12 mmol magnesium" -> "elemental"; "magnesium sulfate 4 g" -> "salt"; "magnesium 300 mg" -> None."""
    if mention.substance != "magnesium":
        return None
    if dose.group("unit").lower() in ("mmol", "meq"):
        return "elemental"
    between = chunk[min(dose.end(), mention.end):max(dose.start(), mention.start)]
    if ELEMENTAL.search(between) or ELEMENTAL.search(chunk, dose.end(), min(len(chunk), dose.end() + 14)):
        return "elemental"
    return "salt" if mention.form else None


# Substrings (lower case) one of which each pattern of lx.FREQUENCY and lx.ROUTES needs to match, in
# the same order: a pattern is only run on a text that holds one (an ASCII text: the patterns' case
# folding of a few non-ASCII letters is left to the patterns themselves).
FREQUENCY_NEEDLES = (("once", "each", "every", "bedtime", "night", "evening", "qd", "q.d", "day", "daily"),
                     ("twice", "two", "bid", "b.id", "bi.d", "b.i.d", "2 divided", "2 equal", "2 separate"),
                     ("three", "thrice", "tid", "t.id", "ti.d", "t.i.d", "3 divided", "3 equal", "3 separate"),
                     ("four", "qid", "q.id", "qi.d", "q.i.d"))
ROUTE_NEEDLES = (("transdermal", "spray", "skin"),
                 ("epidural", "intrathecal", "intra", "subcutaneous", "s.c.", "nebuli", "inhal", "aerosoli", "rectal",
                  "sublingual"),
                 ("intravenous", "i.", "iv", "infus"),
                 ("intramuscular", "i.m."),
                 ("topical", "cream", "gel", "ointment"),
                 ("oral", "mouth", "tablet", "capsule", "pill", "per os", "p.o."))
assert len(FREQUENCY_NEEDLES) == len(lx.FREQUENCY) and len(ROUTE_NEEDLES) == len(lx.ROUTES)


def _first_match(patterns: list, needles: tuple, text: str) -> tuple[object, re.Match | None]:
    """The value of the first (pattern, value) whose pattern matches ``text``, with its match;
    a pattern none of whose needles is in the (ASCII) text is not run."""
    lowered = text.lower() if text.isascii() else None
    for (pattern, value), wanted in zip(patterns, needles):
        if lowered is not None:
            for needle in wanted:  # (a loop: faster than any() over a generator)
                if needle in lowered:
                    break
            else:
                continue
        match = pattern.search(text)
        if match:
            return value, match
    return None, None


_FREQUENCY_ORDER = lx.FREQUENCY[1:] + lx.FREQUENCY[:1]  # "twice daily" before "daily"
_FREQUENCY_ORDER_NEEDLES = FREQUENCY_NEEDLES[1:] + FREQUENCY_NEEDLES[:1]


@lru_cache(maxsize=2048)
def _frequency(text: str) -> tuple[float | None, re.Match | None]:
    per_day, match = _first_match(_FREQUENCY_ORDER, _FREQUENCY_ORDER_NEEDLES, text)
    return (float(per_day), match) if match else (None, None)


def _route_words(text: str) -> str | None:
    """The words of an "other" route ("epidural", "intrathecal"), lower case."""
    _, match = _route(text)
    return match.group(0).lower() if match is not None else None


# A nerve block or a local anaesthetic given at a site, not into a vein: the schema files these under
# "other" (the intervention keeps the words as route_text), as the pain labels do (tests/gold/README.md).
# "a continuous infusion ... in the paravertebral space" is a block, whatever "infusion" says.
BLOCK_ROUTE = re.compile(r"\b(?:paravertebral(?:ly)?|perineural(?:ly)?|peritubal|periarticular(?:ly)?|intraperitoneal(?:ly)?|"
                         r"caudal(?:ly)?|interscalene|intrapleural(?:ly)?|subarachnoid|spinal(?=\s+(?:an(?:a)?esthe|block|injection))|"
                         r"(?:local|wound|tissue|site|port[\s-]+site|analgesic|an(?:a)?esthetic|incision(?:al)?)\s+infiltration|"
                         # (not "malignant infiltration of the plexus": a wound or a local anaesthetic is infiltrated)
                         r"infiltrat(?:ed|ion)\s+(?:with|of)\s+(?:\d|the\s+(?:wound|incision)|(?:[\w.%-]+\s+)?(?:\w*cain|local))|"
                         r"(?:nerve|plexus|fascial?|plane|sheath|femoral|sciatic|adductor\s+canal|transversus\s+abdominis|"
                         r"tap|ilioinguinal|intercostal|pudendal|stellate\s+ganglion)\s+blocks?|"
                         r"in(?:to)?\s+the\s+(?:epidural|paravertebral|intrathecal|subarachnoid|intra-?articular)\s+space)", re.I)
BLOCK_ROUTE = led(BLOCK_ROUTE)  # (the same matches, found faster: ``fastre.led``)
BLOCK_NEEDLES = ("paraverteb", "perineur", "peritub", "periartic", "intraperit", "caudal", "interscal", "intrapleur",
                 "subarach", "spinal", "infiltrat", "block", " space")


# What makes "IV" the numeral four, not intravenous: a word that takes a Roman numeral ("stage IV", "type IV",
# "grade III/IV", "phase IV", "class IV") or an acronym before it ("DPP IV", "NYHA IV").
NUMERAL_IV_BEFORE = re.compile(r"(?:\b(?:stage|stages|type|types|grade|grades|phase|class|classes|level|degree|factor|"
                               r"part|complex|collagen|group|arm)|(?-i:\b[A-Z]{2,}(?:-\d+)?)|(?-i:\bI{1,3})\s*(?:/|-|and|or|to))\s*$",
                               re.I)


@lru_cache(maxsize=2048)
def _route(text: str) -> tuple[str | None, re.Match | None]:
    """The route a text gives (``lexicon.ROUTES``: "transdermal", "other", "intravenous",
    "intramuscular", "topical", "oral") with its match, or (None, None). A block's site
    ("paravertebral", "peritubal infiltration", "in the epidural space") is "other" before any
    intravenous word ("a continuous infusion in the paravertebral space")."""
    route, match = _first_match(lx.ROUTES, ROUTE_NEEDLES, text)
    if route == "intravenous" and match.group(0) == "IV" and NUMERAL_IV_BEFORE.search(text, max(0, match.start() - 12),
                                                                                   match.start()):
        # "stage IV", "DPP IV", "grade III/IV": the Roman numeral four, no route (read again without it)
        return _route(text[:match.start()] + "__" + text[match.end():])
    if route in (None, "intravenous", "intramuscular", "topical", "oral"):
        lowered = text.lower()
        for needle in BLOCK_NEEDLES:
            if needle in lowered:
                block = BLOCK_ROUTE.search(text)
                if block is not None:
                    return "other", block
                break
    return route, match



DOSE_KEYS = ("dose_mg", "daily_dose_mg", "frequency_per_day", "route", "dose_text", "dose_mg_per_kg",
             "infusion_mg_per_kg_per_h", "dose_basis")


# What may stand between a dose and the substance it is of: a route or "elemental" ("0.2 mg oral
# clonidine", "2 g intravenous magnesium sulfate", "300 mg elemental magnesium").
GAP_BEFORE_SUBSTANCE = re.compile(r"\s*(?:(?:oral|intravenous|i\.v\.|iv|intramuscular|i\.m\.|transdermal|topical|"
                                  r"elemental|subcutaneous|sublingual|intranasal)\s+)*", re.I)


# "300 mg of X", "a 2 g bolus of X": the words between a dose and the substance it is of (compiled once).
DOSE_OF = re.compile(r"\s+(?:(?:loading\s+)?(?:dose|bolus|infusion|injection)\s+)?of\s+(?:the\s+)?(?:oral|intravenous|"
                     r"i\.?v\.?|intramuscular|transdermal|topical)?\s*(?:elemental\s+)?", re.I)


def _assign_doses(chunk: str, mentions: list[Mention]) -> dict[int, re.Match]:
    """Which dose belongs to which substance: "300 mg of X" to X, otherwise "X 300 mg" to the
    substance just before the dose. A placebo takes no dose: an inert comparator has none ("placebo,
    35 mg, 75 mg or 125 mg of A", "A 10 mg or matching placebo"; the labels' convention, an active
    placebo being named by its drug): a dose read as the placebo's is dropped, given to no other."""
    assigned: dict[int, re.Match] = {}
    for dose in lx.DOSE.finditer(chunk):
        of = DOSE_OF.match(chunk, dose.end()) if " of " in chunk[dose.end():dose.end() + 30] else None
        owner = None
        if of:
            owner = next((i for i, m in enumerate(mentions) if m.start == of.end()), None)
        if owner is None:  # "malic acid 200 mg": the substance right before the dose
            owner = next((i for i, m in enumerate(mentions)
                          if m.end <= dose.start() and not chunk[m.end:dose.start()].strip()), None)
        if owner is None:  # "1,200 mg malic acid", "2 g intravenous MgSO4": the dose written before its substance
            owner = next((i for i, m in enumerate(mentions)
                          if m.start >= dose.end() and (m.start == dose.end() or not chunk[dose.end():m.start].strip()
                                                        or GAP_BEFORE_SUBSTANCE.fullmatch(chunk, dose.end(), m.start))), None)
        if owner is None:
            before = [i for i, m in enumerate(mentions) if m.end <= dose.start()]
            owner = before[-1] if before else None
        if owner is not None and owner not in assigned:
            assigned[owner] = dose
    return {owner: dose for owner, dose in assigned.items() if mentions[owner].name != "placebo"}


def _each_unit_in_brackets(text: str, start: int, end: int) -> bool:
    """Whether the dose at ``text[start:end]`` sits in a bracket after a count of units that ends in
    "each" or "per tablet": "3 capsules (250 mg magnesium each)" gives one capsule's content."""
    if "(" not in text[max(0, start - 80):start]:
        return False
    return bool(UNITS_BRACKET_BEFORE.search(text, max(0, start - 80), start) and EACH_BRACKET_AFTER.match(text, end))


def _infusion_after(chunk: str, loading: re.Match, substance: str | None) -> tuple[float, int, int] | None:
    """The maintenance infusion said after a weight-based loading dose of the same substance: (rate
    in mg/kg/h, start, end of its words in ``chunk``), or None. Only a rate per kg per hour counts,
    and only before another substance is named ("30 mg/kg bolus then 10 mg/kg/h" -> 10.0; "50 mg/kg
    or ketamine 0.1 mg/kg/h" -> None). Units of the lexicon's ``DOSE`` (mg, g, µg, mmol, mEq)."""
    at = loading.end()
    if "h" not in chunk[at:]:
        return None
    for dose in lx.DOSE.finditer(chunk, at):
        per = (dose.group("per") or "").lower().replace(" ", "")
        if "kg" in per and re.search(r"h|hour", per):
            rate = _dose_mg(dose.group("amount"), dose.group("unit"), substance)
            if rate is None or substance_mentions(chunk[at:dose.start()]):
                return None
            return _round(rate), dose.start(), dose.end()
    return None


def _tablets_with_frequency(text: str) -> re.Match | None:
    for match in TABLETS.finditer(text):
        if _frequency(text[match.end():match.end() + 20])[0] is not None:
            return match
    return None


def _round(value: float | None) -> float | None:
    """Three decimals, or four significant digits below 1 (2.5 µg/kg is 0.0025 mg/kg, not 0.003)."""
    if value is None:
        return None
    return round(value, 3) if value == 0 or abs(value) >= 1 else float(f"{value:.4g}")


def read_dose(doc: Document, sentence: Sentence, chunk_start: int, chunk: str, mention: Mention, dose: re.Match,
              frequency: float | None, whole: str, evidence: list[dict]) -> tuple[float | None, float | None, float | None,
                                                                                   str, dict]:
    """The dose of one substance (``mention``, in the piece ``chunk`` of ``sentence`` starting at
    ``chunk_start``) from its dose match ``dose`` (``lexicon.DOSE``): ``(dose_mg, daily_dose_mg,
    frequency_per_day, dose_text, per_kg)``. ``dose_mg`` is one administration's amount in mg
    (times the tablets taken at once when the dose is one tablet's), ``daily_dose_mg`` the day's
    (from ``frequency``, the times a day read so far, which the dose may correct: "2 x 250 mg",
    "4 capsules per day of 250 mg"); a dose per kg ("30 mg/kg", "8 mg/kg/h") gives no mg and
    ``per_kg`` holds ``dose_mg_per_kg`` or ``infusion_mg_per_kg_per_h`` instead, and for magnesium
    ``dose_basis`` ("elemental" or "salt", see ``dose_basis``) when the text says which. ``whole`` is the
    record's text (a count of tablets said elsewhere); the spans of the words read are appended to
    ``evidence``.

    Example: "magnesium 250 mg twice daily" (frequency 2.0) -> (250.0, 500.0, 2.0, "250 mg", {})."""
    text = sentence.text
    dose_mg = daily = None
    per_kg: dict = {}
    amount = _dose_mg(dose.group("amount"), dose.group("unit"), mention.substance)
    per = (dose.group("per") or "").lower().replace(" ", "")
    count = None
    if (PER_TABLET.search(text, 0, chunk_start + mention.start)
            or TABLET_COMPOSITION.search(text, 0, chunk_start + dose.start())
            or _each_unit_in_brackets(text, chunk_start + dose.start(), chunk_start + dose.end())):
        tablets = TABLETS.search(chunk) or TABLETS.search(text) or _tablets_with_frequency(whole)
        count = lx.words_to_number(tablets.group("n")) if tablets else None
        if count and tablets.string is not whole and PER_DAY_AFTER.match(tablets.string, tablets.end()) and (
                _frequency(chunk)[0] in (None, 1.0)):
            frequency, count = count, None  # "4 capsules per day of 250 mg": 250 mg, four times a day
    if not per and dose.end() <= mention.start and PER_DAY_AFTER.match(chunk, mention.end):
        per = "daily"  # "500 mg magnesium daily in two divided doses": the day's amount
    times = TIMES_BEFORE.search(chunk, 0, dose.start())
    if times and count is None:  # "2 x 250 mg daily": 250 mg, twice a day
        frequency = lx.words_to_number(times.group("k"))
        per = "" if per in ("/day", "/d", "/daily", "perday", "aday", "daily") else per
    if amount is not None and "kg" in per:  # weight-based: kept per kg, no body weight known
        per_hour = bool(re.search(r"h|hour", per))
        per_kg = {"infusion_mg_per_kg_per_h" if per_hour else "dose_mg_per_kg": _round(amount)}
        infusion = None if per_hour else _infusion_after(chunk, dose, mention.substance)
        if infusion is not None:  # "50 mg/kg as a loading dose, then 8 mg/kg/h": the infusion too
            per_kg["infusion_mg_per_kg_per_h"] = infusion[0]
            absolute = sentence.start + chunk_start + infusion[1]
            evidence.append(span(doc, sentence.field, absolute, absolute + infusion[2] - infusion[1]))
    if amount is not None and not re.search(r"kg|h|min", per):
        if per in ("/day", "/d", "/daily", "perday", "aday", "daily"):
            daily = amount
            frequency = frequency or 1.0
            dose_mg = amount / frequency
        else:
            dose_mg = amount * (count or 1)
            daily = dose_mg * frequency if frequency else None
    basis = dose_basis(chunk, mention, dose) if amount is not None else None
    if basis is not None:
        per_kg["dose_basis"] = basis  # (the extra keys of the intervention: said only for magnesium)
    dose_text = dose.group(0)
    absolute = sentence.start + chunk_start + dose.start()
    evidence.append(span(doc, sentence.field, absolute, absolute + len(dose.group(0))))
    return dose_mg, daily, frequency, dose_text, per_kg



# A dose written as a volume of a solution of stated strength, the way local anaesthetics and magnesium
# sulfate are given: "10 mL of 0.2% ropivacaine", "a 10-mL bolus of 0.2% ropivacaine", "4 mL of 50% magnesium
# sulfate", "0.25% bupivacaine 15 mL", "bupivacaine 0.5% (20 mL)". The per cent is weight by volume (a g per
# 100 mL: 1% = 10 mg per mL), the convention of pharmacopoeias for solutions of solids. A rate ("5 mL/h
# of 0.125% bupivacaine") or a strength with no volume ("0.125% bupivacaine") gives no dose.
_VOLUME = r"(?P<vol>\d+(?:\.\d+)?)\s*-?\s*(?:ml|cc)\b"
_PERCENT = r"(?P<pct>\d+(?:\.\d+)?)\s*%"
PERCENT_BEFORE = re.compile(rf"(?:{_VOLUME}(?:\s+(?:bolus|dose|injection|volume|aliquot))?\s+(?:of\s+)?(?:(?:a|the)\s+)?)?"
                            rf"{_PERCENT}\s*(?:(?:solution|w/v)\s+(?:of\s+)?)?$", re.I)
PERCENT_AFTER = re.compile(rf"\s*(?:\(\s*)?{_PERCENT}(?:\s*\))?", re.I)
VOLUME_AFTER = re.compile(rf"\s*[,(]?\s*{_VOLUME}(?!\s*/\s*(?:h|hr|hour|kg|min)\b|\s*per\s+(?:hour|h)\b)", re.I)


def percent_volume_dose(chunk: str, start: int, end: int) -> tuple[float, int, int] | None:
    """The dose of the substance named at ``chunk[start:end]`` when written as a volume of a
    solution of stated strength: (mg, start, end of the words read in ``chunk``), or None. The
    strength is weight by volume (1% = 10 mg/mL); mg = mL x per cent x 10.

    Examples: "10 mL of 0.2% ropivacaine" -> 20.0; "0.25% bupivacaine 15 mL" -> 37.5;
    "ropivacaine 0.5% (20 mL)" -> 100.0; "0.125% bupivacaine at 5 mL/h" -> None (a rate)."""
    if "%" not in chunk:
        return None
    before = PERCENT_BEFORE.search(chunk, max(0, start - 60), start) if "%" in chunk[max(0, start - 60):start] else None
    pct = vol = None
    words_start, words_end = start, end
    if before is not None:
        pct, words_start = float(before.group("pct")), before.start()
        if before.group("vol"):
            vol = float(before.group("vol"))
    else:
        after = PERCENT_AFTER.match(chunk, end)
        if after is None:
            return None
        pct, words_end = float(after.group("pct")), after.end()
    if vol is None:
        volume = VOLUME_AFTER.match(chunk, words_end)
        if volume is None:
            return None
        vol, words_end = float(volume.group("vol")), volume.end()
    if not 0 < pct <= 100 or not vol:
        return None
    return _round(vol * pct * 10), words_start, words_end
