"""Population: people enrolled, analysed and healthy controls, sex and condition, read from the
study's own sentences, each value with its span."""

from __future__ import annotations

import re

from . import lexicon as lx
from .text import Document, _find, _find_if, _lower_text, _may_hold, _may_say, _said, _sentence_at, sentences, span
from .design import FIBROMYALGIA_TEXT


# --- population -----------------------------------------------------------------------------------

def _alternation(words: list[str]) -> str:
    """One regex that matches exactly the given words, written as a tree of their shared beginnings
    ("p(?:a(?:rticipants|tients)|eople)"): ``re`` tries an alternation's branches one by one at every
    position, so shared beginnings are tried once instead of once a word (the same matches, about half the
    time on our corpora). A word that begins another ("in", "into") is kept: the longer is tried first and
    the caller's word boundary decides."""
    tree: dict = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # a word ends here

    def written(node: dict) -> str:
        branches = [re.escape(char) + written(rest) for char, rest in sorted(node.items()) if char]
        if not branches:
            return ""
        grouped = branches[0] if len(branches) == 1 and "" not in node else "(?:" + "|".join(branches) + ")"
        return grouped + "?" if "" in node else grouped
    return written(tree)


# The people a head count names (a word for people, never a unit or an event).
WHO_WORDS = ("women men patients subjects participants adults children individuals people volunteers persons "
             "outpatients out-patients inpatients in-patients cases controls girls boys infants smokers runners athletes "
             "mothers survivors beneficiaries residents veterans members employees workers students nurses physicians "
             "neonates newborns males females providers caregivers carers adolescents teenagers pupils recruits "
             "soldiers latinas latinos parturients").split()
WHO = _alternation(WHO_WORDS)
# lexicon's numbers, their words written as a tree (``_alternation``): the same matches, found faster.
_NUMBER_WORD = _alternation(lx.NUMBER_WORD[3:-1].split("|"))
_NUMBER = lx.NUMBER.replace(lx.NUMBER_WORD, _NUMBER_WORD)
# Words that never stand between a count and its people ("12 weeks", "3 of the patients", "10 mg in women").
_NOT_BETWEEN = _alternation("of with mg g year years week weeks month months day days hour hours times dose doses and or to were "
                            "had for in at by per than from on among into after before versus vs the".split())
# The endings of describing words ("preterm", "postmenopausal", "chronic", "inactive", "untreated").
_DESCRIBING = r"(?:term|al|ic|ive|ed|ous|ary|ant|ent)"
HEADCOUNT = re.compile(
    rf"(?<![\w.\-/])(?<!\d\s)(?P<n>\d{{1,3}}(?:[ \u00a0\u2009]\d{{3}})+(?![\d,.])|{_NUMBER})\s+(?P<between>(?:(?:(?=[A-Za-z]+-?\s+and\s)[A-Za-z]+-?\s+and\s+(?=[A-Za-z]+[\s-]matched))?"
    # two describing words joined by "and": "full-term and near-term infants", "male and female volunteers",
    # "middle-aged and older subjects" (session 23)
    # (each optional part behind a look-ahead of what it needs, and words read possessively: no backtracking into them)
    rf"(?:(?=[\w-]+\s+(?:and|or)\s)(?:[A-Za-z]+-[A-Za-z][\w-]*+|(?:fe)?male|[a-z]+{_DESCRIBING})\s+(?:and|or)\s+"
    rf"(?=[A-Za-z]+-[A-Za-z]|(?:fe)?male\b|older\b|younger\b|elderly\b|[a-z]+{_DESCRIBING}\b))?"
    rf"(?!{_NOT_BETWEEN}\b)(?:[A-Za-z][\w\-]*+|"
    # describing words listed with commas: "83 inactive, postmenopausal women", "400 cancer-free, older women"
    rf"(?=[a-z][\w-]*,)(?!trial)[a-z]+(?:-[a-z]+|ive|ic|al|ary|ed|ous|ant|(?<!m)ent|ful|less|ile|ly|er|ing),)\s+){{0,4}})"
    rf"(?P<who>{WHO})\b(?!['’]s)", re.I)
# Places a count may name before a word for people: "40 US clinical centers enrolling participants" (session 23).
PLACES = re.compile(r"\b(?:cent(?:er|re)s|sites|hospitals|clinics|countries|institutions|practices|cities|states|"
                    r"schools|wards|units|communities|villages|regions)\b", re.I)
# "Among the 24 who finished": completers named by what they did, not by who they were.
COMPLETERS = re.compile(rf"\b(?P<n>{_NUMBER})\s+(?:(?:patients|participants|subjects|women|men)\s+)?"
                        r"(?:who\s+|that\s+)?(?:completed|finished)\b", re.I)
# "(aged 7-19 y; 20 males)": a count of one sex, which makes the group mixed when it is not everyone.
SEX_COUNT = re.compile(rf"\b(?P<n>{_NUMBER})\s+(?:were\s+)?(?:males?|females?|men|women|boys|girls)\b", re.I)
WHO_WORD = re.compile(rf"\b{WHO}\b", re.I)
# The second sex of one count: "52 women and 10 men", "twelve girls and 9 boys".
SEXES = frozenset({"women", "men", "girls", "boys", "males", "females"})
SEX_PAIR = re.compile(rf"\s+and\s+(?P<m>{lx.NUMBER})\s+(?:(?!and\b|or\b)[A-Za-z][\w-]*\s+){{0,2}}?(?P<who>women|men|girls|boys|(?:fe)?males)\b",
                      re.I)
# A share of one sex: "(80% female)", "62% were women", "(female, 85%)", "women (71.4%)"; not a result ("in women,
# 25% of them improved").
SEX_SHARE = re.compile(r"(?<![\d.])(?P<p>\d{1,2}(?:\.\d+)?)\s*%\s*(?:(?:were|was|of\s+(?:the\s+)?(?:participants|patients|"
                       r"subjects))\s+)?(?:females?|males?|women|men|girls|boys)\b|\b(?:females?|males?|women|men|girls|boys)"
                       r"\s*(?:,|:|\(|\s)\s*(?P<q>\d{1,2}(?:\.\d+)?)\s*%(?=\s*[),;])", re.I)
# One of these is in every (ASCII, lower-case) text WHO_WORD matches: a cheaper test first.
WHO_NEEDLES = ("men", "patients", "subjects", "participants", "adults", "children", "individuals", "people", "volunteers",
               "persons", "cases", "controls", "girls", "boys", "infants", "smokers", "runners", "athletes", "mothers",
               "survivors", "beneficiaries", "residents", "veterans", "members", "employees", "workers", "students",
               "nurses", "physicians", "neonates", "newborns", "males", "providers", "givers", "carers", "adolescents",
               "teenagers", "pupils", "recruits", "soldiers", "latina", "latino", "parturient")
# "patients (N = 24)", "participants with early-stage breast cancer (N = 128)", "Women (n = 13,388)".
HEADCOUNT_PAREN = re.compile(rf"\b(?P<who>{WHO})(?:\s+(?:with|aged|ages?|from|who|undergoing|diagnosed|having)\b[^();.]{{0,80}}?|"
                             # "participants enrolled (N = 64)", "patients at baseline (n = 29)"
                             r"\s+(?:enrolled|included|randomi[sz]ed|recruited|at\s+baseline))?"
                             # "Patients (N = 100; women = 86, men = 14)": the count, then its parts
                             r"\s*\(\s*N\s*=\s*(?P<n>\d{1,3}(?:,\d{3})+|\d+)\s*(?:\)|[;,](?=\s*(?:(?:fe)?males?|wom[ae]n|m[ae]n|"
                             r"[MF])\s*[=:(\d]))", re.I)
