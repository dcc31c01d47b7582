"""Arms and doses: the substances given as part of the study, their doses as written (per
administration and per day, per kg, mmol and mEq of magnesium as elemental mg), frequency and
route, and how long the treatment lasted."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from . import lexicon as lx
from .text import (Document, Sentence, _dedupe, _find, _find_if, _kind, _lower_text, _may_say, _said, sentence_span,
                   sentences, span)
from .design import DESIGN_CUES
from .arm_sizes import fill_arm_sizes
from .population import population


# --- arms and interventions -------------------------------------------------------------------------

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


ARM_SENTENCE = re.compile(r"\b(?:assigned|allocated|randomi[sz]\w*|randomly|received|receiv\w*|took|gave|given|"
                          r"capsules?|sachets?|intervention\s+(?:was|consisted)|"
                          r"compar(?:ed|ing)|versus|vs\.?|"
                          r"doses?\s+of|"
                          r"either|or\s+(?:a\s+)?placebo|spray|sprayed|applied|apply|combining|pairs|tablets?|treated|"
                          r"supplement\w*|administ\w*|infusions?\s+of|injections?\s+of)\b", re.I)
PLACEBO_OR_SALINE = re.compile(r"\b(?:placebo|saline|sham)\b", re.I)
PLACEBO_ARM = re.compile(r"\bplacebos?\b(?![\s-]+controlled)|\blook-alike\b", re.I)
GROUP_WORDS = re.compile(r"\b(?:groups?|arms?)\b", re.I)
ARM_SPLIT = re.compile(r";|,?\s+or\s+(?:a\s+|an\s+)?|\s+versus\s+|\s+vs\.?\s+|\s+compared\s+(?:with|to)\s+|,\s+(?=\d|[a-z])|"
                       r",?\s+and\s+(?=group\s+\w+\b|the\s+(?:\w+\s+){1,2}group\s+received)", re.I)
COMBINE = re.compile(r"\s(?:plus|\+|combined\s+with|together\s+with|with\s+the\s+addition\s+of)\s|\s\+\s|\bboth\b", re.I)
# "two groups of 20": one size for every arm of the sentence. (An "(n = K)" belongs to the arm it follows,
# or is everyone's: ``arm_sizes`` reads it with the arm's name.)
GROUP_SIZE = re.compile(rf"\bgroups?\s+of\s+(?P<n>{lx.NUMBER})\b(?!\s*(?:mg|g|µg|μg|mcg|mmol|iu|ml)\b)", re.I)
# The size of one arm said in its own piece: "27 were treated with amitriptyline", "magnesium (n = 15)".
CHUNK_N = re.compile(rf"(?:^|:)\W*(?:(?:and|while|whereas)\s+)?(?P<n>{lx.NUMBER})\s+(?:\w+\s+)?(?:were|was|took|received|"
                     rf"got|had)\b|\(\s*n\s*=\s*(?P<n2>\d+)\s*\)", re.I)
TABLETS = re.compile(rf"\b(?P<n>{lx.NUMBER})\s+(?:tablets?|capsules?|pills?|sprays?)\b", re.I)


# A drug the patients were already on when randomised to something else: background, in every arm.
# (Read on the 80 characters before the drug's name: its longest form is far shorter.)
BACKGROUND_BEFORE = re.compile(r"\b(?:on|taking|receiving|(?:being\s+|already\s+)?treated\s+with|undergoing|"
                               r"already\s+(?:on|taking|receiving)|in\s+addition\s+to|"
                               r"added\s+to|add[\s-]on\s+to|on\s+top\s+of)\s+(?:stable\s+|a\s+stable\s+dose\s+of\s+|"
                               r"stable\s+doses\s+of\s+|their\s+(?:usual\s+)?)?$|"
                               # "undergoing chemotherapy with cisplatin", "receiving adjuvant tamoxifen"
                               r"\b(?:undergoing|receiving|treated\s+with)\s+(?:[\w-]+\s+){1,2}?(?:with\s+|of\s+)?$", re.I)
RANDOMISED_AFTER = re.compile(r"\b(?:randomi[sz]\w*|assigned|allocated|to\s+add)\b", re.I)
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
    return None


# Substrings (lower case) one of which each pattern of lx.FREQUENCY and lx.ROUTES needs to match, in
# the same order: a pattern is only run on a text that holds one (an ASCII text: the patterns' case
# folding of a few non-ASCII letters is left to the patterns themselves).
FREQUENCY_NEEDLES = (("once", "each", "every", "bedtime", "night", "evening", "qd", "q.d", "day", "daily"),
                     ("twice", "two", "bid", "b.id", "bi.d", "b.i.d", "2 divided", "2 equal", "2 separate"),
                     ("three", "thrice", "tid", "t.id", "ti.d", "t.i.d", "3 divided", "3 equal", "3 separate"),
                     ("four", "qid", "q.id", "qi.d", "q.i.d"))
ROUTE_NEEDLES = (("transdermal", "spray", "skin"),
                 ("epidural", "intrathecal", "intra", "subcutaneous", "s.c.", "nebuli", "inhaled", "rectal",
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


@lru_cache(maxsize=2048)
def _route(text: str) -> tuple[str | None, re.Match | None]:
    return _first_match(lx.ROUTES, ROUTE_NEEDLES, text)


# After a substance: it is measured, eaten or lacking, not given ("magnesium levels", "Mg-deficient
# rats", "magnesium intake", "magnesium ion"), or it acts ("magnesium blocks the receptor").
NOT_GIVEN_AFTER = re.compile(
    r"[)\s-]*(?:\(\s*mg\s*\)[\s-]*)?(?:2\+|\+\+)?[\s-]*(?:ions?\b|levels?|concentrations?|status|content|contents|intake|"
    r"deficien\w*|deplet\w*|depriv\w*|excretion|retention|homeostasis|balance|load\w*|values?|profile|"
    r"measurements?|blocks?|is\s+(?:an?\s+)?(?:known|essential|physiological|natural|cofactor)|plays?|"
    r"(?:free|restricted|rich|poor)\b|in\s+(?:the\s+)?(?:serum|plasma|blood|urine|muscles?|cells?|diet))", re.I)
# Before a substance: a compartment or a measurement ("serum magnesium", "free Mg2+", "dosage of").
MEASURED_BEFORE = re.compile(r"(?:serum|plasma|blood|erythrocyte|red[\s-]+(?:blood[\s-]+)?cell|RBC|urinary|urine|"
                             r"muscle|intracellular|ioni[sz]ed|free|total|dietary|tissue|hair|cellular|"
                             r"serum\s+dosage\s+of|levels?\s+of|concentrations?\s+of|deficiency\s+of|"
                             r"intake\s+of|status\s+of)\s+$", re.I)
# A diagnostic load, a tolerance or retention test: magnesium given to measure status, not to treat.
LOAD_TEST = re.compile(r"\b(?:load(?:ing)?|tolerance|retention|challenge)\s+test|\bafter\s+(?:oral\s+)?loading\b", re.I)


# Before a substance: what the participants had before or failed on, not what the study gave ("refractory
# to gabapentin", "despite opioids", "after failure of amitriptyline", "intolerant of pregabalin").
PRIOR_BEFORE = re.compile(r"\b(?:refractory|resistant|unresponsive|intolerant|intolerance|allergic|allergy)\s+(?:to|of)\s+"
                          r"(?:\w+\s+){0,2}$|\b(?:despite|failed|failure\s+of|previously\s+(?:treated\s+with|on)|"
                          r"prior|previous)\s+(?:\w+\s+){0,2}$", re.I)
PRIOR_NEEDLES = ("refractory", "resistant", "unresponsive", "intoleran", "allerg", "despite", "fail", "previous", "prior")


def _given(text: str, mention: "Mention") -> bool:
    """Whether a substance named in an arms sentence is something given to the participants: not a
    measured or lacking substance, nor a treatment the participants had before or failed on."""
    if mention.substance in (None, "placebo", "saline"):
        return True
    # (MEASURED_BEFORE ends at the name and its longest words are far shorter than 40 characters)
    if NOT_GIVEN_AFTER.match(text, mention.end) or MEASURED_BEFORE.search(text, max(0, mention.start - 40), mention.start):
        return False
    before = text[max(0, mention.start - 50):mention.start]
    return not (any(n in before.lower() for n in PRIOR_NEEDLES) and PRIOR_BEFORE.search(before))


def arms(doc: Document) -> list[dict]:
    """The study's arms: only what was given to participants as part of the study.

    Reads the one sentence that best describes the arms (substances, doses, frequency, group
    words) among the study's own statements: never a wish or advice ("should be treated with"),
    background ("magnesium is known to block"), a diagnostic load test, or a substance that is
    measured, eaten or lacking ("magnesium levels", "Mg-deficient rats"). Returns arms as in the
    schema (``label``, ``n``, ``is_control``, ``interventions``); a placebo said elsewhere in the
    study's own sentences becomes a control arm."""
    candidates = []
    for sentence in sentences(doc):
        if sentence.field == "title" and doc.source != "pubmed":
            continue
        arm_words = ARM_SENTENCE.search(sentence.text)
        if not (arm_words or GROUP_WORDS.search(sentence.text)):
            continue  # (what the test below needs, before the dearer look-up of substances)
        mentions = [m for m in substance_mentions(sentence.text) if m.name not in ("saline",)]
        if not mentions:
            continue  # the common case, kept cheap
        doses = list(lx.DOSE.finditer(sentence.text))
        if not (arm_words or (doses and GROUP_WORDS.search(sentence.text))):
            continue
        mentions = [m for m in mentions if _given(sentence.text, m)]
        if (not mentions or _kind(doc, sentence) in ("wish", "background")
                or (("test" in sentence.text or "load" in sentence.text) and LOAD_TEST.search(sentence.text))):
            continue
        score = (len({m.name for m in mentions}) + 2 * bool(doses) + (sentence.field != "title")
                 + any(m.form for m in mentions) + (_frequency(sentence.text)[0] is not None))
        if _every_arm_sentence(sentence.text):  # "Both groups received vitamin D and calcium": not the arms
            score -= 6
        candidates.append((score, sentence, mentions))
    if not candidates:
        return []
    ranked = sorted(candidates, key=lambda c: -c[0])  # stable: the first of equally good sentences leads
    result = _arms_from_sentence(doc, ranked[0][1])
    for _, other, _ in ranked[1:4]:  # a later sentence may give a dose or a group size the best one left out
        no_control = len(result) == 1 and not result[0]["is_control"] and any(
            w in other.text for w in (" or ", "versus", " vs")) and PLACEBO_OR_SALINE.search(other.text) is not None
        unsaid = any(a["n"] is None or any(i["dose_mg"] is None and i["name"] != "placebo" for i in a["interventions"])
                     for a in result)
        if not (no_control or unsaid):
            break
        others = _arms_from_sentence(doc, other)
        if no_control:  # "randomized to magnesium (group M) or saline (group S)."
            result += [a for a in others if a["is_control"]][:1]  # the comparator another sentence names
        if unsaid:
            _fill_arms(result, others)
    whole = " ".join(doc.fields[f] for f in doc.text_fields)
    for _, other, _ in ranked[1:]:  # "Both groups received vitamin D and calcium": background in every arm
        if result and _every_arm_sentence(other.text):
            _add_background(result, _arms_from_sentence(doc, other))
    if any(i["name"] == "saline" for a in result for i in a["interventions"]):
        for arm in result:
            arm["is_control"] = arm["is_control"] or all(i["name"] == "saline" for i in arm["interventions"])
        result = [a for a in result if a["label"] != "placebo"]
    placebo_said = _said(doc, _find(doc, PLACEBO_ARM))
    double_dummy = any(i["name"] == "placebo" for a in result for i in a["interventions"])  # "X plus placebo"
    if (placebo_said and not double_dummy and not any(a["is_control"] for a in result)
            and not DESIGN_CUES["no_placebo"].search(whole)):
        result.append(_control_arm("placebo", placebo_said[0]))
    untreated = _said(doc, _find_if(doc, UNTREATED_ARM, UNTREATED_NEEDLES)) if result else []
    if untreated and not any(a["is_control"] for a in result):
        name = "usual care" if re.search(r"care", untreated[0]["text"], re.I) else "no treatment"
        result.append(_control_arm(name, untreated[0]))
    if result and not any(a["is_control"] for a in result):
        result += _unnamed_control(doc, ranked[0][1]) or _counted_controls(doc, result)
    _placebo_route(result)
    result = _dose_cohorts(doc, result)
    fill_arm_sizes(doc, result)
    _crossover_sizes(doc, result)
    return result


