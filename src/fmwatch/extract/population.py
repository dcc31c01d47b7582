"""Population: people enrolled, analysed and healthy controls, sex and condition, read from the
study's own sentences, each value with its span."""

from __future__ import annotations

import re

from . import lexicon as lx
from .text import Document, _find, _find_if, _may_hold, _may_say, sentences, span
from .design import FIBROMYALGIA_TEXT


# --- population -----------------------------------------------------------------------------------

WHO = r"(?:women|men|patients|subjects|participants|adults|children|individuals|people|volunteers|persons|" \
      r"outpatients|inpatients|cases|controls|girls|boys|infants|smokers|runners|athletes|mothers|survivors|" \
      r"beneficiaries|residents|veterans)"
HEADCOUNT = re.compile(
    rf"(?<![\w.\-/])(?<!\d\s)(?P<n>\d{{1,3}}(?:[ \u00a0\u2009]\d{{3}})+(?![\d,.])|{lx.NUMBER})\s+(?P<between>(?:(?:[A-Za-z]+-?\s+and\s+(?=[A-Za-z]+[\s-]matched))?(?!(?:of|with|mg|g|years?|weeks?|"
    rf"months?|days?|times|doses?|and|or|to|were|had)\b)[A-Za-z][\w\-]*\s+){{0,4}})(?P<who>{WHO})\b(?!['’]s)", re.I)
# "Among the 24 who finished": completers named by what they did, not by who they were.
COMPLETERS = re.compile(rf"\b(?P<n>{lx.NUMBER})\s+(?:(?:patients|participants|subjects|women|men)\s+)?"
                        r"(?:who\s+|that\s+)?(?:completed|finished)\b", re.I)
# "(aged 7-19 y; 20 males)": a count of one sex, which makes the group mixed when it is not everyone.
SEX_COUNT = re.compile(rf"\b(?P<n>{lx.NUMBER})\s+(?:were\s+)?(?:males?|females?|men|women|boys|girls)\b", re.I)
WHO_WORD = re.compile(rf"\b{WHO}\b", re.I)
# One of these is in every (ASCII, lower-case) text WHO_WORD matches: a cheaper test first.
WHO_NEEDLES = ("men", "patients", "subjects", "participants", "adults", "children", "individuals", "people", "volunteers",
               "persons", "cases", "controls", "girls", "boys", "infants", "smokers", "runners", "athletes", "mothers",
               "survivors", "beneficiaries", "residents", "veterans")
# "patients (N = 24)", "participants with early-stage breast cancer (N = 128)", "Women (n = 13,388)".
HEADCOUNT_PAREN = re.compile(rf"\b(?P<who>{WHO})(?:\s+(?:with|aged|from|who|undergoing|diagnosed|having)\b[^();.]{{0,80}}?)?"
                             r"\s*\(\s*N\s*=\s*(?P<n>\d{1,3}(?:,\d{3})+|\d+)\s*\)", re.I)
N_EQUALS = re.compile(r"\(\s*[nN]\s*=")  # what HEADCOUNT_PAREN needs (a cheaper test first)
# A count the study did not enrol: the pool it was drawn from, a plan, a per-arm target.
POOL_PHRASE = re.compile(r"\b(?:screened|approached|invited|contacted|potential|potentially)\b", re.I)
POOL_AFTER = re.compile(r"^\s*(?:(?:were|was|had\s+been)\s+)?(?:screened|assessed|approached|invited|contacted|needed|"
                        r"required|planned|per\s+(?:arm|group)|in\s+each\s+(?:arm|group)|each\b|would)", re.I)
POOL_BEFORE = re.compile(r"\b(?:planned|needed|required|target(?:ed|ing)?|potential|sample\s+of|pool\s+of|up\s+to|"
                         r"screened|approached|invited)\s+(?:\w+\s+){0,2}$", re.I)
# "31 of 322 eligible women", "68 (62%) of 109 patients": the first count took part, the second is the pool.
PART_OF = re.compile(rf"(?<![\w-])(?P<k>{lx.NUMBER})\s*(?:\(\s*[\d.]+\s*%\s*\)\s*)?(?:out\s+)?of\s+(?:the\s+|all\s+)?$", re.I)
# A number that belongs to what comes before: "PALOMA 2", "phase 2", "grade 1 and 2", "type 2".
NOT_A_COUNT_BEFORE = re.compile(r"(?:\b(?:phase|stage|grade|type|class|level|step|cycle|visit|day|week|month|year|"
                                r"status|score|version|group|arm|cohort|study|trial)|\d\s+(?:and|or|to))\s*-?\s*$")
NOT_A_COUNT_WORDS = frozenset("phase stage grade type class level step cycle visit day week month year status score "
                              "version group arm cohort study trial".split())
POOL_BEFORE_NEEDLES = ("planned", "needed", "required", "target", "potential", "sample", "pool", "up to", "screened",
                       "approached", "invited")
