"""Arms read from a trial's syntax, not from a lexicon: where the substance lexicon and the
interventions vocabulary name no arm, the words a trial allocates with still say what each arm was
given ("randomised to NetmumsHWD (n = 41) or treatment-as-usual (TAU; n = 42)", "randomly divided
into a needle-knife group of 153 cases and a physiotherapy group of 152 cases", "Constraint therapy
versus no intervention for aphasia: a randomised trial").

Used by ``arms`` only when its own reading finds no arm that was tested, or one tested arm and no
other (then only allocation sentences are read) (issue 12, session 23). Each
captured phrase is cut to the arm's name: its head noun phrase, lower case, without the dose
(``doses`` reads doses), frequency, duration or group words; a route word before it is kept as the
arm's route. Comparators take the names the labels use: ``placebo``, ``usual care``, ``no
treatment`` (no intervention, waiting list, a control group said with nothing given), ``sham ...``
as written. Only the study's own statements and its title are read (never a wish, an objective or
background), and a phrase that reads as people, a measure or a clause is no arm."""

from __future__ import annotations

import re

from . import lexicon as lx
from .doses import _dose_mg, _route
from .fastre import holds_any
from .substances import substance_mentions
from .text import Document, Sentence, _kind, _lower_text, sentence_span, sentences, span

# The allocation: "randomised (1:1) to", "randomly assigned to receive either", "were allocated into",
# "randomly divided into two groups:". (What follows is the list of arms, read by ``_items``.)
ALLOCATION = re.compile(
    r"\b(?:randomi[sz]ed|randomly\s+(?:assigned|allocated|divided|distributed|split)|assigned|allocated|divided|"
    r"distributed|split)(?:\s+(?:(?!(?:trials?|study|studies|design|manner|fashion)\b)[\w():-]+\s+){0,4}?)?\s+(?:in)?to\s+"
    r"(?!(?:compare|evaluate|assess|determine|investigate|examine|test|explore|study|establish|identify|measure|"
    r"show|see|treatment\s+(?:groups?|arms?)\b)\b)(?:receive\s+|either\s+|undergo\s+|be\s+treated\s+with\s+)*"
    r"(?P<groups>(?:one\s+of\s+)?(?:two|three|four|2|3|4)\s+(?:equal\s+|parallel\s+|treatment\s+|study\s+)?(?:sub)?"
    r"(?:groups?|arms?)(?:\s*\(\s*(?:[A-Z0-9]{1,3}\s*,\s*)+(?:and\s+)?[A-Z0-9]{1,3}\s*\))?"
    r"(?:\s+of\s+(?P<each>\d+)\s+(?:\w+\s+)?(?:each|per\s+group))?"  # "three groups of 200 patients each:"
    r"\s*(?::|,|\s+(?:receiving|to\s+receive|given|to\s+be\s+(?:treated\s+with|given))\b)\s*)?", re.I)
# What ALLOCATION and RECEIVED need (lower case): one of these in a sentence before the regex is run.
ALLOCATION_NEEDLES = ("random", "assign", "allocat", "divided", "distributed", "split")
RECEIVED_NEEDLES = ("receiv", "given", "underw", "treated")
# "patients received either A or B", "were treated with A or B" (in a sentence that allocates).
RECEIVED = re.compile(r"\b(?:received|receive|receiving|were\s+given|underwent|undergo|undergoing|were\s+treated\s+with)"
                      r"\s+(?:either\s+)?", re.I)
# "We compared A with B", "comparing A versus B".
COMPARED = re.compile(r"\b(?:we\s+)?compar(?:ed|ing)\s+(?:the\s+)?(?:(?:effects?|efficacy|effectiveness|safety|use)\s+"
                      r"(?:and\s+\w+\s+)?of\s+)?", re.I)
# A title's comparison: "A versus B for C", "A vs. B in C: a randomised trial".
TITLE_VERSUS = re.compile(r"\s(?:versus|vs\.?|compared\s+(?:with|to))\s", re.I)
RESULT_FIGURES = re.compile(r"\b[pP]\s*[<=≤>]\s*0?\.\d|±|\b95\s*%\s*CI\b")
TRIAL_WORDS = re.compile(r"\brandomi[sz]|\ballocated\b|\bassigned\b|\btrial\b|\bcross-?over\b", re.I)