N_EQUALS = re.compile(r"\(\s*[nN]\s*=")  # what HEADCOUNT_PAREN needs (a cheaper test first)
# A count the study did not enrol: the pool it was drawn from, a plan, a per-arm target.
POOL_PHRASE = re.compile(r"\b(?:screened|approached|invited|contacted|potential|potentially)\b", re.I)
POOL_AFTER = re.compile(r"^\s*(?:(?:were|was|had\s+been)\s+)?(?:screened|assessed|approached|invited|contacted|needed|"
                        r"required|planned|per\s+(?:arm|group)|in\s+each\s+(?:arm|group)|each\b|would)", re.I)
# (a random, convenience or consecutive sample is the people studied: "A random sample of 60 eligible patients ... were
# recruited"; session 22)
POOL_BEFORE = re.compile(r"\b(?:planned|needed|required|target(?:ed|ing)?|potential|(?<!random\s)(?<!convenience\s)"
                         r"(?<!consecutive\s)(?<!total\s)sample\s+of|pool\s+of|up\s+to|"
                         r"screened|approached|invited)\s+(?:\w+\s+){0,2}$|\b(?:estimated|anticipated)\s+enrollment\s*:\s*$", re.I)
# The part of a pool said in the same clause: "271 women were screened and 82 were randomised", "... were
# assessed for eligibility, of whom 60 were enrolled".
SCREENED_THEN = re.compile(rf"\s*(?:were|was|had\s+been)\s+(?:screened|assessed|approached|invited|contacted)\b[^.;]{{0,40}}?"
                           rf"(?:,\s*|\s+and\s+)(?:(?:of\s+(?:these|them|whom)|subsequently|then|finally),?\s+)?"
                           rf"(?P<k>\d+|{lx.NUMBER_WORD}(?:[\s-]+{lx.NUMBER_WORD})*)\s+(?:\(\s*[\d.]+\s*%\s*\)\s+)?"
                           r"(?:[a-z]+\s+)?(?:were|was)\s+(?:then\s+|subsequently\s+|finally\s+)?(?:randomi|enrol|includ|"
                           r"recruit|allocat|assign)", re.I)
# "31 of 322 eligible women", "68 (62%) of 109 patients": the first count took part, the second is the pool.
# (and a plan's part: "74 of the planned 92 patients were enrolled"; session 23)
PART_OF = re.compile(rf"(?<![\w-])(?P<k>{lx.NUMBER})\s*(?:\(\s*[\d.]+\s*%\s*\)\s*)?(?:out\s+)?of\s+(?:the\s+|all\s+|"
                     r"(?:the|a)\s+(?:planned|targeted|intended|projected|anticipated)\s+)?$", re.I)
PLANNED_OF = ("of the planned", "of a planned", "of the targeted", "of the intended", "of the projected",
              "of the anticipated", "of a targeted", "of an intended", "of a projected", "of an anticipated")
# A planned size that was met: "A pre-set recruitment target of 80 women was achieved" (session 23).
TARGET_MET = re.compile(r"^\s*(?:was|were|has\s+been|had\s+been)\s+(?:successfully\s+|fully\s+)?(?:achieved|reached|met|"
                        r"attained)\b", re.I)
# The pool a part is drawn from ("31 of 322 eligible women", "68 of 109 patients approached agreed"): only then is
# "k of N" a count of those enrolled, not of those with a result ("4 (4%) of the 99 patients had an infection").
POOL_OF = re.compile(r"\b(?:eligible|screened|approached|invited|assessed|contacted|potential|potentially|agreed|"
                     r"consented|accepted|volunteered|qualified|qualifying)\b", re.I)
# A number that belongs to what comes before: "PALOMA 2", "phase 2", "grade 1 and 2", "type 2".
NOT_A_COUNT_BEFORE = re.compile(r"(?:\b(?:phase|stage|grade|type|class|level|step|cycle|visit|day|week|month|year|"
                                r"status|score|version|group|arm|cohort|study|trial)|\d\s+(?:and|or|to))\s*-?\s*$")
NOT_A_COUNT_WORDS = frozenset("phase stage grade type class level step cycle visit day week month year status score "
                              "version group arm cohort study trial".split())
POOL_BEFORE_NEEDLES = ("planned", "needed", "required", "target", "potential", "sample", "pool", "up to", "screened",
                       "approached", "invited", "stimated", "nticipated")
# "randomly divided into two groups of 30 patients (each)": the count is each group's.
GROUPS_OF_BEFORE = re.compile(r"\b(?:groups|arms|cohorts)\s+of\s*$", re.I)
# A trial's name with its number: "the PALOMA 2 study" (a heading such as "SUBJECTS 47 children" is no name).
TRIAL_NAME_BEFORE = re.compile(r"\b[A-Z]{2,}[\w-]*\s*-?\s*$")
ENROLLED_VERB = re.compile(r"\b(?:randomi[sz]|enrol|includ|recruit|accru|regist|took\s+part|participat|assign|underwent|were\s+studied|"
                           r"were\s+divided|met\s+the|entered|allocated|with\s+(?:primary\s+)?fibromyalgia|diagnosed)", re.I)
# (also "112 participants provided analyzable data", "had analysable data"; session 22)
ANALYZED_VERB = re.compile(r"\b(?:completed|finished|analy[sz](?:ed|able)|evaluable|remained|were\s+available)", re.I)
# A count of people who left: "Six patients dropped out", "4 withdrew", "two were lost to follow-up".
DROPOUT_VERBS = (r"(?:dropped\s+out|stopped\s+(?:early|treatment|the\s+study)|withdr[ae]wn?|discontinued|"
                 r"lost\s+to\s+follow-?up|not\s+complete|failed\s+to\s+complete|excluded\s+from\s+(?:the\s+)?analys[ie]s)")
DROPOUT_AFTER = re.compile(rf"^\s*(?:\w+\s+){{0,2}}?(?:(?:were|was|did)\s+)?{DROPOUT_VERBS}", re.I)
DROPOUT_VERB = re.compile(DROPOUT_VERBS, re.I)
# The count said right before such a verb (read on the few characters before it: the verb is found first).
DROPOUT_COUNT_BEFORE = re.compile(rf"(?<![\w.,-])(?P<n>\d{{1,4}}|{lx.NUMBER_WORD}(?:[\s-]+{lx.NUMBER_WORD})*)\s+"
                                  r"(?:(?:patients|participants|subjects|women|men|children)\s+)?"
                                  r"(?:(?:were|was|had\s+been|did)\s+)?$", re.I)
# Each verb's first words, as written in lower case: found by a substring search before any regex runs.
DROPOUT_NEEDLES = ("dropped", "stopped", "withdr", "discontinued", "lost to", "not complete", "failed to complete",
                   "excluded from")
# Those analysed said without who they were: "46 were analysed", "leaving 29 for analysis".
ANALYSED_VERB = re.compile(r"(?:were\s+(?:included\s+in\s+the\s+|available\s+for\s+)?analy[sz](?:ed|is)|were\s+evaluable|"
                           r"for\s+(?:the\s+)?(?:final\s+)?analysis)\b", re.I)
COUNT_BEFORE = re.compile(rf"(?<![\w.,-])(?P<n>\d{{1,4}}|{lx.NUMBER_WORD}(?:[\s-]+{lx.NUMBER_WORD})*)\s+$", re.I)
ANALYSED_NEEDLES = ("were analy", "were included in the analy", "were available for analy", "for analy", "for the analy",
                    "for final analy", "for the final analy", "were evaluable")
