"""The direction of a reported result, read from one sentence: did the outcome go up, go down, or
not differ (between the groups compared)?

This is the raw direction of the measure, before knowing whether higher is better; the
outcome extractor turns it into improved / worsened with each measure's polarity. It is also the
Evidence Inference task with the evidence sentence given (DeYoung et al., BioNLP 2020): the labels
"significantly increased", "significantly decreased", "no significant difference".
"""

from __future__ import annotations

import re

from . import lexicon as lx

INCREASED, DECREASED, NO_DIFFERENCE = "increased", "decreased", "no_difference"

# A null said in other words than lexicon.NO_CHANGE: a trend, "NS", a p-value of 0.05 or more.
NULL_WORDS = re.compile(
    r"\b(?:tend(?:ed|ency)?\s+(?:to|towards?)|trend\w*|NS|n\.s\.|no\s+(?:statistically\s+)?significant|"
    r"did\s+not\s+(?:\w+\s+){0,2}(?:differ|reach|show|change|affect|alter|improve|reduce|increase)|"
    r"not\s+(?:statistically\s+)?significant\w*|failed\s+to|were\s+(?:similar|comparable)|as\s+effective\s+as|"
    r"equivalent|non-?inferior|no\s+(?:\w+\s+){0,2}(?:difference|effect|change)s?|"
    # "no between-group differences", "did not reveal any significant differences", "non-significantly"
    r"no\s+(?:\w+\s+)?between[\s-]+groups?\s+differences?|did\s+not\s+(?:reveal|yield|produce)\s+(?:any\s+)?"
    r"(?:\w+\s+){0,2}differences?|non-?significantly|not\s+(?:\w+\s+)?different)\b", re.I)
DOWN = re.compile(r"\b(?:decreas\w*|reduc\w*|lower\w*|less(?:er)?|fewer|declin\w*|drop\w*|fell|fall\w*|diminish\w*|"
                  r"shorter|smaller|attenuat\w*|suppress\w*|inhibit\w*|prevent\w*|lowest|minimi[sz]\w*)\b", re.I)
UP = re.compile(r"\b(?:increas\w*|higher|greater|more|rais\w*|rose|elevat\w*|longer|larger|improv\w*|enhanc\w*|"
                r"gain\w*|superior|better|boost\w*|highest|exceed\w*|prolong\w*)\b", re.I)
P_AT_LEAST = re.compile(r"\b[Pp]\s*(?:=|>|≥)\s*(?P<value>0?\.\d+|1(?:\.0+)?)\b")
CLAUSE = re.compile(r";|,\s+(?:but|whereas|while|although)\s+|\s+(?:but|whereas|while)\s+", re.I)
# A clause that only qualifies the one before it: "..., but this was not significant".
QUALIFIES = re.compile(r"\s*(?:this|these|that|it|they|the\s+(?:differences?|changes?|effects?|reductions?|increases?)|"
                       r"the\s+latter|not)\b", re.I)
# A confidence interval: a ratio's that holds 1, or a difference's that holds 0, is no difference.
CI = re.compile(r"(?:95\s*%\s*(?:CI|confidence\s+interval)|\bCI\b)[\s:=,]*\[?\(?\s*(?P<lo>[−-]?\d+(?:\.\d+)?)\s*"
                r"(?:to|–|-|—|,)\s*(?P<hi>[−-]?\d+(?:\.\d+)?)", re.I)
RATIO = re.compile(r"\b(?:ratio|OR|RR|HR|IRR|odds|hazard|relative\s+risk)\b", re.I)


def _clause_of(sentence: str, target: str | None) -> str:
    """The clause of the sentence that names the target (its first word of four letters or more),
    or the whole sentence."""
    if not target:
        return sentence
    words = [w for w in re.findall(r"[A-Za-z][\w-]{3,}", target)][:3]
    lowered = sentence.lower()
    at = next((lowered.find(w.lower()) for w in words if w.lower() in lowered), -1)
    if at < 0:
        return sentence
    start, end = 0, len(sentence)
    for boundary in CLAUSE.finditer(sentence):
        if sentence.count("(", 0, boundary.start()) > sentence.count(")", 0, boundary.start()):
            continue  # "(HR 1.17; P = 0.35)": a semicolon inside a bracket parts no clauses
        if boundary.end() <= at:
            start = boundary.end()
        elif boundary.start() > at:
            if QUALIFIES.match(sentence, boundary.end()):
                continue  # "..., but this was not significant": the same clause
            end = boundary.start()
            break
    return sentence[start:end]


def _ci_null(clause: str) -> bool:
    """A 95% confidence interval that holds no effect (1 for a ratio, 0 for a difference)."""
    for match in CI.finditer(clause):
        lo, hi = (float(match.group(g).replace("−", "-")) for g in ("lo", "hi"))
        lo, hi = min(lo, hi), max(lo, hi)
        ratio = RATIO.search(clause, 0, match.start()) is not None
        if (ratio and lo < 1 < hi) or (not ratio and lo < 0 < hi):
            return True
    return False


def result_direction(sentence: str, outcome: str | None = None) -> str | None:
    """``"increased"``, ``"decreased"``, ``"no_difference"`` or None (the sentence says no direction).

    ``sentence``: one result sentence; ``outcome``: the measure's name, to read the clause about it
    ("A fell, whereas B did not change"). A null wins over a direction word ("pain decreased in both
    groups, but the difference was not significant"); a p-value of 0.05 or more makes a null when no
    direction word is said as significant. Examples: "Pain scores were significantly lower with
    magnesium" -> decreased; "did not differ between groups (p = 0.4)" -> no_difference."""
    clause = _clause_of(sentence, outcome)
    if lx.NO_CHANGE.search(clause) or NULL_WORDS.search(clause) or lx.BETWEEN_NULL.search(sentence):
        return NO_DIFFERENCE
    p = P_AT_LEAST.search(clause)
    if p and float(p.group("value")) >= 0.05 and not lx.SIGNIFICANT.search(clause.replace(p.group(0), "")):
        return NO_DIFFERENCE
    if _ci_null(clause) and not lx.SIGNIFICANT.search(clause):
        return NO_DIFFERENCE
    down, up = DOWN.search(clause), UP.search(clause)
    if not (down or up):
        return None
    word = down if down and (not up or down.start() < up.start()) else up  # the first is the verb, usually
    direction = DECREASED if word is down else INCREASED
    return direction
