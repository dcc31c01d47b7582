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
        if not compared and " without " in judged and WITHOUT_CONDITION.search(judged):
            compared = True  # "than women without fibromyalgia": people without the condition are the controls
        if lx.OTHER_PATIENTS.search(judged) or ("than" in judged and OTHER_GROUP.search(judged)
                                                and not CONTROLS_FIRST.search(judged)):  # "controls than patients with X"
            compared = None  # treated vs untreated patients: not a comparison with controls
        correlation = _correlation(text)
        # "hypomagnesaemia was more frequent in patients than in controls": a level said as a prevalence
        prevalence = (_prevalence_verdict(judged) if compared and about_magnesium
                      and ("ypomagnes" in text or "ypermagnes" in text) else None)
        named = []
        for key, pattern in _compartment_patterns(text) if about_magnesium else ():
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
            own = _own_verdict(judged, clauses, match.start())
            if compared and (own or verdict or prevalence):
                _set_level(entry, "fm_vs_controls", own or verdict or prevalence, doc, sentence)
            if correlation:
                _set_level(entry, "correlation_with_symptoms", correlation, doc, sentence)
        if prevalence and not named:  # hypomagnesaemia is a low SERUM magnesium by definition
            entry = levels.setdefault("serum", {"compartment": "serum", "fm_vs_controls": None,
                                                "correlation_with_symptoms": None, "evidence": []})
            _set_level(entry, "fm_vs_controls", prevalence, doc, sentence)
            named.append("serum")
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
    return [(a, b, _as_patients(text[a:b], _level_verdict(text[a:b]) or _level_from_numbers(text[a:b])))
            for a, b in bounds]


# Another mineral or vitamin named in a clause: its verdict is that substance's, not magnesium's.
OTHER_SUBSTANCE = re.compile(r"\b(?:zinc|calcium|copper|iron|ferritin|potassium|sodium|phosphate|phosphorus|selenium|"
                             r"vitamin)\b", re.I)


def _own_verdict(text: str, clauses: list[tuple[int, int, str | None]], at: int) -> str | None:
    """The verdict of the clause holding position ``at`` (where a compartment is named); when that
    clause speaks of another mineral and not of magnesium ("Serum zinc was lower in patients, whereas
    magnesium levels were similar"), the verdict of the clause that names magnesium."""
    for start, end, verdict in clauses:
        if start <= at < end:
            clause = text[start:end]
            if len(clauses) > 1 and not _names_magnesium(clause) and OTHER_SUBSTANCE.search(clause):
                return next((v for a, b, v in clauses if v and _names_magnesium(text[a:b])), None)
            return verdict
    return None


def _level_verdict(text: str) -> str | None:
    if lx.NO_CHANGE.search(text):
        return "no_difference"
    if lx.LOWER.search(text):
        return "lower"
    if lx.HIGHER.search(text):
        return "higher"
    if ("below" in text or "above" in text) and (found := BELOW_ABOVE.search(text)):
        return "lower" if found.group(0).lower().startswith("below") else "higher"
    return None


# "below that of the controls", "above those of healthy subjects": a comparison with the other group.
BELOW_ABOVE = re.compile(r"\b(?:below|above)\s+(?:that|those)\s+(?:of|in|found\s+in|seen\s+in)\b", re.I)
# The controls as the subject of a comparison with the patients after "than": "higher in controls than
# in patients", "Healthy volunteers had higher serum magnesium than the patients" says the patients are lower.
CONTROLS_FIRST = re.compile(
    r"\b(?:controls?|control\s+(?:group|subjects|participants)|volunteers|healthy\s+(?:subjects|individuals|people|"
    r"participants|women|men|adults|children))\b(?:(?!\b(?:patients?|cases)\b)[^.;])*?\bthan\s+(?:in\s+|among\s+|"
    r"(?:that|those)\s+(?:of|in)\s+)?(?:the\s+)?(?:\w+\s+){0,2}?(?:patients|cases|migraineurs|sufferers|"
    r"(?:group|women|men|subjects|children)\s+with)\b", re.I)
_FLIPPED = {"lower": "higher", "higher": "lower"}


def _as_patients(text: str, verdict: str | None) -> str | None:
    """A clause's verdict said of the patients: flipped when the clause makes the controls its subject
    ("Serum magnesium was higher in controls than in patients" -> the patients' is lower)."""
    if verdict in _FLIPPED and "than" in text and CONTROLS_FIRST.search(text):
        return _FLIPPED[verdict]
    return verdict