# A crossover design, not the verb ("patients could cross over to the other treatment at progression").
CROSSOVER_DESIGN = re.compile(r"\bcross-?over\b(?!\s+to\b)|\bcross\s+over\s+(?:study|trial|design)", re.I)


def _crossover_sizes(doc: Document, arms_found: list[dict]) -> None:
    """A crossover study is one group that takes every arm in turn: no arm has a size of its own
    (the mgfm_dev labels' convention), so the count read into an arm ("20 patients received
    magnesium and placebo in random order") is dropped. A study that says it ran in parallel
    groups is no crossover. Changes the arms in place."""
    if len(arms_found) < 2 or "cross" not in _lower_text(doc):
        return
    if not _said(doc, _find(doc, CROSSOVER_DESIGN)) or DESIGN_CUES["parallel"].search(_lower_text(doc)):
        return
    for arm in arms_found:
        arm["n"] = None


_DOSE_TEXT = r"\d+(?:[.,]\d+)?\s*(?:mg|g|µg|μg|mcg|mmol|mEq)\b"
# Successive cohorts of one open study given different doses: "the first six patients received
# 500 mg, the remainder 1 g" (a dose-escalation design).
DOSE_COHORTS = re.compile(
    rf"\bfirst\s+(?P<n>{lx.NUMBER})\s+(?:patients|subjects|participants|cases)\s+(?:received|were\s+given|got)\s+"
    rf"(?P<first>{_DOSE_TEXT}),?\s+(?:and\s+|while\s+|whereas\s+)?(?:the\s+)?(?:remainder|rest|others|remaining\s+"
    rf"(?:(?P<m>{lx.NUMBER})\s+)?(?:patients|subjects|participants)|next\s+(?P<m2>{lx.NUMBER})\s+(?:patients|subjects"
    rf"|participants))\s*(?:received\s+|were\s+given\s+|got\s+)?(?P<second>{_DOSE_TEXT})", re.I)


