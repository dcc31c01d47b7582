"""Population: people enrolled, analysed and healthy controls, sex and condition, read from the
study's own sentences, each value with its span."""

from __future__ import annotations

import re

from . import lexicon as lx
from .text import Document, _find, _find_if, _may_hold, _may_say, sentences, span
from .design import FIBROMYALGIA_TEXT


# --- population -----------------------------------------------------------------------------------

WHO = r"(?:women|men|patients|subjects|participants|adults|children|individuals|people|volunteers|persons|" \
      r"outpatients|inpatients|cases|controls|girls|boys|infants|smokers|runners|athletes|mothers)"
HEADCOUNT = re.compile(
    rf"(?<![\w.\-/])(?P<n>{lx.NUMBER})\s+(?P<between>(?:(?:[A-Za-z]+-?\s+and\s+(?=[A-Za-z]+[\s-]matched))?(?!(?:of|with|mg|g|years?|weeks?|"
    rf"months?|days?|times|doses?|and|or|to|were|had)\b)[A-Za-z][\w\-]*\s+){{0,4}})(?P<who>{WHO})\b", re.I)
# "Among the 24 who finished": completers named by what they did, not by who they were.
COMPLETERS = re.compile(rf"\b(?P<n>{lx.NUMBER})\s+(?:(?:patients|participants|subjects|women|men)\s+)?"
                        r"(?:who\s+|that\s+)?(?:completed|finished)\b", re.I)
# "(aged 7-19 y; 20 males)": a count of one sex, which makes the group mixed when it is not everyone.
SEX_COUNT = re.compile(rf"\b(?P<n>{lx.NUMBER})\s+(?:were\s+)?(?:males?|females?|men|women|boys|girls)\b", re.I)
WHO_WORD = re.compile(rf"\b{WHO}\b", re.I)
# One of these is in every (ASCII, lower-case) text WHO_WORD matches: a cheaper test first.
WHO_NEEDLES = ("men", "patients", "subjects", "participants", "adults", "children", "individuals", "people", "volunteers",
               "persons", "cases", "controls", "girls", "boys", "infants", "smokers", "runners", "athletes", "mothers")
HEADCOUNT_PAREN = re.compile(rf"\b(?P<who>{WHO})\s*\(\s*N\s*=\s*(?P<n>\d+)\s*\)", re.I)
ENROLLED_VERB = re.compile(r"\b(?:randomi[sz]|enrol|includ|recruit|took\s+part|participat|assign|underwent|were\s+studied|"
                           r"were\s+divided|met\s+the|entered|allocated|with\s+(?:primary\s+)?fibromyalgia|diagnosed)", re.I)
ANALYZED_VERB = re.compile(r"\b(?:completed|finished|analy[sz]ed|evaluable|remained|were\s+available)", re.I)
FEMALE = re.compile(r"\b(?:women|woman|female|females|girls|premenopausal|postmenopausal|pregnant|mothers)\b", re.I)
# (As r"\b(?:men|man|male|males|boys)\b", written first letter first and the word boundary after it
# as a look-behind: the regex engine then skips to an m or b instead of trying every position.)
MALE = re.compile(r"[mb](?<!\w[mb])(?:en|an|ale|ales|oys)\b", re.I)
FEMALE_NEEDLES = ("wom", "female", "girl", "menopaus", "pregnan", "mother")


def population(doc: Document, topic: dict) -> dict:
    """Who was studied: ``{"n_enrolled", "n_analyzed", "n_controls", "sex", "condition", "evidence"}``.

    Reads head counts in the study's sentences ("40 women with fibromyalgia were randomized",
    "patients (N = 24)", numbers in words too), completers ("24 completed"), healthy controls, sex
    words (female / male / mixed, "20 males" among 44 making it mixed) and the condition
    ("fibromyalgia" when the text or MeSH says it, given ``topic`` from ``topics``). Counts are
    people (ints); each value found adds its span to ``evidence``; unknown values are None.

    Example: "Forty women with fibromyalgia were enrolled; 36 completed." -> n_enrolled 40,
    n_analyzed 36, sex "female", condition "fibromyalgia"."""
    # The condition is what the text (or MeSH) says, not what the source is about.
    said = topic["fibromyalgia"] and (_find_if(doc, FIBROMYALGIA_TEXT, ("fibro", "fms"))
                                      or any(m.lower() == "fibromyalgia" for m in doc.mesh))
    result = {"n_enrolled": None, "n_analyzed": None, "n_controls": None, "sex": None,
              "condition": "fibromyalgia" if said else None, "evidence": []}
    for sentence in sentences(doc):
        if sentence.field == "title" or not _may_say(sentence.text, WHO_NEEDLES) or not WHO_WORD.search(sentence.text):
            continue
        in_brackets = HEADCOUNT_PAREN.finditer(sentence.text) if "=" in sentence.text else ()
        for match in [*HEADCOUNT.finditer(sentence.text), *in_brackets]:
            n = lx.words_to_number(match.group("n"))
            if n is None or n < 2 or n != int(n):
                continue
            after = sentence.text[match.end():match.end() + 60]
            before = sentence.text[max(0, match.start() - 40):match.start()]
            phrase = match.group(0)
            here = span(doc, sentence.field, sentence.start + match.start(), sentence.start + match.end())
            if match.group("who").lower() == "cases" and not ENROLLED_VERB.search(after + before):
                continue  # "3 cases of eclampsia" counts events, not people enrolled
            if re.search(r"\b(?:healthy|controls?)\b", phrase, re.I) or re.search(r"^\s*(?:healthy\s+)?controls?\b", after, re.I):
                key = "n_controls"
            elif ANALYZED_VERB.search(after[:40]) and not re.search(r"\bof\s+(?:the\s+)?$", before, re.I):
                key = "n_analyzed"  # ("Of the 40 patients, 24 completed": the 40 are those enrolled)
            elif ENROLLED_VERB.search(after) or ENROLLED_VERB.search(before) or result["n_enrolled"] is None:
                key = "n_enrolled"
            else:
                continue
            if result[key] is None:
                result[key] = int(n)
                result["evidence"].append(here)
    if result["n_analyzed"] is None:
        completers = _find_if(doc, COMPLETERS, ("completed", "finished"))
        if completers:
            n = lx.words_to_number(COMPLETERS.match(completers[0]["text"]).group("n"))
            if n is not None and n == int(n) and (result["n_enrolled"] is None or n <= result["n_enrolled"]):
                result["n_analyzed"] = int(n)
                result["evidence"].append(completers[0])
    female = _find(doc, FEMALE) if _may_hold(doc, FEMALE_NEEDLES) else []
    male = _find(doc, MALE)
    if female or male:
        result["sex"] = "mixed" if female and male else ("female" if female else "male")
        result["evidence"].append((female or male)[0])
        if result["sex"] != "mixed" and result["n_enrolled"]:
            for counted in _find_if(doc, SEX_COUNT, ("male", "men", "boys", "girls")):
                n = lx.words_to_number(SEX_COUNT.match(counted["text"]).group("n"))
                if n is not None and n < result["n_enrolled"]:  # "44 patients ... 20 males"
                    result["sex"] = "mixed"
                    result["evidence"].append(counted)
                    break
    if result["condition"]:
        result["evidence"].extend(_find_if(doc, FIBROMYALGIA_TEXT, ("fibro", "fms"))[:1])
    return result