# Where the list of arms ends: a clause boundary, a time, a ratio, the design words after it.
LIST_END = re.compile(r"[;:]|\.(?!\d)|\s[–—]\s|,\s+(?:and\s+)?(?:were|was|who|which|where|while|whereas|respectively|each|"
                      r"both|stratified|according|with\s+(?:a|an|the)\b)|\s+(?:for|during|over)\s+(?:(?:a|an|the)\s+)?"
                      r"(?:\d|one|two|three|four|five|six|eight|ten|twelve|period|total|duration)|"
                      r"\s+(?:in|at)\s+(?:a\s+)?(?:\d+\s*:\s*\d|ratio)|\s+(?:stratified|according\s+to|based\s+on|using\s+"
                      r"(?:a|an)\s+(?:computer|random|block)|by\s+(?:a\s+)?(?:computer|block|random|sealed|envelope))", re.I)
# After a list: what makes it strata of people, not arms.
STRATA_AFTER = re.compile(r"\s*,?\s*(?:according\s+to|based\s+on|depending\s+on|by\s+(?:their|the\s+presence))\b", re.I)
# Between two arms of the list: "or", "versus", a comma, "and" before an arm said as a group.
ITEM_SPLIT = re.compile(r",?\s+or\s+(?:to\s+)?|\s+versus\s+|\s+vs\.?\s+|\s+compared\s+(?:with|to)\s+|"
                        r",\s*(?:and\s+|or\s+)?(?:to\s+)?|"
                        r",?\s+and\s+(?:to\s+)?(?=(?:(?:a|an|the)\s+)?(?:[\w-]+\s+){0,3}?(?:group|arm)\b)", re.I)
# Words that open an item and are no part of the arm's name.
LEAD = re.compile(
    r"^(?:(?:to|either|only|other|supplemented\s+with|receive|received|receiving|undergo|undergoing|be|treated|"
    r"treatment\s+with|with|a|an|the|one|(?:double|single|triple)[\s-]+blind(?:ed)?|open[\s-]+label|"
    r"(?:daily\s+)?(?:use|application|administration)\s+of|use|(?:[\w-]+\s+)?(?:cycles|courses|sessions)\s+of|"
    r"(?:intervention|experimental|treatment|study|active)\s+(?:group|arm)s?(?:\s+(?:with|receiving|given|of))?|"
    r"(?:group|arm)\s+(?:[A-Z]|\d|I{1,3}|IV)\s*[-:,]?|\(\s*(?:[a-h]|\d|i{1,3}|iv)\s*\)|\d\s*\))\s+)+", re.I)
# Where an arm's name ends: its dose or any number, a bracket, its schedule, a clause.
NAME_END = re.compile(r"\s*\(|\s+\d|\s+(?:for|during|at|on|every|once|twice|thrice|three\s+times|daily|weekly|per|until|before|"
                      r"after|from|over|throughout|in|who|which|that|given|administered|delivered|plus\s+usual|repeated|followed|taken|"
                      r"applied|performed|used|injected|infused|"
                      r"(?:group|arm)s?\s+of|as\s+(?:a|an|the)|to\s+(?:be|the|a|an|improve|reduce|prevent|treat)|"
                      r"starting|beginning|immediately|while|when|if|by|through|via)\b|\s*,", re.I)
# A route word opening an arm's name: the arm's route (read by ``doses._route``), no part of its name.
ROUTE_LEAD = re.compile(r"(?:oral|intravenous|i\.v\.|topical|intramuscular|subcutaneous|transdermal|inhaled|intranasal|"
                        r"sublingual|rectal|vaginal|nebuli[sz]ed)\s+(?=\w)", re.I)
TRAILING = frozenset("group groups arm arms condition conditions alone only cohort cohorts intervention interventions first "
                     "then the a an of and or with to plus".split())
# Words no arm's name opens with: a preposition or conjunction (a clause cut, "of the three interfaces").
NOT_FIRST = frozenset("""of by for between but and or in at on from as than when after before during within without every
    all each any not no reverse remaining plus two three four five six seven eight nine ten""".split())