# Compartments the lexicon does not name, all the schema's "other": cerebrospinal fluid, saliva, brain
# (spectroscopy), sweat, bone; and names of its compartments it does not know ("intra-erythrocytic",
# mononuclear cells and lymphocytes are white cells). Only a sentence holding one of the needles is
# searched for them.
OTHER_COMPARTMENT = re.compile(r"cerebrospinal\s+fluid|\bCSF\b|\bsaliva(?:ry)?\b|\bbrain\s+(?:magnesium|Mg|tissue|"
                               r"levels?|concentrations?)\b|\bin\s+(?:the\s+)?brain\b|\bsweat\b|\bbone\s+"
                               r"(?:magnesium|Mg)\b", re.I)
MORE_COMPARTMENTS = [
    ("erythrocyte", re.compile(r"erythrocytic", re.I), ("rythrocytic",)),
    ("leukocyte", re.compile(r"mononuclear\s+(?:blood\s+)?cells?|\blymphocytes?\b|\bmonocytes?\b|\bPBMCs?\b", re.I),
     ("ononuclear", "ymphocyte", "onocyte", "PBMC")),
    ("other", OTHER_COMPARTMENT, ("cerebrospinal", "CSF", "aliva", "rain", "weat", "one")),
]


def _compartment_patterns(text: str) -> list:
    """The compartment patterns worth trying on a sentence: the lexicon's, and those of
    ``MORE_COMPARTMENTS`` one of whose needles is in it."""
    extra = [(key, pattern) for key, pattern, needles in MORE_COMPARTMENTS if any(n in text for n in needles)]
    return [*lx.COMPARTMENT_PATTERNS, *extra] if extra else lx.COMPARTMENT_PATTERNS


# A group of people without the condition as the comparison group: "than women without fibromyalgia".
WITHOUT_CONDITION = re.compile(r"\bthan\s+(?:in\s+)?(?:the\s+)?(?:\w+\s+)?(?:women|men|subjects|people|individuals|"
                               r"persons|participants|children|adults|volunteers)\s+without\s+(?!aura\b)", re.I)
# Hypomagnesaemia (low serum magnesium by definition) more frequent in the patients than in the controls,
# in words or as two shares: "found in 40% of patients and 8% of controls".
MORE_FREQUENT = re.compile(r"\bmore\s+(?:frequent(?:ly)?|common(?:ly)?|prevalent|often)\b|\bhigher\s+(?:prevalence|"
                           r"frequency|rate|proportion|incidence)\b", re.I)
SHARE_PAIR = re.compile(
    r"(?P<fm>\d+(?:\.\d+)?)\s*%\s+(?:of\s+)?(?:the\s+)?(?:\w+\s+){0,2}?(?:patients|cases|migraineurs|sufferers)\b"
    r"[^.;]{0,40}?\b(?:and|vs\.?|versus|compared\s+(?:with|to))\s+(?:in\s+)?(?P<controls>\d+(?:\.\d+)?)\s*%\s+"
    r"(?:of\s+)?(?:the\s+)?(?:healthy\s+)?(?:controls?|control\s+(?:group|subjects)|volunteers)\b", re.I)


def _prevalence_verdict(text: str) -> str | None:
    """The patients' level from how often hypo- or hypermagnesaemia was found in them and in the
    controls: more often in the patients says their serum level is lower (hypo) or higher (hyper);
    "no difference in the prevalence" says no difference. None when the sentence compares nothing."""
    if lx.NO_CHANGE.search(text):
        return "no_difference"
    hypo = "ypomagnes" in text
    if MORE_FREQUENT.search(text) and not CONTROLS_FIRST.search(text):
        return "lower" if hypo else "higher"
    pair = SHARE_PAIR.search(text)
    if pair and float(pair.group("fm")) != float(pair.group("controls")):
        more = float(pair.group("fm")) > float(pair.group("controls"))
        return ("lower" if hypo else "higher") if more else ("higher" if hypo else "lower")
    return None


def _level_from_numbers(text: str) -> str | None:
    """ "Mean RBC magnesium was 4.1 mg/dl in patients and 5.0 mg/dl in controls (p < 0.001)": the
    direction from the two numbers, if the sentence says the difference is significant."""
    pair = lx.LEVEL_PAIR.search(text) or (" in " in text and GROUP_LEVEL_PAIR.search(text))
    if not pair:
        return None
    p = lx.P_VALUE.search(text, pair.end())
    significant = (lx.SIGNIFICANT.search(text) and not lx.NOT_SIGNIFICANT.search(text)) or (
        p is not None and p.group("op") in "<≤=" and float(p.group("value")) < 0.05)
    if not significant:
        return "no_difference" if p is not None else None
    fm, controls = float(pair.group("fm")), float(pair.group("controls"))
    return "lower" if fm < controls else "higher" if fm > controls else "no_difference"