# A trial's name with its number: "the PALOMA 2 study" (a heading such as "SUBJECTS 47 children" is no name).
TRIAL_NAME_BEFORE = re.compile(r"\b[A-Z]{2,}[\w-]*\s*-?\s*$")
ENROLLED_VERB = re.compile(r"\b(?:randomi[sz]|enrol|includ|recruit|accru|regist|took\s+part|participat|assign|underwent|were\s+studied|"
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
    enrolled: list[tuple[int, int, int, dict]] = []  # (rank, order, n, span): the best rank, then the first
    for sentence in sentences(doc):
        if sentence.field == "title" or not _may_say(sentence.text, WHO_NEEDLES) or not WHO_WORD.search(sentence.text):
            continue
        in_brackets = (HEADCOUNT_PAREN.finditer(sentence.text) if "=" in sentence.text and N_EQUALS.search(sentence.text)
                       else ())
        for match in [*HEADCOUNT.finditer(sentence.text), *in_brackets]:
            written = match.group("n")
            n = lx.words_to_number(re.sub(r"[ \u00a0\u2009,]", "", written) if written[:1].isdigit() else written)
            if n is None or n < 2 or n != int(n):
                continue
            after = sentence.text[match.end():match.end() + 60]
            before = sentence.text[max(0, match.start() - 40):match.start()]
            phrase = match.group(0)
            here = span(doc, sentence.field, sentence.start + match.start(), sentence.start + match.end())
            if match.group("who").lower() == "cases" and not ENROLLED_VERB.search(after + before):
                continue  # "3 cases of eclampsia" counts events, not people enrolled
            last = before[-12:].split()[-1:] or [""]
            if written[:1].isdigit() and match.re is HEADCOUNT and last[0] and (
                    last[0].lower().rstrip("-") in NOT_A_COUNT_WORDS or (n < 10 and TRIAL_NAME_BEFORE.search(before))
                    or (last[0] in ("and", "or", "to") and NOT_A_COUNT_BEFORE.search(before))):
                continue  # "the PALOMA 2 study enrolled women", "ASA status 1 and 2 women"
            if re.search(r"\b(?:healthy|controls?)\b", phrase, re.I) or re.search(r"^\s*(?:healthy\s+)?controls?\b", after, re.I):
                key = "n_controls"
            elif ((analysed := ANALYZED_VERB.search(after[:40])) and not re.search(r"\bof\s+(?:the\s+)?$", before, re.I)
                  and not (ENROLLED_VERB.search(match.group("between") or "") if match.re is HEADCOUNT else False)
                  # "107 women were randomized and 102 completed": the verb said first is this count's
                  and not ((first := ENROLLED_VERB.search(after[:40])) and first.start() < analysed.start())):
                key = "n_analyzed"  # ("Of the 40 patients, 24 completed": the 40 are those enrolled)
            else:
                part = PART_OF.search(before) if before.rstrip().lower().endswith(("of", "of the", "of all")) else None
                k = lx.words_to_number(part.group("k")) if part is not None else None
                if k is not None and 2 <= k < n and k == int(k):  # "31 of 322 eligible women"
                    k = int(k)
                    at = sentence.start + match.start() - len(before) + part.start("k")
                    enrolled.append((0, len(enrolled), k, span(doc, sentence.field, at, at + len(part.group("k")))))
                    continue
                if POOL_PHRASE.search(phrase) or POOL_AFTER.match(after) or (
                        any(w in before for w in POOL_BEFORE_NEEDLES) and POOL_BEFORE.search(before)):
                    continue  # screened, planned, per arm: not the people enrolled
                verb_near = ENROLLED_VERB.search(after[:40]) or ENROLLED_VERB.search(before[-30:]) or (
                    match.re is HEADCOUNT and ENROLLED_VERB.search(match.group("between") or ""))
                rank = 0 if verb_near else 1 if (ENROLLED_VERB.search(after) or ENROLLED_VERB.search(before)) else 2
                enrolled.append((rank, len(enrolled), int(n), here))
                continue
            if result[key] is None:
                result[key] = int(n)
                result["evidence"].append(here)
    if enrolled:
        _, _, n, here = min(enrolled, key=lambda c: (c[0], c[1]))
        result["n_enrolled"] = n
        result["evidence"].insert(0, here)
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


# Speed: the patterns searched most often, behind a look-ahead of the characters they can start
# with (``fastre.led``: the same matches, found faster). Kept last, to cover whatever they become.
from .fastre import led  # noqa: E402

WHO_WORD, HEADCOUNT, HEADCOUNT_PAREN, SEX_COUNT, FEMALE, COMPLETERS, ENROLLED_VERB = map(
    led, (WHO_WORD, HEADCOUNT, HEADCOUNT_PAREN, SEX_COUNT, FEMALE, COMPLETERS, ENROLLED_VERB))