# An adjective's endings: "laparoscopic or open nephrectomy" is laparoscopic nephrectomy.
ADJECTIVE = re.compile(r"(?:ic|al|ous|ent|ant|ive|ar|ary|ory|ed)$", re.I)
# "into two groups: A and B": after the count of groups, "and" parts arms too.
AND_SPLIT = re.compile(r",?\s+and\s+(?:to\s+)?", re.I)
SEMICOLON = re.compile(r";\s*(?:and\s+)?")
GROUP_COUNT = re.compile(rf"\b(?:groups?|arms?)\s+of\s+(?P<n>{lx.NUMBER})\b|\(\s*(?:[^()]*?[;,]\s*)?n\s*=\s*(?P<n2>\d+)\s*\)", re.I)

# The comparators, by the names the labels give them.
CONTROL_ITEM = [
    (re.compile(r"^(?:(?:matching|identical|inert|dummy|a)\s+)*placebos?(?:\s+[\w-]+){0,2}$", re.I), "placebo"),
    (re.compile(r"^(?:(?:usual|standard|routine|conventional)[\s-]+(?:care|treatment|practice|therapy)|treatment[\s-]+as[\s-]+"
                r"usual|standard\s+of\s+care|(?-i:TAU|UC))$", re.I), "usual care"),
    (re.compile(r"^(?:no[\s-]+(?:treatment|intervention|therapy|exercise|training|infusion|supplementation|counsel+ing|"
                r"education|program(?:me)?)s?|untreated(?:\s+controls?)?|controls?|(?:a\s+)?control|wait(?:ing)?[\s-]*list"
                r"(?:\s+controls?)?|delayed[\s-]+(?:treatment|intervention)|(?:sedentary|untreated|no[\s-]+treatment)\s+"
                r"controls?|observation(?:\s+only)?|no[\s-]+(?:further\s+)?(?:intervention|treatment))$", re.I), "no treatment"),
]
SHAM = re.compile(r"^sham\b", re.I)
# Words no arm is named by alone: the design's own words, people, measures.
GENERIC = frozenset("""intervention interventions experimental experiment treatment treatments study active therapy therapies
    test trial group groups arm arms one two three four either both each other another first second third fourth
    new novel standard usual conventional regimen regimens program programme condition conditions procedure
    procedures method methods technique techniques strategy strategies approach approaches case cases patients equal
    subjects participants women men children adults volunteers animals rats mice they them these those""".split())
# Words that mark a clause or people, never an arm's name.
NOT_IN_NAME = re.compile(r"\b(?:were|was|is|are|be|been|had|has|have|patients|subjects|participants|women|men|children|"
                         r"volunteers|individuals|infants|eyes|teeth|sites|levels?|scores?|concentrations?|rate|risk|rats?|mice|animals?|"
                         r"deficien\w*|showed|shows?|significant\w*|increase[sd]?|decrease[sd]?|reduced|improved|"
                         r"blocks?\s+of|sequence|order|ratio|received|receiving|who|which|their|each|both|same|"
                         r"respectively|this|that|given|followed|asked|data|t-test|analys[ie]s|effects?|efficacy|impact|influence|role|"
                         r"outcomes?|comparison|involvement|status|balanced|prior|previous|minimi[sz]ation|algorithm|stratif\w*|"
                         r"years?|months?|weeks?|days?|totally|carcinoma|cancer|disease|disorder|syndrome|time|number|articles?|retrieved|"
                         r"prescriptions?|test|improvement|pathology|subjected|consuming|using|taking|groups?|arms?)\b|[()]", re.I)
CONTROL_NAMES = ("placebo", "saline", "no treatment", "usual care")