def _dose_cohorts(doc: Document, arms_found: list[dict]) -> list[dict]:
    """One tested substance given at two doses to successive cohorts becomes two arms, one per dose,
    each with its cohort's size (the remainder: those enrolled less the first cohort)."""
    tested = [a for a in arms_found if not a["is_control"]]
    if len(tested) != 1 or len(tested[0]["interventions"]) != 1 or "first" not in _lower_text(doc):
        return arms_found
    for sentence in sentences(doc):
        match = DOSE_COHORTS.search(sentence.text)
        if not match or _kind(doc, sentence) != "statement":
            continue
        (base,) = tested[0]["interventions"]
        first_n = lx.words_to_number(match.group("n"))
        rest_n = lx.words_to_number(match.group("m") or match.group("m2") or "") if (
            match.group("m") or match.group("m2")) else None
        if rest_n is None:
            enrolled = population(doc, {"fibromyalgia": False})["n_enrolled"]
            rest_n = enrolled - first_n if enrolled and first_n and enrolled > first_n else None
        cohorts = []
        for group, n in (("first", first_n), ("second", rest_n)):
            dose = lx.DOSE.match(match.group(group))
            amount = _dose_mg(dose.group("amount"), dose.group("unit"), base["substance"])
            at = sentence.start + match.start(group)
            intervention = {**base, "dose_mg": _round(amount), "daily_dose_mg": None, "dose_text": match.group(group),
                            "evidence": _dedupe(base["evidence"] + [span(doc, sentence.field, at, at + len(match.group(group)))])}
            arm = _arm([intervention], n)
            arm["label"] = f"{arm['label']} {match.group(group)}"
            cohorts.append(arm)
        return [a for a in arms_found if a["is_control"]] + cohorts
    return arms_found


# A control group given nothing (or what it would have had anyway): "no treatment", "untreated
# controls", "a waiting list", "delayed treatment", "usual care".
UNTREATED_ARM = re.compile(r"\bno[\s-]treatment\b|\bno\s+(?:supplement(?:ation)?|medication|drug)\b|\buntreated\s+(?:control|group|arm)|\b(?:usual|standard)\s+care\b|"
                           r"\bwait(?:ing)?[\s-]?list\b|\bdelayed[\s-]treatment\b|\bno\s+intervention\b", re.I)
UNTREATED_NEEDLES = ("no supplement", "no medication", "no drug", "no treatment", "no-treatment", "untreated", "usual care", "standard care", "wait", "delayed",
                     "no intervention")
CONTROL_NAMES = ("placebo", "saline", "no treatment", "usual care")
# A control group offered beside the treatment with nothing said of what it got: "randomized to
# magnesium or control", "into magnesium (n = 32) and control (n = 32) groups", "a control group (n = 20)".
CONTROL_ALTERNATIVE = re.compile(r"\b(?:or|and|versus|vs\.?|into|to)\s+(?:a\s+|an\s+|the\s+)?(?:untreated\s+)?"
                                 r"control(?:s|\s+groups?|\s+arms?)?(?=\s*(?:[,.;:()]|$|groups?\b|arms?\b|(?:and|or)\s))"
                                 r"(?![\s-]+(?:received|was|were|got|took|with))|"
                                 r"\bcontrol\s+(?:group|arm)\s*\(\s*n\s*=", re.I)
ALLOCATED = re.compile(r"\b(?:randomi[sz]\w*|randomly|assigned|allocated|divided)\b", re.I)


# Untreated controls counted beside a treated arm: "25 patients who received famotidine and 20 controls",
# "33 in the study group and 34 in the control group" (never healthy or matched controls: those are measured).
COUNTED_CONTROLS = re.compile(rf"(?<!healthy\s)(?<!matched\s)\b(?:{lx.NUMBER})\s+(?:untreated\s+)?controls\b|"
                              rf"\b(?:{lx.NUMBER})\s+(?:patients\s+|subjects\s+)?in\s+(?:the\s+)?control\s+(?:group|arm)\b"
                              # (not a control group said to be given something: that is a named arm)
                              r"(?!\s+(?:received|took|got|(?:were|was)\s+(?:\w+\s+)?(?:given|injected|treated|administered|infused)))",
                              re.I)


def _counted_controls(doc: Document, arms_found: list[dict]) -> list[dict]:
    """An untreated control arm counted in a statement that also names a tested arm ("25 patients who
    received famotidine and 20 controls"): ``[no treatment arm]`` or []. A sentence speaking of
    healthy or matched controls says nothing of an arm."""
    names = {i["name"].lower() for a in arms_found for i in a["interventions"]} | {
        i["substance"].lower() for a in arms_found for i in a["interventions"] if i["substance"]}
    if "control" not in _lower_text(doc):
        return []
    for sentence in sentences(doc):
        if "ontrol" not in sentence.text:
            continue
        lowered = sentence.text.lower()
        if ("control" not in lowered or "healthy" in lowered or "matched" in lowered
                or not any(n in lowered for n in names) or _kind(doc, sentence) != "statement"):
            continue
        match = COUNTED_CONTROLS.search(sentence.text)
        if match:
            at = sentence.start + match.start()
            return [_control_arm("no treatment", span(doc, sentence.field, at, at + len(match.group(0))))]
    return []


def _unnamed_control(doc: Document, sentence: Sentence) -> list[dict]:
    """The control arm of an allocation sentence that names a control group but not what it was
    given ("randomized to magnesium or control"): one arm, ``no treatment``, the mgfm_dev labels'
    name for an untreated control. [] when the sentence allocates nothing or names no control
    (healthy controls of a level study are no arm: they are not allocated)."""
    text = sentence.text
    if "ontrol" not in text or _kind(doc, sentence) != "statement" or not ALLOCATED.search(text):
        return []
    match = CONTROL_ALTERNATIVE.search(text)
    if match is None:
        return []
    at = sentence.start + match.start()
    return [_control_arm("no treatment", span(doc, sentence.field, at, at + len(match.group(0))))]