# Two counts of one sentence, each tied to an arm: "23 received magnesium and 22 received placebo",
# "23 patients in the magnesium group and 22 in the placebo group": per-arm sizes, whose sum is
# everyone only when nothing else says how many took part.
_ARM_VERB = (r"(?:(?:were\s+)?(?:randomly\s+)?(?:received|given|randomi[sz]ed\s+to|assigned\s+to|allocated\s+to)\s|"
             r"in\s+the\s+(?:[\w-]+\s+){0,2}?(?:group|arm)s?\b)")
PER_ARM_PAIR = re.compile(rf"(?P<a>{lx.NUMBER})\s+(?:(?!and\b|or\b)[A-Za-z][\w-]*\s+){{0,2}}?{_ARM_VERB}[^.;\d]{{0,50}}?"
                          rf"(?:\band|\bwhile|\bwhereas|,)\s+(?P<b>{lx.NUMBER})\s+(?:(?!and\b|or\b)[A-Za-z][\w-]*\s+){{0,2}}?"
                          rf"(?:{_ARM_VERB}|to\s+(?:the\s+)?[\w-]+(?!\s*%))", re.I)
ALLOCATION_WORDS = re.compile(r"\b(?:randomi[sz]\w*|assigned|allocated|received|given|enrol\w*|included|divided)\b", re.I)
FEMALE = re.compile(r"\b(?:women|woman|female|females|girls|premenopausal|postmenopausal|pregnant|mothers)\b", re.I)
# (As r"\b(?:men|man|male|males|boys)\b", written first letter first and the word boundary after it
# as a look-behind: the regex engine then skips to an m or b instead of trying every position.)
MALE = re.compile(r"[mb](?<!\w[mb])(?:en|an|ale|ales|oys)\b", re.I)
# Both sexes said without a sex word: "patients of both sexes", "of either gender", "irrespective of sex".
EITHER_SEX = re.compile(r"\b(?:both|either|all)\s+(?:sexes|sex|genders?)\b|\b(?:irrespective|regardless)\s+of\s+"
                        r"(?:their\s+)?(?:sex|gender)\b", re.I)
FEMALE_NEEDLES = ("wom", "female", "girl", "menopaus", "pregnan", "mother")
# What only women undergo or have, said of a study's people when no sex word is: "patients undergoing vaginal
# hysterectomy", "parturients", "severe pre-eclampsia", "primary dysmenorrhoea" (session 23). Not read where babies
# are studied (infants born by caesarean section are of both sexes) nor where the people are the profession ("a
# questionnaire about caesarean techniques mailed to members of the College", "obstetricians").
WOMEN_ONLY = re.compile(r"\b(?:hysterectom(?:y|ies)|(?:caesarean|cesarean)\s+(?:section|delivery|deliveries)|parturients?|"
                        r"(?:pre-?)?eclampsia|dysmenorrh(?:o)?ea|endometriosis)\b", re.I)