def syntax_arms(doc: Document, allocation_only: bool = False) -> list[dict]:
    """The arms a trial's syntax names when no lexicon does: the first of the study's statements
    that allocates to a list of arms ("randomised to A (n = 41) or B", "allocated into an A group of
    153 and a B group of 152", "patients received either A or B", "We compared A with B"), else the
    title's "A versus B" in a record that speaks of allocation or a trial. Returns arms as ``arms``
    does (``label``, ``n``, ``is_control``, ``interventions``; a name in lower case, no dose unless
    said in mg), [] when no reading gives two arms of which one is tested. ``allocation_only``: read
    only allocation sentences ("randomised to A or B"), the surest kind.

    Example: "Women were randomized to NetmumsHWD (n = 41) or treatment-as-usual (TAU; n = 42)."
    -> arms ``netmumshwd`` (n 41) and ``usual care`` (n 42, a control)."""
    found = sentences(doc)
    title_reading: list[dict] = []
    for sentence in found:
        if sentence.field == "title":
            if not allocation_only and not title_reading and TITLE_VERSUS.search(sentence.text):
                title_reading = _title_arms(doc, sentence)
            continue
        lowered = sentence.text.lower()
        allocates = holds_any(lowered, ALLOCATION_NEEDLES)
        if allocation_only and not allocates:
            continue
        arms_found = []
        if allocates:
            arms_found = _allocation_arms(doc, sentence)
        if not arms_found and not allocation_only and (allocates or "either" in lowered) and holds_any(
                lowered, RECEIVED_NEEDLES):
            arms_found = _received_arms(doc, sentence)
        if not arms_found and not allocation_only and "compar" in lowered and "signific" not in lowered:
            arms_found = _compared_arms(doc, sentence)
        if arms_found and _kind(doc, sentence) == "statement":  # (not a wish, an objective, background)
            return arms_found
    if not allocation_only:
        by_group = _group_sentence_arms(doc, found)
        if by_group:
            return by_group
    if title_reading and any(TRIAL_WORDS.search(s.text) for s in found):
        return title_reading
    if not allocation_only:
        return _named_group_arms(doc, found)
    return []


# Two groups named by what they were given, set against each other in one sentence: "in the Internet group
# than in the telephone group", "the tourniquet group vs. the non-tourniquet group".
NAMED_GROUPS = re.compile(
    r"\bthe\s+(?P<a>[\w-]+(?:\s+[\w-]+)?)\s+group\b[^.;]{0,120}?\b(?:than|vs\.?|versus|compared\s+(?:with|to)|and|or)\s+"
    r"(?:in\s+|with\s+|for\s+)?the\s+(?P<b>[\w-]+(?:\s+[\w-]+)?)\s+group\b", re.I)
# Group names that are no arm's: the design's words, and people told apart by what they are.
NOT_A_GROUP = frozenset("""intervention experimental treatment treated study control controls placebo comparison case cases
    active usual standard reference index test other same whole entire total first second third both two three age
    older younger elderly male female men women boys girls obese lean healthy diabetic normal high low higher lower
    medium moderate mild severe responder non-responder responders non-responders smokers non-smokers multifocal unifocal
    pre post early late positive negative""".split())


def _named_group_arms(doc: Document, found: list[Sentence]) -> list[dict]:
    """The arms of a randomised record that names no arm but sets two groups named by what they were
    given against each other ("higher in the Internet group than in the telephone group"): one arm
    each (``_item_arm`` on the name), read from the first such statement; [] where the record does
    not allocate, or a name is the design's word or one of people (``NOT_A_GROUP``: "the older
    group", "the control group")."""
    if not holds_any(_lower_text(doc), ALLOCATION_NEEDLES):
        return []
    for sentence in found:
        if sentence.field == "title" or " group" not in sentence.text:
            continue
        for match in NAMED_GROUPS.finditer(sentence.text):
            names = (match.group("a").lower(), match.group("b").lower())
            if names[0] == names[1] or any(w in NOT_A_GROUP for name in names for w in name.split()):
                continue
            if _kind(doc, sentence) != "statement":
                break
            arms_found = [_item_arm(doc, sentence, match.start(g), match.end(g)) for g in ("a", "b")]
            if all(arms_found) and arms_found[0]["label"] != arms_found[1]["label"] and not any(
                    a["is_control"] for a in arms_found):
                return arms_found
    return []


# One group and what it was given, a sentence each: "The intervention group received the e-learning package",
# "Group B underwent conventional pulpectomy", "patients in the control group received no intervention".
GROUP_RECEIVED = re.compile(
    r"(?:^|[,;:]\s*|\b(?:while|whereas|and)\s+)(?:patients\s+|participants\s+|subjects\s+)?(?:in\s+)?(?:the\s+)?"
    r"(?:(?P<label>[\w-]+(?:\s+[\w-]+)?)\s+(?:group|arm)|(?:group|arm)\s+(?P<letter>[A-Z0-9]{1,3}|I{1,3}|IV))\b"
    r"\s*(?:\([^()]{0,40}\)\s*)?,?\s*(?:patients\s+|participants\s+|subjects\s+)?"
    r"(?:received|was\s+given|were\s+given|underwent|was\s+treated\s+with|were\s+treated\s+with|was\s+offered|"
    r"were\s+offered|attended|participated\s+in)\s+", re.I)