def _control_arm(name: str, evidence: dict) -> dict:
    """A control arm said outside the arms sentence: placebo, no treatment, usual care."""
    return {"label": name, "n": None, "is_control": True, "interventions": [
        {"name": name, "substance": name if name != "placebo" else None, "form": None, "dose_mg": None,
         "daily_dose_mg": None, "frequency_per_day": None, "route": None, "dose_text": None, "evidence": [evidence]}]}


def _fill_arms(arms_found: list[dict], other: list[dict]) -> None:
    """Fill the unsaid values (group size, dose, route) of arms from another sentence's arms of the
    same name; never overwrite what the arms sentence said."""
    by_label = {a["label"]: a for a in other}
    for arm in arms_found:
        same = by_label.get(arm["label"])
        if same is None:
            continue
        if arm["n"] is None and same["n"] is not None:
            arm["n"] = same["n"]
        for mine, theirs in zip(arm["interventions"], same["interventions"]):
            if mine["name"] != theirs["name"]:
                continue
            for key in DOSE_KEYS:
                if mine.get(key) is None and theirs.get(key) is not None:
                    mine[key] = theirs[key]
                    mine["evidence"] = _dedupe(mine["evidence"] + theirs["evidence"][1:])


def _placebo_route(arms_found: list[dict]) -> None:
    """A placebo matches the treatment it stands in for: it takes the tested arms' route when they
    all share one ("oral magnesium ... versus placebo": an oral placebo)."""
    routes = {i["route"] for a in arms_found if not a["is_control"] for i in a["interventions"]
              if not i.get("background")}
    if len(routes) != 1 or None in routes:
        return
    for arm in arms_found:
        for intervention in arm["interventions"]:
            if intervention["name"] in ("placebo", "saline") and intervention["route"] is None:
                intervention["route"] = next(iter(routes))


def _arms_from_sentence(doc: Document, sentence: Sentence) -> list[dict]:
    text = sentence.text
    size = GROUP_SIZE.search(text)
    group_n = None
    if size:
        group_n = lx.words_to_number(size.group("n"))
    chunks = _chunks(text)
    whole = " ".join(doc.fields[f] for f in doc.text_fields)
    doc_route, _ = _route(whole)
    sentence_frequency, frequency_match = _frequency(text)
    given = {start: [m for m in substance_mentions(text[start:end]) if _given(text[start:end], m)] for start, end in chunks}
    # the substances of the piece the sentence's frequency sits in: it is theirs, not another piece's
    frequency_owners = _frequency_owners(text, chunks, frequency_match, given)
    if sentence_frequency is None:  # "taken in the evening" said in another sentence of the methods
        sentence_frequency, frequency_match = _frequency(whole)
        frequency_match = None if sentence_frequency is None else frequency_match
    result: list[dict] = []
    background: list[dict] = []  # "women on duloxetine were randomized to add magnesium or placebo"
    every_arm: list[dict] = []  # "...; all patients continued pregabalin": in every arm, if there are arms
    shared = _shared_substances(given)
    for chunk_start, chunk_end in chunks:
        chunk = text[chunk_start:chunk_end]
        mentions = given[chunk_start]
        if not mentions:
            continue
        chunk_n = CHUNK_N.search(chunk)
        if chunk_n and (chunk_n.group("n") or chunk_n.start() < mentions[0].start) and re.search(
                r"\b(?:or|versus|vs)\b", text[chunk_start + chunk_n.end():]):
            chunk_n = None  # "Twenty rats received A or B", "Patients (n = 36) received A or B": everyone's
        arm_n = lx.words_to_number(chunk_n.group("n") or chunk_n.group("n2")) if chunk_n else group_n
        interventions = []
        assigned = _assign_doses(chunk, mentions)
        for index, mention in enumerate(mentions):
            dose = assigned.get(index)
            dose_offset = 0
            frequency, freq_match = _frequency(chunk)
            if frequency is None and (not frequency_owners or mention.substance in frequency_owners):
                frequency = sentence_frequency
            route, route_match = _route(chunk)
            route = route or _route(text)[0] or (doc_route if mention.substance in ("magnesium", "malic acid") else None)
            dose_mg = daily = None
            dose_text = None
            per_kg: dict = {}
            evidence = [span(doc, sentence.field, sentence.start + chunk_start + mention.start,
                             sentence.start + chunk_start + mention.end)]
            if dose:
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
                dose_text = dose.group(0)
                absolute = sentence.start + chunk_start + dose_offset + dose.start()
                evidence.append(span(doc, sentence.field, absolute, absolute + len(dose.group(0))))
            if freq_match is not None:
                absolute = sentence.start + chunk_start + freq_match.start()
                evidence.append(span(doc, sentence.field, absolute, absolute + len(freq_match.group(0))))
            if route_match is not None:
                absolute = sentence.start + chunk_start + route_match.start()
                evidence.append(span(doc, sentence.field, absolute, absolute + len(route_match.group(0))))
            if route is None and "infusion_mg_per_kg_per_h" in per_kg:
                route = "intravenous"  # a rate per kg per hour is an infusion
            route_text = route_match.group(0).lower() if route == "other" and route_match is not None else (
                _route_words(text) if route == "other" else None)
            intervention = {
                "name": mention.name, "substance": mention.substance, "form": mention.form, "route_text": route_text,
                "dose_mg": _round(dose_mg), "daily_dose_mg": _round(daily),
                "frequency_per_day": frequency if dose_mg is not None or mention.name != "placebo" else None,
                "route": route if mention.name != "placebo" else None, "dose_text": dose_text,
                "evidence": _dedupe(evidence + [sentence_span(doc, sentence)]), **per_kg,
            }
            at = chunk_start + mention.start
            if BACKGROUND_BEFORE.search(text, max(0, at - 80), at) and RANDOMISED_AFTER.search(text, chunk_start + mention.end):
                background.append({**intervention, "background": True})
            elif (every_arm and every_arm[-1]["_chunk"] == chunk_start) or (
                    _may_say(chunk.lower(), EVERY_ARM_NEEDLES) and EVERY_ARM_BEFORE.search(chunk, 0, mention.start)):
                every_arm.append({**intervention, "_chunk": chunk_start})  # ("both groups received A and B": both)
            else:
                interventions.append(intervention)
        interventions = _merge_same_substance(interventions)
        if not interventions:
            continue
        names = [i["name"] for i in interventions]
        if len(interventions) > 1 and not (COMBINE.search(chunk) or "malic acid" in names
                                           or shared & {i["substance"] for i in interventions}):
            # two substances in one chunk without "plus": separate arms (e.g. "A, B")
            for intervention in interventions:
                result.append(_arm([intervention], group_n))
        else:
            result.append(_arm(interventions, arm_n))
    for item in every_arm:
        del item["_chunk"]
    if every_arm and result:  # said of every arm: background in each
        background += [{**i, "background": True} for i in every_arm]
    elif every_arm:  # "All patients received magnesium 300 mg": the one arm there is
        result.append(_arm(every_arm, group_n))
    if background and result:  # every arm keeps taking it: an add-on trial
        result = [_arm(arm["interventions"] + background, arm["n"]) for arm in result]
    result = _merge_duplicate_arms(result)
    if len(result) > 1 and not CHOICE_WORDS.search(text):
        result = _merge_same_substance_arms(result)
    return result