WOMEN_ONLY_NEEDLES = ("hysterectom", "caesarean", "cesarean", "parturient", "eclampsia", "dysmenorrh", "endometriosis")
NOT_WOMEN_ONLY_NEEDLES = ("infant", "neonat", "newborn", "baby", "babies", "fetus", "fetal", "foetal", "child",
                          "members", "physicians", "surgeons", "obstetricians", "doctors", "providers", "midwives",
                          "nurses", "staff")


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
    second_arm = None  # where the second count of a per-arm pair starts: (sentence start, offset)
    healthy_alone = None  # (n, span) of healthy people counted alone in their sentence ("eight healthy volunteers")
    for sentence in sentences(doc):
        if sentence.field == "title" or not _may_say(sentence.text, WHO_NEEDLES) or not WHO_WORD.search(sentence.text):
            continue
        in_brackets = (HEADCOUNT_PAREN.finditer(sentence.text) if "=" in sentence.text and N_EQUALS.search(sentence.text)
                       else ())
        allocating = leaving = None
        for match in [*HEADCOUNT.finditer(sentence.text), *in_brackets]:
            written = match.group("n")
            n = lx.words_to_number(re.sub(r"[ \u00a0\u2009,]", "", written) if written[:1].isdigit() else written)
            if n is None or n < 2 or n != int(n):
                continue
            after = sentence.text[match.end():match.end() + 60]
            before = sentence.text[max(0, match.start() - 40):match.start()]
            phrase = match.group(0)
            here = span(doc, sentence.field, sentence.start + match.start(), sentence.start + match.end())
            if match.group("who").lower() == "cases" and not (ENROLLED_VERB.search(after + before)
                                                               or "randomly divided" in after):
                continue  # "3 cases of eclampsia" counts events, not people enrolled
            if written[:1] == "0" and written[1:2].isdigit():
                continue  # "SWOG 0307 randomized women": a trial's number, never a count
            if match.re is HEADCOUNT_RE and match.group("between") and PLACES.search(match.group("between")):
                continue  # "40 clinical centers enrolling participants": places counted, not people
            last = before[-12:].split()[-1:] or [""]
            if written[:1].isdigit() and match.re is HEADCOUNT_RE and last[0] and (
                    last[0].lower().rstrip("-") in NOT_A_COUNT_WORDS or (n < 10 and TRIAL_NAME_BEFORE.search(before))
                    or (last[0] in ("and", "or", "to") and NOT_A_COUNT_BEFORE.search(before))):
                continue  # "the PALOMA 2 study enrolled women", "ASA status 1 and 2 women"
            if last[0] == "of" and match.re is HEADCOUNT_RE and GROUPS_OF_BEFORE.search(before) and (
                    "into" in before or "each" in after[:25]):
                continue  # "divided into three groups of 15 patients each": an arm's size
            if leaving is None:  # (once a sentence: does it say anyone left?)
                leaving = any(n in sentence.text for n in DROPOUT_NEEDLES)
            if leaving and match.re is HEADCOUNT_RE and DROPOUT_AFTER.match(after):
                continue  # "Six patients dropped out; the remaining 44 completed": those who left
            if allocating is None and match.re is HEADCOUNT_RE:  # (once a sentence, when it has a head count)
                allocating = ALLOCATION_WORDS.search(sentence.text) is not None
            per_arm = PER_ARM_PAIR.match(sentence.text, match.start()) if match.re is HEADCOUNT_RE and allocating else None
            if per_arm is not None:  # "23 received magnesium and 22 placebo": the sum, below a total said with its verb
                a, b = lx.words_to_number(per_arm.group("a")), lx.words_to_number(per_arm.group("b"))
                if a and b and a == int(a) and b == int(b):
                    enrolled.append((1, len(enrolled), int(a + b), here))
                second_arm = (sentence.start, per_arm.start("b"))
                continue
            if (sentence.start, match.start()) == second_arm:
                continue  # the second count of such a pair: an arm's too
            if (re.search(r"\b(?:healthy|controls?)\b", phrase, re.I) or re.search(r"^\s*(?:healthy\s+)?controls?\b", after, re.I)
                    or _control_people(sentence.text, match, before, after)
                    ) and not (match.re is HEADCOUNT_RE and _randomised_healthy(sentence.text, match, after, before)):
                key = "n_controls"
                if _control_arm(doc, phrase, sentence.text[max(0, match.start() - 100):match.start()], after):
                    continue  # "(54 intervention and 53 controls)" in a randomised trial: an arm's count, no healthy people
            elif ((analysed := ANALYZED_VERB.search(after[:40])) and not re.search(r"\bof\s+(?:the\s+)?$", before, re.I)
                  and not (ENROLLED_VERB.search(match.group("between") or "") if match.re is HEADCOUNT_RE else False)
                  # "107 women were randomized and 102 completed": the verb said first is this count's
                  and not ((first := ENROLLED_VERB.search(after[:40])) and first.start() < analysed.start())):
                key = "n_analyzed"  # ("Of the 40 patients, 24 completed": the 40 are those enrolled)
            else:
                part = PART_OF.search(before) if before.rstrip().lower().endswith(("of", "of the", "of all", *PLANNED_OF)) else None
                k = lx.words_to_number(part.group("k")) if part is not None else None
                if k is not None and 2 <= k < n and k == int(k):  # "31 of 322 eligible women"
                    if not (ENROLLED_VERB.search(after[:40]) or POOL_OF.search(phrase) or POOL_OF.search(after[:40])):
                        continue  # "Four (4%) of the 99 patients had an infection": a result's count
                    k = int(k)
                    at = sentence.start + match.start() - len(before) + part.start("k")
                    enrolled.append((0, len(enrolled), k, span(doc, sentence.field, at, at + len(part.group("k")))))
                    continue
                if before.lower().endswith("of ") and (POOL_OF.search(phrase) or POOL_OF.match(after, 1)) and (
                        taken := _part_taken(sentence.text, _pool_end(sentence.text, match.end()), int(n))) is not None:
                    at = sentence.start + taken[1].start("k")  # "Of 322 eligible women, 31 were randomised"
                    enrolled.append((0, len(enrolled), taken[0], span(doc, sentence.field, at, at + len(taken[1].group("k")))))
                    continue
                if (POOL_PHRASE.search(phrase) or POOL_AFTER.match(after) or (
                        any(w in before for w in POOL_BEFORE_NEEDLES) and POOL_BEFORE.search(before))) and not (
                        "target" in before and TARGET_MET.match(after)):  # (a target "was achieved": those enrolled)
                    if (then := SCREENED_THEN.match(after)) and (k := lx.words_to_number(then.group("k"))) and (
                            2 <= k < n and k == int(k)):  # "271 women were screened and 82 were randomised"
                        at = sentence.start + match.end() + then.start("k")
                        enrolled.append((0, len(enrolled), int(k), span(doc, sentence.field, at, at + len(then.group("k")))))
                    continue  # screened, planned, per arm: not the people enrolled
                if match.re is HEADCOUNT_RE and match.group("who").lower() in SEXES and " and " in after and (
                        pair := SEX_PAIR.match(sentence.text, match.end())) and pair.group("who").lower() != match.group(
                        "who").lower() and (m := lx.words_to_number(pair.group("m"))) and m == int(m):
                    n += m  # "52 women and 10 men were included": everyone, both sexes
                    second_arm = (sentence.start, pair.start("m"))
                    after = sentence.text[pair.end():pair.end() + 60]
                verb_near = ENROLLED_VERB.search(after[:40]) or ENROLLED_VERB.search(before[-30:]) or (
                    match.re is HEADCOUNT_RE and ENROLLED_VERB.search(match.group("between") or ""))
                if not verb_near and match.re is HEADCOUNT_RE:  # "199 patients treated for ... were enrolled"
                    verb_near = _enrolment_predicate(sentence.text, match.end()) or (
                        ("stud" in before or "trial" in before) and STUDY_IN.search(before))  # "a trial in 150 women"
                elif not verb_near:  # "Postmenopausal women (n = 8556) aged 59-80 years ... were randomly assigned"
                    verb_near = _enrolment_predicate(sentence.text, match.end())
                rank = 0 if verb_near else 1 if (ENROLLED_VERB.search(after) or ENROLLED_VERB.search(before)) else 2
                if match.re is HEADCOUNT_RE and "(" in sentence.text and _in_brackets(sentence.text, match.start()):
                    if _counted_before(sentence.text, match.start()) or match.group("who").lower() in ("males", "females"):
                        continue  # "91 patients (A 47 patients, B 44 patients)", "9 volunteers (six men)": its parts
                    rank = 2  # "randomised to A (10 women) or B (10)": an arm's
                enrolled.append((rank, len(enrolled), int(n), here))
                continue
            if key == "n_analyzed" and " and " in (tail := sentence.text[match.end():match.end() + 160]) and (
                    pair := ANALYSED_PAIR.match(tail)) and (
                    m := lx.words_to_number(pair.group("m"))) and m == int(m):
                n += m  # "12 women completed therapy with A and 10 with placebo": those analysed in each arm
            if result[key] is None:
                result[key] = int(n)
                result["evidence"].append(here)
                if key == "n_controls" and "control" not in phrase.lower() and not re.match(r"\s*controls?\b", after, re.I):
                    healthy_alone = (int(n), here) if _only_count(sentence.text, match) else None
    if "enrollment" in _lower_text(doc):  # a registry record's own field: "Actual Enrollment: 126" (not "Estimated")
        enrolled[:0] = [(-1, -1, int(m.group("n").replace(",", "")), span(doc, f, m.start("n"), m.end("n")))
                        for f in doc.text_fields for m in ENROLLMENT_FIELD.finditer(doc.fields[f])][:1]
    if not enrolled:  # "A total of 105 (aged 1-6 years) were randomly assigned": a count with no people's word
        enrolled = _clause_counts(doc)
    elif min(c[0] for c in enrolled) >= 2:
        # a count whose word for people stands too far from it ("98 clinically node free breast cancer female patients
        # undergoing ... were recruited"), said with its enrolment verb, outranks counts said with none or an arm's in
        # brackets (session 23)
        enrolled = _clause_counts(doc, people=True) or enrolled
    if not enrolled and "(" in _lower_text(doc):  # "African American women (AAW)" ... "among 213 obese ... AAW"
        enrolled = _acronym_counts(doc)
    if not enrolled and healthy_alone is not None and result["n_controls"] == healthy_alone[0]:
        # "In eight healthy volunteers, ...": a study of healthy people alone, no patients beside them to control
        result["n_controls"] = None
        result["evidence"].remove(healthy_alone[1])
        enrolled = [(0, 0, *healthy_alone)]
    if enrolled:
        _, _, n, here = min(enrolled, key=lambda c: (c[0], c[1]))
        result["n_enrolled"] = n
        result["evidence"].insert(0, here)
        if healthy_alone is not None and result["n_controls"] == n and (healthy_alone[1]["field"], healthy_alone[1][
                "start"]) == (here["field"], here["start"]):  # "Eighty-two healthy parturients ... were included": one
            result["n_controls"] = None  # count read twice, the study's people (not controls beside them; session 23)
            result["evidence"].remove(healthy_alone[1])
    if result["n_analyzed"] is None:
        completers = _find_if(doc, COMPLETERS, ("completed", "finished"))
        if completers:
            n = lx.words_to_number(COMPLETERS.match(completers[0]["text"]).group("n"))
            if n is not None and n == int(n) and (result["n_enrolled"] is None or n <= result["n_enrolled"]):
                result["n_analyzed"] = int(n)
                result["evidence"].append(completers[0])
    if result["n_analyzed"] is None:
        _analysed_from_dropouts(doc, result)
    female = _find(doc, FEMALE) if _may_hold(doc, FEMALE_NEEDLES) else []
    male = _find(doc, MALE)
    if not female and not male and ("sex" in _lower_text(doc) or "gender" in _lower_text(doc)):
        either = _find(doc, EITHER_SEX)  # "60 adult patients of both sexes", "of either gender"
        if either:
            result["sex"] = "mixed"
            result["evidence"].append(either[0])
    if not female and not male and _may_hold(doc, WOMEN_ONLY_NEEDLES) and not _may_hold(doc, NOT_WOMEN_ONLY_NEEDLES):
        female = _said(doc, _find(doc, WOMEN_ONLY))  # "patients undergoing elective vaginal hysterectomy" (session 23)
    if female or male:
        result["sex"] = "mixed" if female and male else ("female" if female else "male")
        result["evidence"].append((female or male)[0])
        if result["sex"] != "mixed" and result["n_enrolled"]:
            for counted in _find_if(doc, SEX_COUNT, ("male", "men", "boys", "girls")):
                n = lx.words_to_number(SEX_COUNT.match(counted["text"]).group("n"))
                if n is not None and n < result["n_enrolled"] and not _same_sex(counted, result["evidence"][0]) and (
                        _composition(doc, counted, result["evidence"][0])):
                    # "44 patients ... 20 males" ("breast cancer developed in 49 women" tells no one's sex)
                    result["sex"] = "mixed"
                    result["evidence"].append(counted)
                    break
        if result["sex"] != "mixed" and "%" in _lower_text(doc) and _share_said(_lower_text(doc)):
            for share in _find_if(doc, SEX_SHARE, ("male", " men", "women", "boys", "girls")):
                if 0 < float(re.search(r"\d+(?:\.\d+)?", share["text"]).group()) < 100:  # "(80% female)": the others not
                    result["sex"] = "mixed"
                    result["evidence"].append(share)
                    break
    if result["condition"]:
        result["evidence"].extend(_find_if(doc, FIBROMYALGIA_TEXT, ("fibro", "fms"))[:1])
    return result