GROUP_NEEDLES = ("received", "given", "underwent", "treated with", "offered", "attended", "participated in")
CONTROL_GROUP = re.compile(r"\bcontrol\s+groups?\b|\band\s+control\s+groups?\b", re.I)
CONTROL_LABELS = frozenset(("control", "placebo", "comparison", "usual care", "usual-care", "no-treatment", "no treatment"))


def _group_sentence_arms(doc: Document, found: list[Sentence]) -> list[dict]:
    """The arms of a trial that says what each group was given one sentence (or clause) at a time
    ("The intervention group received A. The control group received usual care."): one arm per
    group, in reading order, named by what it was given (``_item_arm``); a control group said to
    be allocated but given nothing named is ``no treatment``. [] unless two arms result, one tested."""
    arms_found: list[dict] = []
    labels: set[str] = set()
    control_said = False
    for sentence in found:
        if sentence.field == "title":
            continue
        lowered = sentence.text.lower()
        if "control" in lowered and holds_any(lowered, ALLOCATION_NEEDLES) and CONTROL_GROUP.search(sentence.text):
            control_said = True
        if not holds_any(lowered, GROUP_NEEDLES) or ("group" not in lowered and "arm" not in lowered):
            continue
        for match in GROUP_RECEIVED.finditer(sentence.text):
            label = (match.group("label") or match.group("letter")).lower()
            if label in labels or _kind(doc, sentence) != "statement":
                continue
            end = _list_end(sentence.text, match.end())
            arm = _item_arm(doc, sentence, match.end(), end)
            if arm is None or any(a["label"] == arm["label"] for a in arms_found):
                continue
            labels.add(label)
            arms_found.append(arm)
    if control_said and not any(a["is_control"] for a in arms_found) and len(arms_found) == 1:
        arms_found.append(_no_treatment(arms_found[0]))
    if len(arms_found) < 2 or all(a["is_control"] for a in arms_found):
        return []
    return arms_found


def _no_treatment(like: dict) -> dict:
    """An untreated control arm, its evidence the sentence that gave ``like`` its arm."""
    sentence = like["interventions"][0]["evidence"][-1]
    return {"label": "no treatment", "n": None, "is_control": True, "interventions": [
        {"name": "no treatment", "substance": "no treatment", "form": None, "dose_mg": None, "daily_dose_mg": None,
         "frequency_per_day": None, "route": None, "dose_text": None, "evidence": [sentence]}]}


def _allocation_arms(doc: Document, sentence: Sentence) -> list[dict]:
    """The arms of an allocation sentence ("randomised to A or B"), or []."""
    for match in ALLOCATION.finditer(sentence.text):
        arms_found = _list_arms(doc, sentence, match.end(), groups=match.group("groups") is not None)
        if arms_found:
            for arm in arms_found:  # "three groups of 200 patients each": every arm's size
                arm["n"] = arm["n"] or (int(match.group("each")) if match.group("each") else None)
            return arms_found
    return []


def _received_arms(doc: Document, sentence: Sentence) -> list[dict]:
    """The arms of "received either A or B" (read where a sentence allocates or offers "either"), or []."""
    for match in RECEIVED.finditer(sentence.text):
        arms_found = _list_arms(doc, sentence, match.end())
        if arms_found:
            return arms_found
    return []


def _compared_arms(doc: Document, sentence: Sentence) -> list[dict]:
    """The arms of "We compared A with B" said of the study's own groups (never a result's comparison,
    with its figures or its significance), or []."""
    match = COMPARED.search(sentence.text)
    if match is None or RESULT_FIGURES.search(sentence.text):
        return []
    return _list_arms(doc, sentence, match.end(), compared=True)


def _title_arms(doc: Document, sentence: Sentence) -> list[dict]:
    """The arms of a title's "A versus B for C" (A after its last "of": "Effect of A versus B"), or []."""
    text = sentence.text
    match = TITLE_VERSUS.search(text)
    if match is None:
        return []
    head = text[:match.start()]
    cut = max(head.rfind(" of "), head.rfind(": "))
    start = cut + 4 if cut == head.rfind(" of ") and cut >= 0 else (cut + 2 if cut >= 0 else 0)
    return _list_arms(doc, sentence, start, compared=True)