# Words that offer a choice between arms: without one, two pieces naming one substance are one arm.
CHOICE_WORDS = re.compile(r"\b(?:or|versus|vs\.?|compared|either|groups?|arms?|randomi[sz]\w*|allocated|assigned)\b", re.I)


# A drug said of every arm ("all patients continued pregabalin", "both groups received paracetamol"):
# background in each arm, not an arm of its own.
EVERY_ARM_BEFORE = re.compile(
    r"\b(?:all\s+(?:patients|participants|subjects|women|men|children)|both\s+groups|every\s+(?:patient|participant)|"
    r"each\s+group|in\s+both\s+(?:groups|arms))\b[^;]*?\b(?:continued|received|took|were\s+given|kept|maintained|"
    r"remained)\b(?:\s+(?:on|taking|with|their|a|the|stable|usual|regular|doses?|of))*\s*$|"
    r"\b(?:continued|continuing)\s+(?:on\s+|taking\s+|to\s+take\s+|with\s+|their\s+)?(?:\w+\s+){0,2}?$", re.I)
EVERY_ARM_NEEDLES = ("all ", "both", "every", "each group", "continu")


EVERY_ARM_SENTENCE = re.compile(r"^\W*(?:in\s+)?(?:both\s+(?:groups|arms)|all\s+(?:patients|participants|subjects|women|men|"
                                r"children)|every\s+(?:patient|participant)|each\s+group)\b[^;]*?\b(?:received|were\s+given|"
                                r"took|continued|were\s+maintained|remained)\b", re.I)


def _every_arm_sentence(text: str) -> bool:
    """Whether a sentence opens by saying what every arm was given ("Both groups received ...",
    "All patients continued ...")."""
    return _may_say(text[:30].lower(), EVERY_ARM_NEEDLES) and EVERY_ARM_SENTENCE.search(text) is not None


def _add_background(arms_found: list[dict], given_to_all: list[dict]) -> None:
    """Add the substances of ``given_to_all`` (arms read from a sentence said of every arm) to each
    arm as background, unless an arm names the substance already. Changes the arms in place."""
    for extra in (i for a in given_to_all for i in a["interventions"] if i["name"] not in CONTROL_NAMES):
        for arm in arms_found:
            if not any(i["substance"] == extra["substance"] for i in arm["interventions"]):
                arm["interventions"].append({**extra, "background": True})


def _shared_substances(given: dict[int, list[Mention]]) -> set[str]:
    """Substances named beside another in two or more pieces of an arms sentence (``given``: each
    piece's start -> the substances given in it): a co-intervention of each of those arms ("20
    received amitriptyline and magnesium, and 20 received amitriptyline and placebo"), so the pieces
    naming them are combinations, not one arm per substance."""
    seen: dict[str, int] = {}
    for mentions in given.values():
        names = {m.substance for m in mentions}
        if len(names) > 1:
            for name in names:
                seen[name] = seen.get(name, 0) + 1
    return {name for name, count in seen.items() if count > 1}


def _frequency_owners(text: str, chunks: list[tuple[int, int]], match: re.Match | None,
                      given: dict[int, list[Mention]]) -> set[str]:
    """The substances named in the piece of ``text`` a frequency was found in, when that piece speaks
    of every arm ("; all patients continued pregabalin twice daily"): its frequency is not the arms'
    own. Empty otherwise ("A 2.5 mg or B 20 mg daily": the frequency is everyone's)."""
    if match is None:
        return set()
    for start, end in chunks:
        if start <= match.start() < end:
            chunk, mentions = text[start:end], given[start]
            if mentions and _may_say(chunk.lower(), EVERY_ARM_NEEDLES) and EVERY_ARM_BEFORE.search(chunk, 0, mentions[0].start):
                return {m.substance for m in mentions}
    return set()


def _merge_same_substance_arms(arms_found: list[dict]) -> list[dict]:
    """One arm for one substance said twice in a sentence that offers no choice ("Magnesium was sprayed on
    the limbs, 4 sprays twice daily (each spray 12.5 mg magnesium chloride)"): the form and the dose
    come from whichever piece says them."""
    kept: list[dict] = []
    for arm in arms_found:
        (mine,) = arm["interventions"] if len(arm["interventions"]) == 1 else (None,)
        same = next((k for k in kept if len(k["interventions"]) == 1 and mine is not None
                     and k["interventions"][0]["substance"] == mine["substance"] and not arm["is_control"]), None)
        if same is None:
            kept.append(arm)
            continue
        merged = _merge_same_substance(same["interventions"] + [mine])
        same.update(_arm(merged, same["n"] or arm["n"]))
    return kept


def _chunks(text: str) -> list[tuple[int, int]]:
    """Split an arms sentence into one piece per arm: at ';', 'or', 'versus', commas, but not
    inside parentheses, and a piece naming no substance stays with the piece before it."""
    pieces, start = [], 0
    for match in ARM_SPLIT.finditer(text):
        end = match.start() + 1  # the bracket depth after the split's first character
        if (text.count("(", 0, end) + text.count("[", 0, end) - text.count(")", 0, end) - text.count("]", 0, end)) > 0:
            continue
        pieces.append((start, match.start()))
        start = match.end()
    pieces.append((start, len(text)))
    merged: list[tuple[int, int]] = []
    for piece_start, piece_end in pieces:
        if merged and not substance_mentions(text[piece_start:piece_end]):
            merged[-1] = (merged[-1][0], piece_end)
        else:
            merged.append((piece_start, piece_end))
    return merged


DOSE_KEYS = ("dose_mg", "daily_dose_mg", "frequency_per_day", "route", "dose_text", "dose_mg_per_kg",
             "infusion_mg_per_kg_per_h")


def _merge_same_substance(interventions: list[dict]) -> list[dict]:
    """'magnesium chloride tablets (100 mg of magnesium)': one intervention, not two; and a
    name said twice in one arm ("Super Malic ... malic acid") is one intervention."""
    kept: list[dict] = []
    for item in interventions:
        same = next((k for k in kept if k["name"] == item["name"] or (
            k["substance"] == item["substance"] == "magnesium" and (k["form"] is None or item["form"] is None))), None)
        if same is None:
            kept.append(item)
            continue
        if same["form"] is None and item["form"]:
            same.update(name=item["name"], form=item["form"])
        for key in DOSE_KEYS:
            if same.get(key) is None and item.get(key) is not None:
                same[key] = item[key]
        same["evidence"] = _dedupe(same["evidence"] + item["evidence"])
    return kept


