"""Magnesium levels: each compartment compared with healthy controls (lower, higher, no
difference) and correlation with symptoms, with the clause that says it."""

from __future__ import annotations

import re

from . import lexicon as lx
from .text import Document, Sentence, _dedupe, sentence_span, sentences, span
from .outcomes import CLAUSE_BOUNDARY


# --- magnesium levels -----------------------------------------------------------------------------

def _names_magnesium(text: str) -> bool:
    return "agnes" in text or "AGNES" in text or "Mg" in text


def magnesium_levels(doc: Document) -> list[dict]:
    """Magnesium levels compared with healthy controls, one entry per compartment:
    ``{"compartment": "serum" | "erythrocyte" | ..., "fm_vs_controls": "lower" | "higher" |
    "no_difference" | None, "correlation_with_symptoms": "negative" | "positive" | "none" | None,
    "evidence": [spans]}``.

    Reads the study's own sentences that name magnesium (or follow one that did: "Both were lower"),
    the compartment anywhere in the record, the vocabulary of comparison (reduction, decreased by,
    no different than, elevation ...) only against healthy controls, and correlation wording
    ("inversely related", "no clear correlation"). No values (mmol/L) are kept: directions only.

    Example: "Serum magnesium was lower in patients than in healthy controls" -> serum, lower."""
    if not any(_names_magnesium(doc.fields[f]) for f in doc.text_fields):
        return []
    levels: dict[str, dict] = {}
    # Whether the study has a comparison group at all: then "lower in the women with fibromyalgia"
    # is a comparison with it even in a sentence that does not name the controls.
    has_controls = any(lx.CONTROLS.search(doc.fields[f]) for f in doc.text_fields)
    healthy = has_controls and any(HEALTHY_CONTROLS.search(doc.fields[f]) for f in doc.text_fields)
    named_before: list[str] = []  # compartments the previous sentence named ("Both were lower")
    for sentence in sentences(doc):
        text = sentence.text
        about_magnesium = _names_magnesium(text)
        follows_up = named_before and (lx.ANAPHOR.search(text) or lx.FM_GROUP.search(text))
        if not about_magnesium and not follows_up:
            named_before = []
            continue  # the common case, kept cheap: a sentence that says nothing of magnesium
        if about_magnesium and lx.DOSE.search(text) and not lx.CONTROLS.search(text):
            named_before = []
            continue  # a dose, not a level
        judged = lx.MATCHING.sub(" ", text)  # "controls of similar age" says nothing of magnesium
        clauses = _level_clauses(judged)
        verdicts = {v for _, _, v in clauses} - {None}
        verdict = verdicts.pop() if len(verdicts) == 1 else None  # the sentence's, when it has only one
        # compared with controls: named in the sentence, or the study has healthy controls and the
        # sentence compares ("than", the patient group as subject) - never "than in rheumatoid arthritis"
        # in a study without them
        compared = (lx.CONTROLS.search(judged)
                    or (has_controls and (re.search(r"\bthan\b", text) or lx.FM_GROUP.search(text) or not about_magnesium))
                    or (healthy and _patients_compared(text)))
        if lx.OTHER_PATIENTS.search(judged) or ("than" in judged and OTHER_GROUP.search(judged)):
            compared = None  # treated vs untreated patients: not a comparison with controls
        correlation = _correlation(text)
        named = []
        for key, pattern in lx.COMPARTMENT_PATTERNS if about_magnesium else ():
            match = pattern.search(text)
            if not match:
                continue
            if key == "serum" and "plasma" in named:
                continue  # "plasma magnesium levels": the blood levels are the plasma ones
            named.append(key)
            entry = levels.setdefault(key, {"compartment": key, "fm_vs_controls": None,
                                            "correlation_with_symptoms": None, "evidence": []})
            entry["evidence"].append(span(doc, sentence.field, sentence.start + match.start(),
                                          sentence.start + match.end()))
            own = next((v for start, end, v in clauses if start <= match.start() < end), None)
            if compared and (own or verdict):
                _set_level(entry, "fm_vs_controls", own or verdict, doc, sentence)
            if correlation:
                _set_level(entry, "correlation_with_symptoms", correlation, doc, sentence)
        if not named and about_magnesium and not follows_up and compared and verdict and len(levels) == 1:
            # "Magnesium concentrations were reduced in the patient group" under the title "Serum magnesium in
            # migraine": the one compartment the record names (title included) is the one compared
            _set_level(next(iter(levels.values())), "fm_vs_controls", verdict, doc, sentence)
        if not named and follows_up:  # "Both were lower in ...", "No difference between the groups"
            for key in named_before:
                if compared and verdict:
                    _set_level(levels[key], "fm_vs_controls", verdict, doc, sentence)
                if correlation:
                    _set_level(levels[key], "correlation_with_symptoms", correlation, doc, sentence)
        elif not named and about_magnesium and correlation in ("none", "negative"):
            for entry in levels.values():  # "lower magnesium went with more symptoms"
                _set_level(entry, "correlation_with_symptoms", correlation, doc, sentence)
        named_before = named
    for entry in levels.values():
        entry["evidence"] = _dedupe(entry["evidence"])
    return list(levels.values())


QUALIFIER = re.compile(r"\s*(?:the\s+(?:difference|change|trend|effect)s?|this|it|which|that)\b", re.I)