def _list_arms(doc: Document, sentence: Sentence, start: int, compared: bool = False, groups: bool = False) -> list[dict]:
    """The arms of the list of alternatives that opens at ``start`` of the sentence: cut at its end
    (``LIST_END``), split into items (``ITEM_SPLIT``, never inside brackets), each read as an arm
    (``_item_arm``; after a count of groups, "into two groups: A and B", at "and" too). [] unless
    there are two arms or more, one tested, every item read as an arm (a list holding something
    else is no list of arms), no two of one name, and the list is no strata ("... according to")."""
    text = sentence.text
    end = _list_end(text, start, groups)
    if STRATA_AFTER.match(text, end):
        return []  # "assigned to the A or the B group according to their genotype": strata, not arms
    pieces = _split(text, start, end, groups)
    if len(pieces) < 2 or (compared and len(pieces) != 2):
        return []
    if "with or without" in text[start:end].lower():
        return []
    arms_found = []
    for piece_start, piece_end in pieces:
        arm = _item_arm(doc, sentence, piece_start, piece_end)
        if arm is None:
            return []
        arms_found.append(arm)
    _share_head(arms_found)
    labels = [a["label"] for a in arms_found]
    if len(set(labels)) != len(labels) or all(a["is_control"] for a in arms_found):
        return []
    return arms_found


def _share_head(arms_found: list[dict]) -> None:
    """A one-word adjective arm takes the noun of the last arm ("laparoscopic or open nephrectomy":
    laparoscopic nephrectomy; "intense intermittent versus moderate continuous exercise"). Changes
    the arms in place."""
    last = arms_found[-1]["label"].split()
    if len(last) < 2 or arms_found[-1]["is_control"]:
        return
    for arm in arms_found[:-1]:
        words = arm["label"].split()
        if arm["is_control"] or len(words) > 2 or not all(ADJECTIVE.search(w) for w in words):
            continue
        (intervention,) = arm["interventions"]
        name = f"{arm['label']} {last[-1]}"
        if intervention["substance"] == intervention["name"]:
            intervention["substance"] = name
        intervention["name"] = arm["label"] = name


def _without_trailing(text: str, start: int, end: int) -> int:
    """Where a name ``text[start:end]`` ends without its trailing group words (``TRAILING``: "the
    cupping group" is cupping), its first word always kept."""
    while True:
        cut = text.rfind(" ", start, end)
        if cut <= start or text[cut + 1:end].lower() not in TRAILING:
            return end
        end = cut
        while end > start and text[end - 1] == " ":
            end -= 1


def _list_end(text: str, start: int, groups: bool = False) -> int:
    """Where a list of arms opening at ``start`` ends: the first ``LIST_END`` outside brackets (after
    a count of groups, "into 3 arms: 1) A; 2) B; 3) C", not at a semicolon)."""
    for match in LIST_END.finditer(text, start):
        if groups and match.group(0) == ";":
            continue
        if _depth(text, start, match.start()) <= 0:
            return match.start()
    return len(text)


def _depth(text: str, start: int, at: int) -> int:
    """Brackets open at ``at`` counting from ``start``."""
    return text.count("(", start, at) + text.count("[", start, at) - text.count(")", start, at) - text.count("]", start, at)


def _split(text: str, start: int, end: int, groups: bool = False) -> list[tuple[int, int]]:
    """The items of a list of arms ``text[start:end]``: split at ``ITEM_SPLIT`` outside brackets
    (an enumerator's "1)" opens none); after a count of groups (``groups``) at semicolons too, and
    at "and" where nothing else splits the list ("into two groups: A and B")."""
    pieces = _split_at(text, start, end, list(ITEM_SPLIT.finditer(text, start, end)) + (
        list(SEMICOLON.finditer(text, start, end)) if groups else []))
    if groups and len(pieces) < 2:
        pieces = _split_at(text, start, end, list(AND_SPLIT.finditer(text, start, end)))
    return pieces