# Controls named in more of the field's words (session 22), beside another count of the same sentence (a
# comparison: "Nine normal volunteers and 15 patients"; "28 normal men" alone are the study's people): "eighteen normal
# subjects", "30 pain-free volunteers", "healthy volunteers (n = 20)" (the word before a bracketed count), and people
# "without" the condition counted after others ("44 women with fibromyalgia and 40 women without pain").
NORMAL_PEOPLE = re.compile(r"\b(?:normal|pain-free|headache-free|symptom-free|disease-free)(?![\w-])", re.I)
CONTROL_BEFORE = re.compile(r"\b(?:healthy|normal|pain-free|headache-free)\s+(?:[\w-]+\s+)?$", re.I)
WITHOUT_AFTER = re.compile(r"\s*without\s+(?!(?:a|an|the|any|significant|statistically|evidence|further|prior|previous|"
                           r"major|serious|adverse|complications?|side|loss|change|difference)\b)", re.I)
AFTER_OTHERS = re.compile(r"(?:\band|,)\s*$")
UNTREATED = re.compile(r"treat|therap|receiv|interven|surgery|prophyla|drug|medicat|supplement", re.I)


def _control_people(text: str, match: re.Match, before: str, after: str) -> bool:
    """Whether a head count in ``text`` (one sentence) names controls in words beside "healthy" and "controls",
    counted beside others in the same sentence: "eighteen normal subjects", "healthy volunteers (n = 20)", or people
    "without" the condition ("44 women with fibromyalgia and 40 women without pain"; not "20 patients without
    significant differences", "whereas 155 patients without CR"). Written by us (issue 12, session 22)."""
    if match.re is not HEADCOUNT_RE:  # "healthy volunteers (n = 20)": the words before the bracketed count (not
        # "a randomised crossover study in healthy subjects (n = 20) and in patients (n = 20)": a trial's people)
        said = CONTROL_BEFORE.search(before[-40:]) is not None and RANDOMISED.search(text) is None
    else:  # (not "105 patients without rtPA treatment": untreated patients)
        said = NORMAL_PEOPLE.search(match.group(0)) is not None or (
            WITHOUT_AFTER.match(after) is not None and AFTER_OTHERS.search(before) is not None
            and UNTREATED.search(after[:40]) is None)
    return said and len(HEADCOUNT.findall(text)) + len(N_EQUALS.findall(text)) > 1


# The second arm's completers said after the first's: "12 women completed a 12-week therapy with A and 10 with placebo".
# (the first arm named by "with" or "on" before the "and": not "276 completed the trial (140 in the treatment group and
# 136 in the placebo group)", which splits the count said)
ANALYSED_PAIR = re.compile(rf"\s+(?:completed|finished)\b[^.;()]{{0,90}}?\b(?:with|on)\s[^.;()]{{0,70}}?\band\s+"
                           rf"(?P<m>{lx.NUMBER})\s+(?:(?:patients|women|men|subjects|participants)\s+)?(?:with|on|receiving|"
                           r"taking|given)\b", re.I)
SEX_WORD = re.compile(r"\b(?:wom[ae]n|m[ae]n|(?:fe)?males?|girls?|boys?)\b", re.I)


def _same_sex(counted: dict, enrolled: dict) -> bool:
    """Whether a count of one sex (span ``counted``: "12 women") names the sex the enrolled count itself names
    ("22 postmenopausal women"): a part of them (completers, an arm), which tells nothing of the other sex."""
    said = SEX_WORD.findall(enrolled["text"])
    return bool(said) and said[-1].lower().rstrip("s") == SEX_WORD.findall(counted["text"])[-1].lower().rstrip("s")


# A registry record's enrolment field (ClinicalTrials.gov): "Actual Enrollment: 126", "Enrollment: 126 (Actual)"; a
# planned size ("Estimated Enrollment: 130", "Enrollment: 130 (Estimated)") is no enrolment.
# (a field's name, capitalised as registries print it: "planned enrollment: 700 patients" in prose is a plan)
ENROLLMENT_FIELD = re.compile(r"(?<!Estimated )(?<!Anticipated )\b(?:Actual\s+)?Enrollment\s*:\s*"
                              r"(?P<n>\d{1,3}(?:,\d{3})+|\d+)(?![\d,])(?!\s*\[?\(?\s*(?:Estimated|Anticipated))")


# "a (pilot) study in 150 patients", "a randomised trial of 266 women": the study's own people.
STUDY_IN = re.compile(r"\b(?:study|trial)\s+(?:(?:was\s+)?(?:conducted|performed|carried\s+out|undertaken)\s+)?"
                      r"(?:in|of|with|among|involving|including|enrolling)\s+$", re.I)
# Randomisation verbs: healthy people randomised are a trial's participants, never controls compared with patients.
RANDOMISED = re.compile(r"\b(?:randomi[sz]|randomly|assigned|allocated)", re.I)


# What comes before a count of one sex that tells the group's make-up: "of whom", "were", a colon.
MAKE_UP_BEFORE = re.compile(r"(?:\bof\s+(?:whom|them|these)|\bwere|\bincluding|\bcomprised|[:;])\s*$", re.I)