# What may stand between a dose and the substance it is of: a route or "elemental" ("0.2 mg oral
# clonidine", "2 g intravenous magnesium sulfate", "300 mg elemental magnesium").
GAP_BEFORE_SUBSTANCE = re.compile(r"\s*(?:(?:oral|intravenous|i\.v\.|iv|intramuscular|i\.m\.|transdermal|topical|"
                                  r"elemental|subcutaneous|sublingual|intranasal)\s+)*", re.I)


def _assign_doses(chunk: str, mentions: list[Mention]) -> dict[int, re.Match]:
    """Which dose belongs to which substance: "300 mg of X" to X, otherwise "X 300 mg" to the
    substance just before the dose."""
    assigned: dict[int, re.Match] = {}
    for dose in lx.DOSE.finditer(chunk):
        of = re.match(r"\s+(?:(?:loading\s+)?(?:dose|bolus|infusion|injection)\s+)?of\s+(?:the\s+)?(?:oral|intravenous|i\.?v\.?|intramuscular|transdermal|topical)?\s*"
                      r"(?:elemental\s+)?", chunk[dose.end():], re.I)
        owner = None
        if of:
            owner = next((i for i, m in enumerate(mentions) if m.start == dose.end() + of.end()), None)
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
    return assigned


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


def _arm(interventions: list[dict], n: float | None) -> dict:
    label = " + ".join(i["name"] for i in interventions)
    # A background drug every arm takes does not make the placebo arm a treatment arm.
    tested = [i for i in interventions if not i.get("background")]
    return {"label": label, "n": int(n) if n else None,
            "is_control": all(i["name"] in CONTROL_NAMES for i in tested),
            "interventions": interventions}


def _doses_differ(one: dict, other: dict) -> bool:
    """Two arms of the same substances at different doses ("melatonin 3 mg + fluoxetine" and
    "melatonin 5 mg + fluoxetine"): arms of their own, not one arm said twice."""
    return any(a.get(key) is not None and b.get(key) is not None and a[key] != b[key]
               for a, b in zip(one["interventions"], other["interventions"])
               for key in ("dose_mg", "daily_dose_mg", "dose_mg_per_kg", "infusion_mg_per_kg_per_h"))


def _dose_label(arm: dict) -> str:
    return " + ".join(f"{i['name']} {i['dose_text']}" if i.get("dose_text") else i["name"] for i in arm["interventions"])


def _merge_duplicate_arms(arms_found: list[dict]) -> list[dict]:
    """One arm per label: an arm said twice is merged (the doses one left unsaid filled from the
    other); arms of one label at different doses stay apart, each labelled with its doses."""
    merged: dict[str, dict] = {}
    for arm in arms_found:
        kept = merged.get(arm["label"])
        if kept is not None and _doses_differ(kept, arm):
            del merged[arm["label"]]
            kept["label"], arm["label"] = _dose_label(kept), _dose_label(arm)
            merged[kept["label"]] = kept
        if arm["label"] in merged:
            kept = merged[arm["label"]]
            for old, new in zip(kept["interventions"], arm["interventions"]):
                for key in DOSE_KEYS:
                    if old.get(key) is None and new.get(key) is not None:
                        old[key] = new[key]
                old["evidence"] = _dedupe(old["evidence"] + new["evidence"])
        else:
            merged[arm["label"]] = arm
    return list(merged.values())


def _round(value: float | None) -> float | None:
    """Three decimals, or four significant digits below 1 (2.5 µg/kg is 0.0025 mg/kg, not 0.003)."""
    if value is None:
        return None
    return round(value, 3) if value == 0 or abs(value) >= 1 else float(f"{value:.4g}")


# --- duration -------------------------------------------------------------------------------------

DURATION_BEFORE = re.compile(r"(?:\bfor|\bover|\blasting|\bduring|\bat|\bafter|\bin)\s*$", re.I)
# Further ways of saying a length, each asked only when the words before end as it does: "a period of",
# "the treatment period was", "for 4 to" (6 weeks).
LENGTH_OF_BEFORE = re.compile(r"\b(?:period|course|duration|total|span|length|maximum|minimum|treatment|therapy|"
                              r"supplementation|regimen|intervention|trial|study|program|programme|time)\s+of$", re.I)
LENGTH_WAS_BEFORE = re.compile(r"\b(?:period|duration|length)(?:\s+of\s+(?:the\s+)?(?:\w+\s+)?(?:treatment|therapy|"
                               r"supplementation|intervention|study|trial))?\s+(?:was|were|is)$", re.I)
# "for approximately 8 weeks": a hedge between the cue and the number.
HEDGE_ENDINGS = ("approximately ", "about ", "around ", "roughly ", "nearly ", "almost ", "some ", "~", "~ ")
HEDGE_BEFORE = re.compile(r"\s*\b(?:approximately|about|around|roughly|nearly|almost|some|~)\s*$", re.I)
RANGE_BEFORE = re.compile(r"\b(?:for|over|during)\s+\d+\s*(?:to|-|–)$", re.I)


def _said_as_length(before: str) -> bool:
    """Whether the words before a time span say it is a length: "for", "over", "during", "a period of",
    "the treatment period was", "for 4 to" (a range)."""
    if DURATION_BEFORE.search(before):
        return True
    tail = before.rstrip()
    if tail.endswith(("of", "OF", "Of")):
        return bool(LENGTH_OF_BEFORE.search(tail))
    if tail.endswith(("was", "were", "is")):
        return bool(LENGTH_WAS_BEFORE.search(tail))
    return tail.endswith(("to", "-", "–")) and bool(RANGE_BEFORE.search(tail))



DURATION_AFTER = re.compile(r"^\s*(?:trial|study|treatment|period|intervention|supplementation|course|therapy|"
                            r"phase|program|regimen)", re.I)
NOT_DURATION_BEFORE = re.compile(r"(?:\bby|\bafter|\bat|\baged?|\bup\s+to|\bwithin|\bevery|\bfollow-?up\s+(?:period\s+|time\s+)?of|\bbefore|"
                                 r"\b(?:more|less|longer|shorter)\s+than|\bat\s+least|\bper)\s*$", re.I)
FREQUENCY_BEFORE = re.compile(r"(?:\btimes|\bonce|\btwice|\bthrice|\bmg|\bg|\bunits?|\btablets?|\bcapsules?|\bdoses?|"
                              r"\bsprays?|\bIU|\bml|\bdrops?)\s*$", re.I)
# "after 4 weeks of treatment", "after 7 days of feeding with a deficient diet": the time a treatment
# or an exposure lasted, said of its end.
OF_TREATMENT = re.compile(r"\s+(?:of\s+)?(?:the\s+)?(?:(?:oral|daily|active|study|drug|open-label|double-blind|"
                          r"combined|continuous|intravenous|topical)\s+)?(?:treatment|therapy|supplementation|intervention|feeding|diet|"
                          r"administration|exposure|intake|use|magnesium)\b|"
                          # "after 12 months of SIT": of any treatment named, but not of follow-up, age or a washout
                          r"\s+of\s+(?!follow|age\b|life\b|gestation|observation|wash|run-?in|lead-?in|screening|"
                          r"baseline|the\s+(?:study|trial|follow))[A-Za-z]", re.I)