def _level_clauses(text: str) -> list[tuple[int, int, str | None]]:
    """The clauses of a sentence with each one's verdict: "urine magnesium was lower in the patients,
    but serum values did not differ" says lower of urine and no difference of serum."""
    bounds, start = [], 0
    for boundary in CLAUSE_BOUNDARY.finditer(text):
        bounds.append((start, boundary.start()))
        start = boundary.end()
    bounds.append((start, len(text)))
    for index in range(len(bounds) - 1, 0, -1):  # "..., but the difference was not significant" qualifies
        if QUALIFIER.match(text, bounds[index][0]):  # the clause before it: one clause
            bounds[index - 1:index + 1] = [(bounds[index - 1][0], bounds[index][1])]
    return [(a, b, _level_verdict(text[a:b]) or _level_from_numbers(text[a:b])) for a, b in bounds]


def _level_verdict(text: str) -> str | None:
    if lx.NO_CHANGE.search(text):
        return "no_difference"
    if lx.LOWER.search(text):
        return "lower"
    if lx.HIGHER.search(text):
        return "higher"
    return None


def _level_from_numbers(text: str) -> str | None:
    """ "Mean RBC magnesium was 4.1 mg/dl in patients and 5.0 mg/dl in controls (p < 0.001)": the
    direction from the two numbers, if the sentence says the difference is significant."""
    pair = lx.LEVEL_PAIR.search(text)
    if not pair:
        return None
    p = lx.P_VALUE.search(text, pair.end())
    significant = (lx.SIGNIFICANT.search(text) and not lx.NOT_SIGNIFICANT.search(text)) or (
        p is not None and p.group("op") in "<≤=" and float(p.group("value")) < 0.05)
    if not significant:
        return "no_difference" if p is not None else None
    fm, controls = float(pair.group("fm")), float(pair.group("controls"))
    return "lower" if fm < controls else "higher" if fm > controls else "no_difference"


# The patient group as the subject of a level statement in a study with healthy controls, whatever
# its condition: "a reduction in the migraine group", "Patients were magnesium deficient".
PATIENT_GROUP = re.compile(r"\b(?:in|among|of)\s+(?:the\s+)?(?:\w+\s+){0,2}(?:patients|patient\s+group|cases|"
                           r"migraineurs|sufferers|group)\b|^\s*(?:the\s+)?(?:\w+\s+){0,2}(?:patients|cases|"
                           r"migraineurs)\s+(?:had|have|showed|were|was|displayed|exhibited)\b", re.I)
# A study whose comparison group is healthy people (not a placebo or treated control group).
HEALTHY_CONTROLS = re.compile(r"\bhealthy\b|\bcontrol\s+subjects\b|\bcontrols\b(?!\s+group)", re.I)
# A change during treatment or a comparison with a treated group: never a level against controls.
TREATMENT_CHANGE = re.compile(r"\b(?:after|following|during)\s+(?:\w+\s+){0,3}?(?:treatment|supplementation|therapy|"
                              r"infusions?|administration|load(?:ing)?|intake)\b|\b(?:from|over|compared\s+(?:with|to))\s+"
                              r"baseline\b|\b(?:magnesium|treated|treatment|placebo|supplement\w*|intervention|active|"
                              r"verum)\s+(?:group|arm)s?\b", re.I)


def _patients_compared(text: str) -> bool:
    """Whether a sentence speaks of the patient group in a way that compares it with the study's
    healthy controls (the patient group is its subject, and it tells no change during treatment)."""
    return bool(PATIENT_GROUP.search(text)) and not TREATMENT_CHANGE.search(text)


# A comparison between two groups of patients: "lower in patients with aura than in patients without
# aura", "than in those treated with ...": not one with the healthy controls.
OTHER_GROUP = re.compile(r"\bthan\s+(?:in\s+)?(?:the\s+)?(?:\w+\s+)?(?:patients|cases|migraineurs)\s+(?:with|without|"
                         r"who|treated|receiving|on)\b|\bthan\s+(?:in\s+)?those\s+(?:with|who|treated|receiving|on)\b",
                         re.I)


# Correlation wording beside the lexicon's: "correlated inversely with", "r = -0.42".
NEGATIVE_CORRELATION = re.compile(r"\bcorrelat\w*\s+(?:(?:significantly|strongly|weakly|moderately|closely)\s+)?"
                                  r"(?:negatively|inversely)\b|\br\s*=\s*[-−–]\s*0?\.\d", re.I)
POSITIVE_CORRELATION = re.compile(r"\bcorrelat\w*\s+(?:(?:significantly|strongly|weakly|moderately|closely)\s+)?"
                                  r"positively\b|\bpositive(?:ly)?\s+(?:associat|relat)\w*", re.I)


def _correlation(text: str) -> str | None:
    if not lx.SYMPTOM_WORDS.search(text):
        return None  # a correlation with C-reactive protein or age is not one with symptoms
    for pattern, value in ((lx.NO_CORRELATION, "none"), (lx.NEGATIVE_CORRELATION, "negative"),
                           (NEGATIVE_CORRELATION, "negative"), (lx.POSITIVE_CORRELATION, "positive"),
                           (POSITIVE_CORRELATION, "positive")):
        if pattern.search(text):
            return value
    return None


def _set_level(entry: dict, key: str, value: str, doc: Document, sentence: Sentence) -> None:
    """The first statement about a compartment wins; its sentence is the evidence."""
    if entry[key] is None:
        entry[key] = value
        entry["evidence"].append(sentence_span(doc, sentence))