def _composition(doc: Document, counted: dict, enrolled: dict) -> bool:
    """Whether a count of one sex (``counted``, a span) tells the make-up of the group enrolled (span
    ``enrolled``): in brackets ("44 patients (20 males)"), in the enrolment's sentence, paired with the
    other sex ("20 were men and 24 women") or said after "of whom", "were" or a colon; not the enrolled
    count itself (an arm's "39 females received A and 45 received B") nor a result ("49 women had a fracture")."""
    if counted["field"] == enrolled["field"] and counted["start"] == enrolled["start"]:
        return False
    if counted["field"] == enrolled["field"] and 0 <= counted["start"] - enrolled["end"] < 150 and _in_brackets(
            doc.fields[counted["field"]][enrolled["start"]:counted["start"]], counted["start"] - enrolled["start"]):
        return True  # in brackets opened after the count enrolled: "64 subjects (age 20-88 years, 34 female)"
    sentence = _sentence_at(doc, counted["field"], counted["start"])
    if sentence is None:
        return False
    if enrolled["field"] == sentence.field and sentence.start <= enrolled["start"] < sentence.end:
        return True
    at = counted["start"] - sentence.start
    return (_in_brackets(sentence.text, at) or MAKE_UP_BEFORE.search(sentence.text[:at]) is not None
            or SEX_PAIR.match(sentence.text, at + len(counted["text"])) is not None)


def _in_brackets(text: str, at: int) -> bool:
    """Whether position ``at`` of ``text`` lies inside a round bracket opened before it."""
    before = text[:at]
    return before.count("(") > before.count(")")


# "Of 322 eligible women, 31 (10%) were randomised": the part of a pool said right after it.
PART_AFTER = re.compile(rf"\s*,\s*(?P<k>\d+|{lx.NUMBER_WORD}(?:[\s-]+{lx.NUMBER_WORD})*)\s+(?:\(\s*[\d.]+\s*%\s*\)\s+)?",
                        re.I)


def _part_taken(text: str, end: int, pool: int) -> tuple[int, re.Match] | None:
    """``(k, PART_AFTER match)`` for the part said right after a pool of ``pool`` people ending at ``end`` of ``text``
    when its clause says the part took part ("Of 322 eligible women, 31 were randomised"); None when it does
    not ("..., 405 (8%) were black"), when the part is an arm's ("89 were assigned to A and 92 to B")
    or not smaller than the pool."""
    part = PART_AFTER.match(text, end)
    if part is None or not _enrolment_predicate(text, part.end("k")) or PER_ARM_PAIR.match(text, part.start("k")):
        return None
    k = lx.words_to_number(part.group("k"))
    if k is None or k != int(k) or k < 2 or k >= pool:
        return None
    return int(k), part


def _pool_end(text: str, end: int) -> int:
    """Where the words of a pool ending at ``end`` of ``text`` stop: at ``end``, or at the comma closing
    what is said of it ("Out of 121 consecutive cases qualified for surgery, 112 women were ...": the
    comma after "surgery"), within 60 characters and before any other punctuation."""
    tail = text[end:end + 60]
    comma = tail.find(",")
    return end + comma if comma > 0 and not any(mark in tail[:comma] for mark in ".;:()") else end


def _counted_before(text: str, at: int) -> bool:
    """Whether a head count outside brackets comes before position ``at`` of the sentence ``text``."""
    return any(other.start() < at and not _in_brackets(text, other.start()) for other in HEADCOUNT.finditer(text, 0, at))


def _randomised_healthy(text: str, match: re.Match, after: str, before: str = "") -> bool:
    """Whether a count of healthy people ("144 healthy postmenopausal women were randomised") is the
    trial's participants: the clause it opens says they were randomised or assigned, and it does not
    name them controls ("healthy controls were randomised" stays controls). Counted alone (not after or
    before others: "20 patients and 20 healthy women were recruited" are controls), the clause may also
    say they were enrolled or treated ("Thirty-five healthy adults aged 35-69 years were enrolled",
    "36 healthy male subjects received single doses of X"; session 23)."""
    if "control" in match.group(0).lower() or re.match(r"\s*(?:healthy\s+)?controls?\b", after, re.I):
        return False
    clause = text[match.end():match.end() + 200].split(";", 1)[0]
    said = next((p for p in PREDICATE.finditer(clause) if not p.group("rel")), None)
    if said is not None and RANDOMISED.search(said.group(0)) is not None:
        return True
    if (AFTER_OTHERS.search(before) or match.group(0)[:4].lower() == "and " or OTHERS_AFTER.match(clause)
            or "patients" in clause[:60] or BESIDE_BEFORE.search(before)
            or "normal" in clause[:60] or "control" in clause[:60]):
        return False  # (not "An additional twenty healthy people were enrolled (normal group)", "eight out of 15 healthy")
    return TREATED_AFTER.match(clause) is not None or said is not None and (
        ENROLLED_VERB.match(clause, said.start("verb")) is not None or said.group("verb").lower() in TAKING_PART)


# Words that make a count of controls people without the condition: "healthy", "normal", "volunteers", "matched".
HEALTHY_WORDS = re.compile(r"healthy|normal|volunteer|without|pain-free|headache-free|matched|unaffected|free\b", re.I)
# The cases of a case-control comparison, which a trial may nest: "369 cases and 662 controls", "a nested case-control".
CASE_WORDS = re.compile(r"\bcases?\b|case-control|case\s+patients", re.I)
# Patients of a condition counted before the controls: "32 adult males with autism and 34 controls".
# ("boys with ADHD (n = 17), ASD (n = 17) and controls (n = 22)"; not inside an arms' bracket: "68 women with high-risk
# pregnancy (30 yoga and 38 controls)")
WITH_CONDITION_AND = re.compile(r"\bwith\b[^.;]{0,80}(?:\band|,)\s*$", re.I)


def _control_arm(doc: Document, phrase: str, before: str, after: str) -> bool:
    """Whether a count of controls (``phrase``, with the 100 characters ``before`` and 60 ``after`` it) is a
    randomised trial's control arm, not people without the condition: the record allocates at random, names no
    cases, the words around the count say nothing of health ("healthy", "normal", "volunteers", "matched") and
    no patients of a condition are counted right before it ("54 intervention and 53 controls", "the 30 controls
    were given another drug"; not "32 males with autism and 34 controls"). Written by us (issue 12, session 23)."""
    lowered = _lower_text(doc)
    if "random" not in lowered or HEALTHY_WORDS.search(before[-25:] + phrase + after[:25]):
        return False
    return CASE_WORDS.search(lowered) is None and (WITH_CONDITION_AND.search(before) is None or _in_brackets(before, len(before)))


# What healthy people counted alone did in the study (session 23): "received", "took part", "underwent", "were given".
TREATED_AFTER = re.compile(r"^\s*(?:\([^()]*\)\s*)?(?:,\s*)?(?:[\w-]+\s+){0,6}?(?:received|took\s+part|participated|"
                           r"underwent|ingested|consumed|were\s+(?:given|administered|operated|treated|dosed))\b", re.I)
BESIDE_BEFORE = re.compile(r"\b(?:additional|further|another|also|of)\s*$", re.I)
TAKING_PART = frozenset({"enrolled", "recruited", "accrued", "included", "studied", "operated", "treated", "given"})
# Another count of people right after a count: "Eight healthy volunteers and nine patients received ...".
OTHERS_AFTER = re.compile(rf"^\s*(?:\([^()]*\)\s*)?(?:and|,)\s+(?:\w+\s+)?{lx.NUMBER}\s", re.I)


def _only_count(text: str, match: re.Match) -> bool:
    """Whether ``match`` is the one head count of its sentence ``text`` (counts in brackets aside):
    "In eight healthy volunteers (seven men), ..." is; "20 patients and 20 healthy women" is not."""
    return all(other.start() == match.start() or _in_brackets(text, other.start()) for other in HEADCOUNT.finditer(text))