# "one month (28 days)": the finer unit in brackets is what the text counted.
EXACT_AFTER = re.compile(rf"\s*\(\s*(?P<number>{lx.NUMBER})\s*(?P<unit>days?|weeks?)\s*\)", re.I)
# "a four-week course": the article, not a number to add.
A_NUMBER = re.compile(r"^an?[\s-]+(?=[a-z])", re.I)
# A number that reports a result, not how long treatment lasted: a mean, median or spread
# ("median follow-up was 21 months", "3.1 +/- 0.3 days"), or one of two compared values.
STATISTIC_BEFORE = re.compile(r"\+/-|±|\b(?:median|mean|average|versus|vs|range|survival|SD|IQR|ages?|aged)\b", re.I)
STATISTIC_AFTER = re.compile(r"[\s,]*(?:respectively|versus|vs\b|;?\s*p\s*[=<>]|or\s+(?:more|longer|less|fewer)\b|\(\s*range|\(\s*95\s*%|longer|shorter|earlier|later)",
                             re.I)
# "for 6 weeks after a 2-week run-in": a length said with "for", whatever follows it.
TIME_WORD_AFTER = re.compile(r"[\s-]*after\b", re.I)
# "monitored for 11 days", "followed up for 3 months", "allowed to recover for 5 days": how long people
# (or animals) were watched or left before the study, not treated.
WATCHED_BEFORE = re.compile(r"\b(?:monitored|followed(?:\s+up)?|observed|assessed|evaluated|recorded|measured|examined|"
                            r"recover\w*|acclimati[sz]\w*|habituat\w*|adapt\w*|housed|quarantin\w*|stabili[sz]\w*)\s+"
                            r"(?:\w+\s+)?for\s+(?:\d+\s*(?:to|-|–)\s*)?$", re.I)
FOR_BEFORE = re.compile(r"(?:\bfor|\bduring|\bover|\blasting)\s*$", re.I)
# A study of one administration (a single dose, injection or infusion; a drug given around an
# operation) that says no repeated dosing: it has no treatment length, the labels' convention
# ([null, null] for single-dose and perioperative studies, mgfm_dev README).
# Each kind led by a literal and asked only when its needle is in the text (lower case): a cheap scan.
SINGLE_ADMINISTRATION = (
    (("single",), re.compile(r"single\s+(?:[\w-]+\s+){0,2}?(?:doses?|injections?|infusions?|bolus|administration|"
                             r"shots?)\b")),
    (("induction",), re.compile(r"(?:before|at|after)\s+(?:the\s+)?induction\b")),
    (("bolus",), re.compile(r"\bas\s+an?\s+(?:\w+\s+)?bolus\b")),
    (("intraop", "intra-op"), re.compile(r"intra-?operative(?:ly)?\s+(?:infusion|administration|bolus)\b|(?:infused|given|"
                                         r"administered|infusion|bolus)\s+(?:\w+\s+){0,3}?intra-?operatively\b")),
    (("during surgery", "during the surgery", "during operation", "during the operation"),
     re.compile(r"(?:infused|given|administered|infusion|bolus)\s+(?:\w+\s+){0,3}?during\s+(?:the\s+)?(?:surgery|"
                r"operation)\b")),
    (("/h", "/ h", "per hour"), re.compile(r"mg\s*/\s*kg\s*(?:/\s*h\b|per\s+hour\b)")),
)
# "pain was assessed daily": how often something was measured, not dosed.
ASSESSED_REPEATEDLY = re.compile(r"\b(?:assessed|recorded|measured|evaluated|monitored|rated|scored|collected|examined)\s+"
                                 r"(?:\w+\s+)?(?:daily|weekly|every\s+\w+)")
REPEATED_DOSING = re.compile(r"/\s*(?:day|d|24\s*h)\b|\b(?:daily|nightly|weekly|per\s+day|a\s+day|each\s+day|every\s+(?:day|night|evening|morning|"
                             r"\d+\s+h)|twice|thrice|times|/\s*day|b\.?i\.?d|t\.?i\.?d|q\.?d|once\s+a|doses\s+of|"
                             r"(?:tablets?|capsules?|sachets?)\s+(?:per|a|each)|on\s+(?:two|three|\d+)\s+(?:occasions|days)|"
                             r"consecutive\s+days)\b")


def _single_administration(lowered: str) -> bool:
    """Whether a record (lower-case text) tells one administration and no repeated dosing."""
    return (any(any(n in lowered for n in needles) and pattern.search(lowered) for needles, pattern in SINGLE_ADMINISTRATION)
            and not REPEATED_DOSING.search(ASSESSED_REPEATEDLY.sub(" ", lowered)))


# "at 1, 3 and 6 months", "after 12 and 24 months": time points of a list, not a treatment length.
TIME_POINTS_BEFORE = re.compile(r"\d\s*(?:[a-z]+\s*)?,?\s*(?:,|and|or)\s*$", re.I)
# "55 months for A and 41 months for B": two values compared, a result.
COMPARED_AFTER = re.compile(r"[^.;]{0,30}?\b(?:and|vs\.?|versus)\s+\d+(?:\.\d+)?\s*(?:weeks?|months?|days?|years?)\b", re.I)
COMPARED_BEFORE = re.compile(r"\d\s*(?:weeks?|months?|days?|years?)\b[^.;]{0,30}?\b(?:and|vs\.?|versus)\s*$", re.I)


def _compared(text: str, match: re.Match, before: str) -> bool:
    """Whether a time span is one of two values compared ("55 months for A and 41 months for B")."""
    window = text[match.end():match.end() + 45]
    if (" and " in window or " vs" in window or "versus" in window) and COMPARED_AFTER.match(window):
        return True
    return before.rstrip().endswith(("and", "vs", "vs.", "versus")) and bool(COMPARED_BEFORE.search(before))


# "for 2 days or more", "for at least": a definition (an eligibility criterion), not a treatment length.
DEFINITION_AFTER = re.compile(r"\s*or\s+(?:more|longer|less|fewer)\b", re.I)
# "1-year survival", "2-year disease-free survival rates": a result's time point.
EVENT_RATE_AFTER = re.compile(r"[^.;]{0,40}?\b(?:survival|disease-free|progression-free|event-free|recurrence-free|"
                              r"PFS|OS|DFS|EFS|RFS|incidence|cumulative|"
                              r"mortality|relapse\s+rates?|recurrence\s+rates?)\b", re.I)
EVENT_NEEDLES = ("surviv", "-free", "pfs", "dfs", "efs", "rfs", " os", "incidence", "cumulative", "mortality", "relapse",
                 "recurrence")