_UNIT = r"(?:[a-zµμ]+\s*/\s*[a-zµμ]+|mM|mmol|mg|mEq|ppm)?"
# The lexicon's two-number level (``LEVEL_PAIR``) with the group names of other conditions: "0.78 mmol/L
# in migraineurs versus 0.86 mmol/L in healthy controls".
GROUP_LEVEL_PAIR = re.compile(
    rf"(?P<fm>\d+(?:\.\d+)?)\s*(?:(?:\+/-|±)\s*\d+(?:\.\d+)?\s*)?{_UNIT}\s+in\s+(?:the\s+)?(?:\w+\s+){{0,2}}"
    r"(?:patients|cases|women|men|subjects|group|migraineurs|sufferers|children|adolescents|adults)\b[^.;]{0,40}?\s+"
    rf"(?:and|vs\.?|versus|compared\s+(?:with|to))\s+(?P<controls>\d+(?:\.\d+)?)\s*(?:(?:\+/-|±)\s*\d+(?:\.\d+)?\s*)?"
    rf"{_UNIT}\s+in\s+(?:the\s+)?(?:healthy\s+)?(?:controls?|volunteers|control\s+(?:group|subjects)|healthy\s+subjects)",
    re.I)


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


# "correlated with disease duration but not with pain severity": the symptoms are on the "not" side.
BUT_NOT_WITH = re.compile(r"\bbut\s+not\s+(?:with|to)\b", re.I)


def _correlation(text: str) -> str | None:
    if not lx.SYMPTOM_WORDS.search(text):
        return None  # a correlation with C-reactive protein or age is not one with symptoms
    if " not " in text and (but_not := BUT_NOT_WITH.search(text)) and not lx.SYMPTOM_WORDS.search(text, 0, but_not.start()):
        return "none"  # a correlation with something else, and none with the symptoms
    for pattern, value in ((lx.NO_CORRELATION, "none"), (lx.NEGATIVE_CORRELATION, "negative"),
                           (NEGATIVE_CORRELATION, "negative"), (lx.POSITIVE_CORRELATION, "positive"),
                           (POSITIVE_CORRELATION, "positive")):
        if pattern.search(text):
            return value
    if "=" in text and (r_value := R_WITH_SYMPTOM.search(text)):
        return "negative" if r_value.group("sign") else "positive"
    if " with " in text and LEVEL_WORDS.search(text) and not lx.DOSE.search(text):
        if COVARY_INVERSE.search(text):
            return "negative"
        if COVARY_TOGETHER.search(text):
            return "positive"
    return None


# "correlated with the severity of pain (r = 0.52)": the sign of r gives the direction.
R_WITH_SYMPTOM = re.compile(r"\bcorrelat\w*\s+(?:(?:significantly|strongly|weakly|moderately|closely)\s+)?(?:with|to)\b"
                            r"[^.;]{0,80}?\b(?:r|rho|ρ|rs)\s*=\s*(?P<sign>[-−–])?\s*0?\.\d", re.I)
# A level that moves with the symptoms: "magnesium levels decreased with increasing pain severity"
# (inverse), "rose with the number of attacks" (together). A dose that does so is a trial's, not a level's.
LEVEL_WORDS = re.compile(r"\b(?:levels?|concentrations?|content)\b", re.I)
_RISING = r"(?:increasing|higher|greater|worsening|more|rising|the\s+number\s+of)"
_FALLING = r"(?:decreasing|lower|less|fewer|improving|milder|falling)"
_GOES_DOWN = r"(?:decreas\w*|declin\w*|fell|fall\w*|lower\w*|dropp?\w*)"
_GOES_UP = r"(?:increas\w*|rose|ris\w*|higher)"
COVARY_INVERSE = re.compile(rf"\b{_GOES_DOWN}\s+(?:significantly\s+)?(?:with|as)\s+(?:the\s+)?{_RISING}\b|"
                            rf"\b{_GOES_UP}\s+(?:significantly\s+)?(?:with|as)\s+(?:the\s+)?{_FALLING}\b", re.I)
COVARY_TOGETHER = re.compile(rf"\b{_GOES_UP}\s+(?:significantly\s+)?(?:with|as)\s+(?:the\s+)?{_RISING}\b|"
                             rf"\b{_GOES_DOWN}\s+(?:significantly\s+)?(?:with|as)\s+(?:the\s+)?{_FALLING}\b", re.I)


def _set_level(entry: dict, key: str, value: str, doc: Document, sentence: Sentence) -> None:
    """The first statement about a compartment wins; its sentence is the evidence."""
    if entry[key] is None:
        entry[key] = value
        entry["evidence"].append(sentence_span(doc, sentence))