# A count that opens a clause of its own, with no word for people: "A total of 105 (aged 1-6 years) were
# randomly assigned", "Overall, 264 previously untreated stage II-III ... were randomised".
CLAUSE_COUNT = re.compile(rf"(?<![\w.,-])(?P<n>\d{{1,3}}(?:,\d{{3}})+|\d+|{_NUMBER_WORD}(?:[\s-]+{_NUMBER_WORD})*)"
                          r"(?=[\s(])(?!\s*(?:%|percent|mg|g|ml|years?|months?|weeks?|days?|hours?|h|min)\b)"
                          # (things a laboratory study allocates are no people: "40 specimens were randomly assigned")
                          r"(?!\s+(?:[\w-]+\s+){0,2}(?:specimens|samples|teeth|molars|premolars|cells|cultures|plates|wells|"
                          r"implants|discs|disks|blocks|sections|slices|strips|explants|biopsies|units)\b)", re.I)
# What comes right before such a count: the sentence's start, a clause's punctuation, "a total of".
CLAUSE_OPENING = re.compile(r"(?:^|[,;:]\s|\btotal\sof\s)$", re.I)
# (Cut so that a capital at a sentence's start needs no lower-casing: "Randomized", "Enrolled".)
CLAUSE_NEEDLES = ("andom", "nrol", "ecruit", "nclud", "ssign", "llocat", "tudied", "ntered")


# People named by an acronym the text defines: "breast cancer survivors (BCS)", "African American women (AAW)"
# (the bracket found first, the word for people read before it: far cheaper than a search for every such word).
ACRONYM_BRACKET = re.compile(r"\(\s*(?P<a>[A-Z][A-Za-z]{0,3}[A-Z]s?)\s*\)")
WHO_BEFORE = re.compile(rf"\b{WHO}\s*$", re.I)


def _acronym_counts(doc: Document) -> list[tuple[int, int, int, dict]]:
    """Enrolment candidates ``(rank, order, n, span)`` from counts of people named by an acronym the text
    defines for a word for people ("breast cancer survivors (BCS)" ... "compared among 188 sedentary BCS";
    "African American women (AAW)" ... "among 213 obese, postmenopausal AAW"): rank 0 with an enrolment verb near,
    else 1;
    never a count in brackets, with "of" before it ("12 of the BCS"), of those analysed or of a pool screened.
    Read only when no other count gave an enrolment. Written by us (issue 12, session 23)."""
    acronyms = {m.group("a").rstrip("s") for f in doc.text_fields for m in ACRONYM_BRACKET.finditer(doc.fields[f])
                if m.group("a").rstrip("s").isupper() and WHO_BEFORE.search(doc.fields[f], max(0, m.start() - 20),
                                                                            m.start())}
    found: list[tuple[int, int, int, dict]] = []
    if not acronyms:
        return found
    said = re.compile(rf"(?<![\w.,-])(?P<n>\d{{1,3}}(?:,\d{{3}})+|\d+|{_NUMBER_WORD}(?:[\s-]+{_NUMBER_WORD})*)\s+"
                      rf"(?:(?!of\b|with\b|and\b|or\b)[\w,-]+\s+){{0,4}}?(?:{'|'.join(map(re.escape, sorted(acronyms)))})s?\b")
    for sentence in sentences(doc):
        if sentence.field == "title":
            continue
        for match in said.finditer(sentence.text):
            n = lx.words_to_number(match.group("n").replace(",", ""))
            before = sentence.text[max(0, match.start() - 30):match.start()]
            if (n is None or n < 2 or n != int(n) or _in_brackets(sentence.text, match.start())
                    or re.search(r"\bof\s+(?:the\s+)?$", before, re.I) and not STUDY_IN.search(before)):
                continue
            after = sentence.text[match.end():match.end() + 60]
            if ANALYZED_VERB.search(after) or POOL_AFTER.match(after):
                continue  # "125 BCS (...) completed post-testing", "318 YBCS screened": analysed, or a pool
            rank = 0 if (ENROLLED_VERB.search(after[:40]) or ENROLLED_VERB.search(before)
                         or _enrolment_predicate(sentence.text, match.end())) else 1
            here = span(doc, sentence.field, sentence.start + match.start(), sentence.start + match.end())
            found.append((rank, len(found), int(n), here))
    return found


# People named after a count by a word WHO_WORDS leaves out: "musicians", "alcoholics", "employees" (session 23).
PEOPLE_SUFFIX = re.compile(r"\b[a-z]{3,}(?:ians|ists|ics|ees)\b", re.I)
# Any number in the words between a count and its verb: "67 eyes of 35 patients", "15 to 49 years of age, ... subjects".
NUMBER_IN = re.compile(rf"\d|\b{lx.NUMBER_WORD}\b(?<!\band)(?<!\ba)", re.I)


def _people_phrase(text: str, end: int) -> bool:
    """Whether the words from ``end`` of ``text`` (one sentence) to the verb of the clause a count opens name
    people ("98 clinically node free breast cancer female patients undergoing ... were recruited": "patients") with
    no other number outside brackets between ("67 eyes of 35 patients were randomised" names eyes), and no places
    or groups ("53 classes from 45 schools"). Written by us (issue 12, session 23)."""
    clause = text[end:end + 200].split(";", 1)[0]
    verb = next((p for p in PREDICATE.finditer(clause) if not p.group("rel")), None)
    if verb is None:
        return False
    phrase = re.sub(r"\([^()]*\)", " ", clause[:verb.start()])  # (what brackets say aside: "(BMI > 40)")
    if NUMBER_IN.search(phrase) or PLACES.search(phrase) or GROUP_NOUNS.search(phrase):
        return False
    return WHO_WORD.search(phrase) is not None or PEOPLE_SUFFIX.search(phrase) is not None


# A count right after an enrolment verb, its people within eight words: "The trial enrolled 1905 community-dwelling
# African American female Medicare beneficiaries" (too far for a head count; session 23).
VERB_BEFORE = re.compile(r"\b(?:enrolled|recruited|randomi[sz]ed|included)\s$", re.I)
PEOPLE_AFTER = re.compile(rf"\s+(?:(?!of\b|and\b|or\b|with\b|in\b|to\b)[A-Za-z][\w-]*\s+){{0,7}}?{WHO}\b", re.I)
GROUP_NOUNS = re.compile(r"\b(?:groups?|arms?|classes|classrooms|clusters|shops|families|households|dyads|couples|"
                         r"eyes|teeth|knees|limbs|lesions|samples|specimens|investigations|sessions|visits|cycles)\b", re.I)