def _split_at(text: str, start: int, end: int, splits: list[re.Match]) -> list[tuple[int, int]]:
    """``text[start:end]`` cut at each of ``splits`` that stands outside brackets."""
    pieces, at = [], start
    for match in sorted(splits, key=lambda m: (m.start(), -m.end())):
        if match.start() < at or _depth(text, start, match.start()) > 0:
            continue
        pieces.append((at, match.start()))
        at = match.end()
    pieces.append((at, end))
    return [(s, e) for s, e in pieces if e > s]


def _item_arm(doc: Document, sentence: Sentence, start: int, end: int) -> dict | None:
    """One item of a list of arms as an arm, or None when it names none: its count ("(n = 41)", "a
    group of 153"), its name cut to the head phrase (``LEAD``, ``NAME_END``, ``TRAILING``), a
    comparator by the labels' names, a route word opening it (``ROUTE_LEAD``) left out of the name,
    the route the item says (``doses._route``) kept as the arm's."""
    text = sentence.text
    item = text[start:end]
    count = GROUP_COUNT.search(item)
    n = lx.words_to_number(count.group("n") or count.group("n2")) if count else None
    lead = LEAD.match(item)
    name_start = start + (lead.end() if lead else 0)
    route_word = ROUTE_LEAD.match(text, name_start, end)
    if route_word is not None:  # ("the oral administration of A": the words before the name again)
        name_start = route_word.end()
        again = LEAD.match(text[name_start:end])
        name_start += again.end() if again else 0
    stop = NAME_END.search(text, name_start, end)
    name_end = stop.start() if stop else end
    name_end = _without_trailing(text, name_start, name_end)
    words = text[name_start:name_end].strip(" -–,")
    name_start = text.find(words, name_start) if words else name_start
    name_end = name_start + len(words)
    name = " ".join(words.lower().split())
    if not name or not name[0].isalpha() or len(name.split()) > 6 or len(name) < 2:
        return None
    control = None
    for pattern, control_name in CONTROL_ITEM:
        if pattern.match(words):
            control = control_name
            break
    if control is None and (name in GENERIC or all(w in GENERIC for w in re.split(r"[\s/]+", name))
                            or NOT_IN_NAME.search(words) or name.split()[0] in NOT_FIRST
                            or (" " not in name and name.endswith("ed"))):
        return None
    route = _route(item)[0] if control is None else None  # (what the item says of the route, read once it names an arm)
    dose_mg = dose_text = None
    dose = lx.DOSE.search(item)
    mentions = substance_mentions(words)
    substance, form = (mentions[0].substance, mentions[0].form) if len(mentions) == 1 and (
        mentions[0].end - mentions[0].start) >= len(words) - 2 else (name, None)
    if dose is not None and dose.group("per") is None and control is None:
        dose_mg, dose_text = _dose_mg(dose.group("amount"), dose.group("unit"), substance), dose.group(0)
    evidence = [span(doc, sentence.field, sentence.start + name_start, sentence.start + name_end)]
    if dose_text is not None:
        evidence.append(span(doc, sentence.field, sentence.start + start + dose.start(), sentence.start + start + dose.end()))
    if control is not None:
        name, substance = control, (None if control == "placebo" else control)
        route = None
    elif mentions and substance != name:
        name = mentions[0].name
    intervention = {"name": name, "substance": substance, "form": form, "dose_mg": dose_mg, "daily_dose_mg": None,
                    "frequency_per_day": None, "route": route if route != "other" else None, "dose_text": dose_text,
                    "evidence": evidence + [sentence_span(doc, sentence)]}
    return {"label": name, "n": int(n) if n else None,
            "is_control": name in CONTROL_NAMES or bool(SHAM.match(name)), "interventions": [intervention]}


# Speed: the patterns searched on every sentence, behind a look-ahead of the characters they can start with
# (``fastre.led``: the same matches, found faster).
from .fastre import led  # noqa: E402

(ALLOCATION, RECEIVED, COMPARED, LIST_END, ITEM_SPLIT, AND_SPLIT, NAME_END, TITLE_VERSUS, NOT_IN_NAME, GROUP_COUNT) = map(
    led, (ALLOCATION, RECEIVED, COMPARED, LIST_END, ITEM_SPLIT, AND_SPLIT, NAME_END, TITLE_VERSUS, NOT_IN_NAME, GROUP_COUNT))