# Menstrual cycles as the unit of treatment ("for two menstrual cycles"), read only in a record that
# speaks of menstruation; a cycle is taken as a month (4.3 weeks). Chemotherapy cycles are no unit of time.
CYCLES = re.compile(rf"\b(?P<number>{lx.NUMBER})(?:[\s-]+(?:consecutive|successive|menstrual|ovarian|treatment)){{0,2}}"
                    r"[\s-]+(?P<unit>cycles?)\b", re.I)


def _durations(text: str, cycles: bool) -> Iterator[re.Match]:
    """The time spans said in a sentence (lx.DURATION), and menstrual cycles when ``cycles``, in order."""
    if cycles and "cycle" in text:
        return iter(sorted([*lx.DURATION.finditer(text), *CYCLES.finditer(text)], key=lambda m: m.start()))
    return lx.DURATION.finditer(text)  # lazily: the first strong one ends the search


# What every match of lx.DURATION holds: a unit after a space or a hyphen.
DURATION_HINT = re.compile(r"[\s-](?:weeks?|wk|months?|days?|years?|h|hours?)\b", re.I)
NOT_DURATION_AFTER = re.compile(r"^[\s-]*(?:follow-up|old|of\s+age|cycles?\b|every\b|each\s+(?:cycle|month|week)|"
                                r"per\s+(?:cycle|course)|(?:of\s+)?gestation\w*|of\s+life|postoperative|post\b|"
                                r"post-?(?:treatment|partum|natal|dose|injection|burn|infusion|randomi[sz]ation)|after|later|before|apart|interval|"
                                r"wash-?out|run-?in|lead-?in|baseline|screening|observation(?:al)?\s+period|"
                                r"single-blind\s+placebo)", re.I)


def duration(doc: Document) -> tuple[float | None, list[dict]]:
    """How long the treatment (or exposure) lasted, in weeks, with the words that say it.

    The first duration said as one ("for 8 weeks", "a 9-week trial", "after 7 days of feeding")
    wins, else the first plain one. Not durations: ages, time points ("at 2 h", "after 4 weeks"
    with nothing of treatment after it), follow-up, "more than three months" (a definition), and
    hours (a single session or a perioperative study has no treatment length in weeks). The unit
    the text gives is kept: "one month (28 days)" is 4 weeks, not 4.3; 1 month = 4.3 weeks
    otherwise. Returns (weeks or None, evidence spans)."""
    best = None
    lowered = _lower_text(doc)
    cycles = "cycle" in lowered and "menstru" in lowered
    for sentence in sentences(doc):
        if not DURATION_HINT.search(sentence.text) and not (cycles and "cycle" in sentence.text):
            continue  # (no unit after a space or hyphen: no duration, and a cheaper test than DURATION)
        for match in _durations(sentence.text, cycles):
            unit = match.group("unit").lower().rstrip("s")
            if unit in ("h", "hour"):
                continue  # "a 24-hour urine", "at 2 h": sessions and time points, not treatment lengths
            number = match.group("number")
            if number[0] in "aA" and A_NUMBER.match(number):
                number = number[A_NUMBER.match(number).end():]  # "a four-week course" is four weeks, not five
            n = lx.words_to_number(number)
            if not n:
                continue
            wide = sentence.text[max(0, match.start() - 40):match.start()]
            if wide.endswith(HEDGE_ENDINGS):
                wide = HEDGE_BEFORE.sub("", wide)
            before = wide[-25:]
            after = sentence.text[match.end():match.end() + 25]
            of_treatment = OF_TREATMENT.match(after)
            if (NOT_DURATION_BEFORE.search(before) and not of_treatment) or (
                    NOT_DURATION_AFTER.search(after) and not (TIME_WORD_AFTER.match(after) and FOR_BEFORE.search(before))):
                continue  # (but "for 6 weeks after a run-in" is a treatment length)
            if "for" in before[-12:] and not of_treatment and WATCHED_BEFORE.search(before):
                continue  # "allowed to recover for 5 days", "monitored for 11 days after each dose"
            if number.lower() == "a" and FREQUENCY_BEFORE.search(before):
                continue  # "three times a day", "300 mg a day": a frequency, not a duration
            said_for = _said_as_length(wide)
            strong = said_for or bool(DURATION_AFTER.search(after)) or "-" in match.group(0)
            if DEFINITION_AFTER.match(after):
                continue  # "bed rest for 2 days or more": a criterion, not a treatment length
            if not strong and ("." in number or STATISTIC_BEFORE.search(before) or STATISTIC_AFTER.match(after)
                               or TIME_POINTS_BEFORE.search(before) and not of_treatment
                               or _compared(sentence.text, match, wide)):
                continue  # "6.9 versus 7.8 months, respectively", "3.1 +/- 0.3 days", "median 21 months": results
            window = sentence.text[match.end():match.end() + 60].lower()
            if not said_for and any(w in window for w in EVENT_NEEDLES) and EVENT_RATE_AFTER.match(window):
                continue  # "the 1-year, 2-year and 3-year disease-free survival": a time point of a result
            if unit == "year" and not strong:
                continue  # "aged 1-12 years": ages, not treatment lengths
            end = match.end()
            exact = EXACT_AFTER.match(sentence.text, end)
            if exact and lx.words_to_number(exact.group("number")):
                n, unit, end = lx.words_to_number(exact.group("number")), exact.group("unit").lower().rstrip("s"), exact.end()
            weeks = round(n * (lx.WEEKS_PER[unit] if unit != "cycle" else lx.WEEKS_PER["month"]), 2)
            found = (strong, weeks, span(doc, sentence.field, sentence.start + match.start(), sentence.start + end),
                     sentence.text)
            if strong:
                best = found
                break
            best = best or found
        if best and best[0]:
            break
    if best and not REPEATED_DOSING.search(best[3].lower()) and _single_administration(lowered):
        return None, []  # one dose, infusion or operation: a time span said is follow-up, not treatment
    return (best[1], [best[2]]) if best else (None, [])


# Speed: the patterns searched most often, behind a look-ahead of the characters they can start
# with (``fastre.led``: the same matches, found faster). Kept last, to cover whatever they become.
from .fastre import led  # noqa: E402

(ARM_SENTENCE, ARM_SPLIT, MEASURED_BEFORE, PLACEBO_ARM, GROUP_SIZE, GROUP_WORDS, BACKGROUND_BEFORE, NOT_DURATION_BEFORE,
 UNTREATED_ARM, KNOWN_PHRASE) = map(led, (ARM_SENTENCE, ARM_SPLIT, MEASURED_BEFORE, PLACEBO_ARM, GROUP_SIZE, GROUP_WORDS,
                                         BACKGROUND_BEFORE, NOT_DURATION_BEFORE, UNTREATED_ARM, KNOWN_PHRASE))
REPEATED_DOSING, ASSESSED_REPEATEDLY, STATISTIC_BEFORE, WATCHED_BEFORE = map(
    led, (REPEATED_DOSING, ASSESSED_REPEATEDLY, STATISTIC_BEFORE, WATCHED_BEFORE))