def _clause_counts(doc: Document, people: bool = False) -> list[tuple[int, int, int, dict]]:
    """Enrolment candidates ``(rank 0, order, n, span)`` from counts that open a clause whose verb
    says the people took part (``_enrolment_predicate``; with ``people``, only those whose words before
    the verb name people: ``_people_phrase``), for records whose head counts name nobody
    ("A total of 105 (1-6 years) were randomly assigned into three groups"). A per-arm count ("22
    were randomised to placebo and 23 to magnesium") or those analysed are none. Written by us
    (issue 12); read only when no head count gave an enrolment."""
    found: list[tuple[int, int, int, dict]] = []
    whole = _lower_text(doc)
    if not any(needle in whole for needle in CLAUSE_NEEDLES):
        return found
    for sentence in sentences(doc):
        text = sentence.text
        if sentence.field == "title" or ("were" not in text and "was" not in text) or not any(
                needle in text for needle in CLAUSE_NEEDLES):
            continue
        if people and not (any(ending in text for ending in ("ians ", "ists ", "ics ", "ees ")) or WHO_WORD.search(text)):
            continue  # (people named: a word for people in the sentence, tested first)
        for match in CLAUSE_COUNT.finditer(sentence.text):
            if not CLAUSE_OPENING.search(sentence.text, max(0, match.start() - 9), match.start()):
                if VERB_BEFORE.search(sentence.text, max(0, match.start() - 12), match.start()) and (
                        after := PEOPLE_AFTER.match(sentence.text, match.end())) and not (
                        PLACES.search(after.group(0)) or GROUP_NOUNS.search(after.group(0))):
                    n = lx.words_to_number(match.group("n").replace(",", ""))
                    if n is not None and n >= 2 and n == int(n):  # "The trial enrolled 1905 ... beneficiaries"
                        found.append((0, len(found), int(n), span(doc, sentence.field, sentence.start + match.start("n"),
                                                                   sentence.start + match.end("n"))))
                continue
            n = lx.words_to_number(match.group("n").replace(",", ""))
            if (n is None or n < 2 or n != int(n) or not _enrolment_predicate(sentence.text, match.end())
                    or ANALYZED_VERB.search(sentence.text, match.end(), match.end() + 60)
                    or people and (_in_brackets(sentence.text, match.start())
                                   or not _people_phrase(sentence.text, match.end()))):
                continue
            here = span(doc, sentence.field, sentence.start + match.start("n"), sentence.start + match.end("n"))
            per_arm = PER_ARM_PAIR.match(sentence.text, match.start())
            if per_arm is not None:  # "Twenty were randomised to A and 22 to B": the sum, below a total
                b = lx.words_to_number(per_arm.group("b"))
                if b and b == int(b):
                    found.append((1, len(found), int(n + b), here))
                continue
            found.append((0, len(found), int(n), here))
    return found


# The verb of the clause a head count opens, however long the noun phrase between ("199 consecutive
# patients admitted for surgery between 1996 and 1999 were enrolled"); a relative clause's verb ("who were
# scheduled for") is not it.
PREDICATE = re.compile(r"\b(?P<rel>(?:who|that|which)\s+)?(?:were|was|had\s+been|have\s+been)\s+(?:[a-z]+ly\s+)?"
                       r"(?P<verb>[a-z]+)", re.I)


def _enrolment_predicate(text: str, end: int) -> bool:
    """Whether the clause opened by the head count ending at ``end`` of ``text`` (one sentence) says
    the people took part: its verb, the first "were/was (adverb) VERB" within 200 characters, before a
    semicolon and not in a relative clause, is an enrolment verb ("were randomised", "were enrolled",
    "were randomly assigned"). Rule written by us for issue 12 (several totals in one abstract)."""
    clause = text[end:end + 200].split(";", 1)[0]
    if "were" not in clause and "was" not in clause and "been" not in clause:
        return False
    for said in PREDICATE.finditer(clause):
        if said.group("rel"):
            continue
        return ENROLLED_VERB.match(clause, said.start("verb")) is not None or said.group("verb").lower() in (
            "randomly", "enrolled", "studied") or said.group("verb").lower() == "divided" and (
            WHO_WORD.search(text, max(0, end - 30), end + said.start()) is not None)  # "34 ... subjects were randomly divided"
        # (people: not "80 extracted teeth were randomly divided"; session 23)
    return False


def _share_said(lowered: str) -> bool:
    """Whether a sex word stands within a few characters of a "%" of the (lower-case) text: what
    SEX_SHARE needs, tested first because it costs far less."""
    at = lowered.find("%")
    while at >= 0:
        near = lowered[max(0, at - 26):at + 20]
        if "male" in near or "men" in near or "boys" in near or "girls" in near:
            return True
        at = lowered.find("%", at + 1)
    return False


def _analysed_from_dropouts(doc: Document, result: dict) -> None:
    """``n_analyzed`` when the text gives it without naming who ("46 were analysed", "leaving 29 for
    analysis"), else as those enrolled less the one count of dropouts the study
    states ("Thirty-two women were randomized. Three dropped out." -> 29). Changes ``result`` in
    place; never a count above ``n_enrolled``; two or more dropout counts (per arm) are not summed."""
    enrolled = result["n_enrolled"]
    lowered = _lower_text(doc)  # (the needles are ASCII words: a plain substring test)
    if any(n in lowered for n in ANALYSED_NEEDLES):
        for n, found in _counts_before_verbs(doc, ANALYSED_NEEDLES, ANALYSED_VERB, COUNT_BEFORE):
            if n is not None and n >= 2 and n == int(n) and (enrolled is None or n < enrolled):
                result["n_analyzed"] = int(n)
                result["evidence"].append(found)
                return
    if enrolled is None or not any(n in lowered for n in DROPOUT_NEEDLES):
        return
    dropouts = _counts_before_verbs(doc, DROPOUT_NEEDLES, DROPOUT_VERB, DROPOUT_COUNT_BEFORE)
    if len(dropouts) != 1:
        return
    n, found = dropouts[0]
    if n is not None and n == int(n) and 0 < n < enrolled:
        result["n_analyzed"] = enrolled - int(n)
        result["evidence"].append(found)


def _counts_before_verbs(doc: Document, needles: tuple[str, ...], verb: re.Pattern,
                         count: re.Pattern) -> list[tuple[float | None, dict]]:
    """(number, span from the count to the verb's end) for each count said right before a verb in
    the study's own sentences ("Six patients dropped out", "46 were analysed"), in text order. The
    verbs are found by a substring search for ``needles`` (lower case, each the start of ``verb``);
    ``count`` ends in "$" and is read on the 45 characters before the verb."""
    lowered = _lower_text(doc)
    bases, base = [], 0
    for name in doc.text_fields:
        bases.append((base, name))
        base += len(doc.fields[name]) + 1
    if base - 1 != len(lowered):
        return []  # (a letter whose lower case is longer: offsets would not hold)
    found = []
    for needle in needles:
        at = lowered.find(needle)
        while at >= 0:
            field_start, name = next(b for b in reversed(bases) if b[0] <= at)
            text, offset = doc.fields[name], at - field_start
            said = verb.match(text, offset) if name != "title" else None
            number = count.search(text, max(0, offset - 45), offset) if said else None
            if number is not None:
                found.append((number.start(), lx.words_to_number(number.group("n")),
                              span(doc, name, number.start(), said.end())))
            at = lowered.find(needle, at + len(needle))
    return [(n, item) for _, n, item in sorted(found, key=lambda f: f[0]) if _said(doc, [item])]


# Speed: the patterns searched most often, behind a look-ahead of the characters they can start
# with (``fastre.led``: the same matches, found faster). Kept last, to cover whatever they become.
from .fastre import Anchored, led  # noqa: E402

WHO_WORD, HEADCOUNT, HEADCOUNT_PAREN, SEX_COUNT, FEMALE, COMPLETERS, ENROLLED_VERB = map(
    led, (WHO_WORD, HEADCOUNT, HEADCOUNT_PAREN, SEX_COUNT, FEMALE, COMPLETERS, ENROLLED_VERB))
CLAUSE_COUNT, SEX_SHARE, PREDICATE = map(led, (CLAUSE_COUNT, SEX_SHARE, PREDICATE))
# (the word for men is searched only where "men", "man", "male" or "boys" stands: fastre.Anchored, the same matches)
MALE = Anchored(MALE, ("men", "man", "male", "boys"), 0, 8)
HEADCOUNT_RE = getattr(HEADCOUNT, "original", HEADCOUNT)  # what its matches' `.re` is: population() tells them apart by it
