"""Arm sizes: how many participants each arm had, read from counts tied to the arm's name anywhere in
the study's own sentences, not only in the sentence that describes the arms.

The ways trial abstracts write an arm's size (seen in the PICO corpus's intervention-participants
and control-participants annotations, Mutinda et al., WIESP 2022, and in CONSORT-style reports):

- a bracket or a comma after the arm: "magnesium (n = 12) or placebo (n = 11)", "SB3, n = 186",
  "the placebo group (n=20)";
- "n =" before the arm: "(n=8 gabapentin, n=7 hypnotherapy)";
- a count before the arm with a verb of allocation: "214 to drug A and 217 to placebo", "Of 510
  patients randomised to tamoxifen", "25 cases who received famotidine", "30 in the placebo group";
- a count of controls: "25 treated patients and 20 controls";
- one size for every arm: "20 patients per group", "two groups of 15", "n = 30 in each arm".

Pure functions over a ``Document`` and the arms ``arms.arms`` found; nothing here decides what an
arm is. Numbers are people (ints); a count is only taken when it is a whole number, not a
percentage, a fraction ("18/24") or followed by a unit ("12 weeks", "300 mg").
"""

from __future__ import annotations

import bisect
import re

from . import lexicon as lx
from .text import Document, _kind, _lower_text, sentences
from .substances import substance_mentions

# A head count in digits or words ("twenty-one"); never the bare "a" or "and" number words.
COUNT = rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d{{1,6}}|(?!(?:a|and)\b){lx.NUMBER_WORD}(?:[\s-]+{lx.NUMBER_WORD})*)"
# Words that make a number a dose, a time or a share, not a head count.
UNIT_WORDS = (r"(?:mg|g|kg|µg|μg|mcg|ug|ml|l|mmol|meq|iu|units?|weeks?|wk|days?|months?|years?|yr|hours?|h|hrs?|min|"
              r"minutes?|seconds?|times|cycles?|courses?|doses?|tablets?|capsules?|sessions?|percent|mm|cm|points?|"
              r"fractions?|gy|sites?|centres?|centers?|hospitals?|countries|trials|studies|articles|years?-old)")
# A count of people right after the arm's name in a bracket that lists the arms: "(HCT group 68 cases, CMFT
# group 68 cases)", "(magnesium 30 patients; placebo 28 patients)".
PEOPLE_RIGHT_AFTER = re.compile(rf"\s*[:=,]?\s*(?P<n>{COUNT})\s+(?:cases|patients|subjects|participants|women|men|children|"
                                r"infants|volunteers)\s*(?=[,;)]|and\b)", re.I)
# Events of the arm's whole count right before its name: "(6/51) in the S group", "8/54 patients in group M".
FRACTION_BEFORE = re.compile(r"(?<![\d.])\d{1,5}\s*/\s*(?P<n>\d{1,5})\s*\)?\s*(?:patients\s+|subjects\s+)?in\s+(?:the\s+)?$")
# After the arm's name: "(n = 12)", ", n = 186", "group (N=20)", ": n=30".
# Also past the arm's dose and inside a bracket that says more: "duloxetine 60 mg/day (group D, n = 30)",
# "pregabalin (150 mg twice daily; n = 40)"; never past another arm ("A 300 mg or B (n = 20)").
N_AFTER = re.compile(r"(?:[\s-]+(?:[a-z][\w-]*\s+)?(?:group|arm|treated|alone|cohort))?"
                     r"(?:\s+[\d.,]+\s*(?:mg|g|µg|μg|mcg|mmol|meq|iu|ml)\b(?:(?!\b(?:or|and|versus|vs)\b)[^();\[\]]){0,25}?)?"
                     r"\s*(?:\((?:(?!\b(?:or|versus|vs)\b)[^()]){0,40}?[,;:]\s*|[(\[,:;])?\s*\b[nN]\s*[=:]\s*"
                     rf"(?P<n>{COUNT})(?![\d.,]\d|\s*%)")
# A count of people in a bracket after the arm's name: "tamoxifen alone (383 women)", "magnesium (23 patients)".
PEOPLE_IN_BRACKET_AFTER = re.compile(rf"(?:[\s-]+(?:alone|group|arm))?(?:\s+[\d.,]+\s*(?:mg|g|µg|μg|mcg|mmol|meq|iu)\b"
                                     r"(?:(?!\b(?:or|and|versus|vs)\b)[^();\[\]]){0,25}?)?"
                                     rf"\s*\(\s*(?P<n>{COUNT})\s+(?:patients|pts|women|men|subjects|"
                                     r"participants|children|cases|volunteers|individuals)\s*[);,]", re.I)
# Before the arm's name: "n=8 gabapentin", "n = 30 for placebo".
N_BEFORE = re.compile(rf"\b[nN]\s*=\s*(?P<n>{COUNT})\s*[,:]?\s*(?:in\s+the\s+|for\s+(?:the\s+)?|to\s+(?:the\s+)?|received\s+)?$")
# A count before the arm's name with a verb of allocation between: "214 to Cocculine", "Of 510
# patients randomised to tamoxifen", "25 cases who received preoperative famotidine", "30 in the
# placebo group".
COUNT_BEFORE = re.compile(  # (not a group's number: "group 2 received diclofenac")
    rf"(?<![\w.,/±:-])(?<!group\s)(?<!arm\s)(?<!\bin\s)(?<!\d\sand\s)(?<!\d,\s)(?P<n>{COUNT})(?![\d.,/:]\d|\s*%)\s+"
    rf"(?:(?!{UNIT_WORDS}\b|and\b|or\b|of\b|to\b|in\b|groups\b|arms\b)[A-Za-z][\w-]*\s+){{0,3}}?"
    r"(?:(?:who|that)\s+)?(?:(?:were|was|had\s+been)\s+)?(?:(?:randomi[sz]ed|assigned|allocated|included|enrolled)\s+)?"
    r"(?:to\s+(?:receive\s+)?|received\s+|receiving\s+|were\s+given\s+|given\s+|on\s+|in\s+the\s+|into\s+the\s+|as\s+the\s+)"
    r"(?:the\s+|a\s+|an\s+)?(?:[\w-]+\s+)?$", re.I)
# A count "in the" arm is of its people only when nothing or people stand between ("30 in the placebo group",
# "22 patients who were randomised into the A group"), never events or shares ("19 deaths were observed in
# the treatment group", "12 per cent in the A group", "one patient in the A group had ...").
IN_THE_ARM = re.compile(r"(?:in|into)\s+the\s+(?:[\w-]+\s+)?$", re.I)
PEOPLE_IN_THE_ARM = re.compile(r"\s*(?:(?:[\w-]+\s+)?(?:patients|pts\.?|women|men|subjects|participants|children|infants|"
                               r"cases|volunteers|adults|individuals|persons|people|eyes|mothers|rats|mice|animals)\s+)?(?:(?:who\s+)?(?:were|was)\s+)?(?:(?:randomi[sz]ed|"
                               r"assigned|allocated|included|enrolled|completed(?:\s+the\s+(?:study|trial|treatment))?)\s+)?(?:in|into)\s+the\s+"
                               r"(?:[\w-]+\s+)?", re.I)
# What befell people counted before an arm's name: "Two subjects receiving A developed ...", "five taking A died".
EVENT_AFTER = re.compile(r"(?:\s+(?:group|arm))?\s+(?:developed|had|experienced|died|reported|showed|suffered|"
                         r"responded|required|needed|discontinued|withdrew)\b", re.I)
OF_BEFORE = re.compile(r"\bof\s+(?:the\s+)?$", re.I)
# A bare count in brackets right after the arm's name, in a sentence that allocates people to arms:
# "randomly assigned to receive vitamin D (40) or placebo (40)" (not a year, a dose or a reference).
BARE_COUNT_AFTER = re.compile(r"\s\(\s*(?P<n>\d{1,4})\s*\)(?=\s*(?:[,;.]|or\b|and\b|versus\b|vs\b|groups?\b|arms?\b|"
                              r"supplements?\b|tablets?\b|capsules?\b|$))", re.I)
ALLOCATED_TO = re.compile(r"\b(?:randomi[sz]ed|randomly|assigned|allocated)\b", re.I)
# A count before a group named "group X": "22 patients in group PVB", "30 in group A".
COUNT_IN_GROUP = re.compile(rf"(?<![\w.,/±:-])(?P<n>{COUNT})\s+(?:(?!{UNIT_WORDS}\b)[A-Za-z][\w-]*\s+)?(?:(?:were|was)\s+)?in\s+$",
                            re.I)
# A count of people given something, the group's name in the bracket after it: "53 patients receiving
# peritubal infiltration (study group)", "40 women who were given the gel (group A)".
COUNT_BEFORE_BRACKET = re.compile(
    rf"(?<![\w.,/±:-])(?P<n>{COUNT})\s+(?:patients|subjects|participants|women|men|children|infants|cases|volunteers)\s+"
    r"(?:(?:who|that)\s+)?(?:(?:were|was)\s+)?(?:received|receiving|given|treated\s+with|undergoing|underwent|had|"
    r"(?:randomi[sz]ed|allocated|assigned)\s+to(?:\s+receive)?)\s+(?:[^\s();,]+\s+){0,8}?[^\s();,]+\s*\($|"
    # "Sixty-four patients in group 3 (control group)": the group's number, then its name in brackets
    rf"(?<![\w.,/±:-])(?P<n2>{COUNT})\s+(?:patients|subjects|participants|women|men|children|infants|cases|volunteers)\s+"
    r"(?:were\s+)?(?:in|into|to)\s+(?:the\s+)?(?:group|arm)\s+(?:[A-Z]{1,3}|\d{1,2}|[IVX]{1,4})\s*\($", re.I)
# A count right before the arm's name and the people it counts: "12 placebo patients", "20 controls".
COUNT_OF_PEOPLE = re.compile(rf"(?<![\w.,/±:-])(?P<n>{COUNT})\s+"
                             r"(?:(?:healthy|matched|untreated|age-matched)\s+)?$", re.I)
PEOPLE_AFTER = re.compile(r"(?:-(?:treated|allocated|assigned))?\s+(?:patients|subjects|participants|women|men|"
                          r"children|volunteers|individuals|cases)\b", re.I)
# One size for every arm: "20 patients per group", "15 in each arm", "two groups of 15", "n = 30 per arm".
EVERY_ARM = re.compile(
    rf"\b(?P<n>{COUNT})\s+(?:(?!{UNIT_WORDS}\b)[A-Za-z][\w-]*\s+){{0,2}}?"
    r"(?:per|in\s+each|each|in\s+every|for\s+each)\s+(?:group|arm)\b|"
    # "25 in each", "20 per arm": the group said before
    rf"\b(?P<n6>{COUNT})\s+(?:(?!{UNIT_WORDS}\b)[A-Za-z][\w-]*\s+)?in\s+each(?=\s*[.,;)]|\s+(?:and|of\s+the\s+(?:groups|arms))\b)|"
    # "into four groups (n = 30 each)"
    r"\b(?:groups|arms)\s*\(\s*[nN]\s*=\s*(?P<n7>\d{1,6})\s*(?:each|per\s+(?:group|arm)|(?:in|for)\s+each)\s*\)|"

    rf"\b(?:groups|arms)\s+of\s+(?P<n2>{COUNT})(?:\s+(?!{UNIT_WORDS}\b)|\s*[:;,)])|"
    r"\b[nN]\s*=\s*(?P<n3>\d{1,6})\s*(?:per|each|/|in\s+each)\s*(?:group|arm)\b|"
    # "divided equally into four groups (n = 30)": the bracket after the groups is each one's size
    r"\b(?:equally|evenly)\s+(?:\w+\s+){0,3}?groups\s*\(\s*[nN]\s*=\s*(?P<n5>\d{1,6})\s*(?:each\s*)?\)|"
    r"\b(?:each|every)\s+(?:group|arm)\s+(?:\w+\s+){0,2}?(?:of|had|included|comprised|consisted\s+of)\s+"
    rf"(?P<n4>{COUNT})\s+(?!{UNIT_WORDS}\b)", re.I)
# "randomized into three groups with 20 patients each" (apart from EVERY_ARM: asked only of a sentence saying "each").
GROUPS_WITH_EACH = re.compile(rf"\b(?:groups|arms)\s+(?:of|with)\s+(?P<n>{COUNT})\s+(?:patients|subjects|participants|women|"
                              r"men|children|infants|volunteers|cases|rats|mice|dogs|animals)\s+each\b", re.I)
# A sentence that allocates people to arms (where "20 per group" is a size, not "two in each arm refused").
ALLOCATION = re.compile(r"\b(?:randomi[sz]\w*|assigned|allocated|enrol\w*|included|recruited|divided|distributed|"
                        r"received|consist\w*|comprised|completed|finished|analy[sz]ed|evaluable|assessable|"
                        r"(?:suitable|available|included|eligible)\s+for\s+(?:the\s+)?analys[ie]s)\b", re.I)
# A planned size (a power calculation) is not the size the arm had.
PLANNED = re.compile(r"\b(?:needed|required|planned|would|calculated|power|target\w*|aim\w*\s+to)\b", re.I)
# A count in a list whose verb was said once: "30 received A, 31 B and 29 placebo".
LISTED_COUNT = re.compile(rf"(?:,|:|\band)\s+(?P<n>{COUNT})\s+(?:(?:on|in|with|took|received|given)\s+)?(?:the\s+)?$", re.I)
# The first count of a bracketed list of counts and arms: "40 were randomized (22 metformin, 18 placebo)",
# "(147 allocated exemestane, 153 anastrozole)" (the next items are ``LISTED_COUNT``'s).
BRACKET_LIST_FIRST = re.compile(rf"\(\s*(?P<n>{COUNT})\s+(?:(?:allocated|assigned|randomi[sz]ed)\s+(?:to\s+)?|"
                                r"(?:on|in|with|took|received|given)\s+)?(?:the\s+)?$", re.I)
# A count after an arm's name in a bracketed list of arms and counts: "(tamoxifen 1238, placebo 1233)",
# "(TU arm 87, ACT arm 82)" (not a dose, a rate or a decimal: the count ends the item).
COUNT_AFTER_IN_BRACKET = re.compile(rf"(?:[\s-]+(?:group|arm))?\s+(?P<n>{COUNT})(?![\d.,]\d)\s*(?=[,;)])", re.I)
# A result's denominator tied to the arm: "2/23 patients treated with A", "45 (54%) of 83 patients in the A
# group", "37 (4.0%) of 944 patients who received A", "in 17% (12/71) of patients treated with A" (the count
# before the name), and "A (7/71)", "the A group (35 of 37, 95 per cent)", "A [228 of 2448 women" (after it).
DENOMINATOR_BEFORE = re.compile(
    r"(?<![\d.,/])\d{1,5}\s*(?:\(\s*[\d.]+\s*(?:%|per\s+cent)\s*\)\s*)?(?:/|of\b|out\s+of\b)\s*(?P<n>\d{1,3}(?:,\d{3})+|\d{1,5})"
    r"(?![\d.,]\d|\s*%)\s*(?:\)\s*(?:of\s+)?)?(?:(?:eligible|evaluable|assessable)\s+)?(?:(?:patients|women|men|subjects|participants|"
    r"children|cases)\s+)?(?:\(\s*[\d.]+\s*%\s*\)\s*)?(?:who\s+(?:were\s+)?(?:received|treated\s+with|given|allocated(?:\s+to)?|"
    r"assigned\s+to|randomi[sz]ed\s+to|taking|on)\s+|(?:receiving|treated\s+with|given|allocated(?:\s+to)?|assigned\s+to|"
    r"randomi[sz]ed\s+to|taking|on|in\s+the)\s+)(?:the\s+)?$", re.I)
FRACTIONS_COMPARED = re.compile(r"\s*(?:\(\s*[\d.]+\s*%\s*\)\s*)?[,;]?\s*(?:vs\.?|versus|and|compared)\s+(?:with\s+)?\d", re.I)
PART_OF = re.compile(r"\d\s*(?:\(\s*[\d.]+\s*%\s*\)\s*)?(?:/|of\b|out\s+of\b)")  # (what the three below need)
OF_COUNT_BEFORE = re.compile(r"(?<![\d.,/])\d{1,5}\s*(?:\(\s*[\d.]+\s*%\s*\)\s*)?(?:/|of\b|out\s+of\b)\s*(?P<n>\d{1,5})\s+$")
PEOPLE_OF_ARM_AFTER = re.compile(r"[\s-]+(?:recipients|users|patients|subjects|participants|women|men|children|treated)\b", re.I)
# "x of K patients received A", "Most patients received A (41/43)": the main verb gives A to the x, not the K.
NUMERATOR_BEFORE = re.compile(r"(?<![\d.,/])(?P<n>\d{1,5})\s*(?:\(\s*[\d.]+\s*%\s*\)\s*)?(?:/|of\b|out\s+of\b)\s*\d{1,5}"
                              r"(?![\d.,]\d|\s*%)\s+(?:[\w-]+\s+)?(?:patients|women|men|subjects|participants|children|cases)\s+"
                              r"(?:received|were\s+(?:given|treated\s+with|allocated\s+to|assigned\s+to|randomi[sz]ed\s+to))\s+"
                              r"(?:the\s+)?$", re.I)
GIVEN_BEFORE = re.compile(r"\b(?:received|were\s+given|were\s+treated\s+with|took)\s+(?:[\w-]+\s+){0,6}$", re.I)
DENOMINATOR_AFTER = re.compile(r"(?:[\s-]+(?:group|arm|treated|alone))?\s*[(\[]\s*(?P<x>\d{1,5})\s*(?:/|of\b|out\s+of\b)\s*"
                               r"(?P<n>\d{1,3}(?:,\d{3})+|\d{1,5})(?![\d.,]\d|\s*%)\s*(?:[,;)\]]|(?:patients|women|men|"
                               r"subjects|participants|children|cases)\b)", re.I)
# "(amitriptyline, 27; placebo, 32)", "magnesium: 21": the count right after the arm's name in a list.
COUNT_AFTER_IN_LIST = re.compile(rf"\s*[,:]\s*(?P<n>{COUNT})\s*(?=[;)]|,?\s+and\b)", re.I)
UNIT_AFTER = re.compile(r"[\s-]*(?:tablets?|capsules?|pills?|mg|g|doses?|injections?|infusions?)\b", re.I)
# What COUNT_BEFORE needs in the 40 characters before the name (case as written: a cheap test first).
ALLOCATION_CUES = ("to ", "eceiv", "given", "on ", "n the ", "nto the ", "as the ")
# A choice after the arm's name: the count before it is of everyone choosing ("20 received A or B").
CHOICE_AFTER = re.compile(r"[^;.]{0,80}?\b(?:or|versus|vs)\b", re.I)
# What EVERY_ARM needs somewhere in the record (lower case): a cheap test before it is run sentence by sentence.
EVERY_ARM_CUES = ("equally", "evenly", "per group", "per arm", "each group", "each arm", "every group", "every arm", "groups of", "arms of",
                  "groups with", "arms with",
                  "/group", "/arm", "/ group", "/ arm", "in each", "each)", "each )")
# "an abbreviation defined right after the name": "Cocculine (C)", "trastuzumab (TRZ)".
ABBREVIATION_AFTER = re.compile(r"\s*\(\s*(?P<abbr>[A-Z][A-Za-z0-9-]{0,7})\s*\)")
CONTROL_WORDS = ("controls", "control", "control group", "control subjects", "control arm", "untreated group")
# What a study calls its one tested arm beside a control arm: "(48 to the intervention group and 53 to the
# control group)", "the experimental group (n = 39)". Said of the one arm that is not a control, never of
# several tested arms ("the treatment groups" of a three-arm trial name no one arm).
TESTED_GROUP_WORDS = ("intervention", "intervention group", "intervention arm", "experimental group", "experimental arm",
                      "treatment group", "treatment arm", "active group", "active treatment group", "treated group")


# What every count above needs: a digit or a number word (a cheap test a sentence must pass first; words inside
# others, "hormone", "attention", only make it pass more often).
DIGIT = re.compile(r"\d")
NUMBER_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
                "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred", "thousand")


def _may_count(text: str) -> bool:
    """Whether ``text`` holds a digit or a number word: what any head count needs."""
    if DIGIT.search(text) is not None:
        return True
    lowered = text.lower()
    for word in NUMBER_WORDS:  # (a loop: faster than any() over a generator)
        if word in lowered:
            return True
    return False


def _count(text: str) -> int | None:
    value = lx.words_to_number(text)
    return int(value) if value is not None and value == int(value) and 1 <= value < 1_000_000 else None


def _occurrences(lowered: str, name: str) -> list[tuple[int, int]]:
    """Where ``name`` stands as a whole word (or words) in a lower-case text: [(start, end), ...].
    (A substring search with the word boundaries checked by hand: no regex to compile per arm.)"""
    found, at = [], lowered.find(name)
    while at >= 0:
        end = at + len(name)
        if (at == 0 or not (lowered[at - 1].isalnum() or lowered[at - 1] in "_-")) and (
                end == len(lowered) or not (lowered[end].isalnum() or lowered[end] == "_")):
            found.append((at, end))
        at = lowered.find(name, end)
    return found


def _regimen_before(text: str, at: int) -> bool:
    """Whether the name at ``text[at]`` ends a regimen of several drugs ("doxorubicin and cyclophosphamide
    followed by tamoxifen (ACT)"): another substance named in the 60 characters before it, in its sentence.
    An abbreviation after it is the regimen's, not the last drug's alone."""
    before = text[max(0, at - 60):at]
    before = before[before.rfind(". ") + 1:]
    return bool(substance_mentions(before))


def arm_names(doc: Document, arm: dict) -> set[str]:
    """The words that name one arm in the text: its interventions' names and substances, an
    abbreviation defined right after one of them at any of its mentions ("Cocculine (C)"; not a
    regimen's, "A and B followed by C (ABC)", for the arm of C alone), and for a control arm
    "controls" / "control group" and an abbreviation defined after those ("wait-list control (WC)").
    Lower case.

    Example: the arm ``magnesium sulfate`` of a text saying "magnesium sulfate (MS)" ->
    {"magnesium sulfate", "magnesium", "ms"}."""
    names: set[str] = set()
    for intervention in arm["interventions"]:
        if intervention.get("background"):
            continue
        for name in (intervention.get("name"), intervention.get("substance")):
            if name and len(name) > 2:
                names.add(name.lower())
        said = intervention["evidence"][0] if intervention.get("evidence") else None
        if (said and said.get("role") != "sentence" and not arm.get("is_control") and 2 < len(said["text"]) <= 20
                and said["text"][0].isalpha() and " " not in said["text"]):
            names.add(said["text"].lower())  # the word the text uses for it: "TAM", "MgSO4", "CBT", "bupivacain"
    lowered = _lower_text(doc)
    text = None
    single = len([i for i in arm["interventions"] if not i.get("background")]) == 1
    if arm.get("is_control"):  # ("a wait-list control (WC)", "usual care (UC)": the control's abbreviation too)
        names.update(CONTROL_WORDS)
    for name in list(names):
        for opening in (name + " (", name + "("):  # every place the name is followed by a bracket, not only the first:
            at = lowered.find(opening)            # "docetaxel and capecitabine (TX)" after "capecitabine" was named before
            while at >= 0:
                if at == 0 or not lowered[at - 1].isalnum():
                    text = text or "\n".join(doc.fields[f] for f in doc.text_fields)  # (the offsets of ``_lower_text``)
                    abbreviation = ABBREVIATION_AFTER.match(text, at + len(name))
                    if abbreviation and abbreviation.group("abbr").lower() not in ("n", "mg", "iv", "im", "po") and not (
                            single and _regimen_before(text, at)):
                        names.add(abbreviation.group("abbr").lower())
                at = lowered.find(opening, at + 1)
    return names


# A group's name defined right after an arm in the arms sentence: "magnesium (group M)", "sotalol alone
# (80 mg twice daily) (group S)", "MgSO4 (M group)", "dexamethasone 0.1 mg/kg (group RD, n = 35)".
GROUP_LABEL = re.compile(r"\(\s*(?:group|arm)\s+(?P<a>[A-Z][A-Za-z0-9+-]{0,5}|\d{1,2})\s*[,;)]|"
                         r"\(\s*(?P<b>[A-Z][A-Z0-9+-]{0,5})\s+(?:group|arm)\s*[,;)]")
# Where the words said of one arm end: a comma, semicolon or choice outside brackets.
_CLAUSE_ENDS = (" or ", " versus ", " vs ", " vs. ", " and ", " compared ")


def _clause_after(text: str, at: int, limit: int = 250) -> str:
    """The words after ``text[at]`` that still speak of the same arm: up to the first comma,
    semicolon, "or", "versus" or "and" outside brackets (at most ``limit`` characters)."""
    depth, end = 0, min(len(text), at + limit)
    for index in range(at, end):
        char = text[index]
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)
        elif depth == 0 and (char in ",;" or char == "." and text[index + 1:index + 2] in (" ", "")
                             or char == " " and text.startswith(_CLAUSE_ENDS, index)):
            return text[at:index]
    return text[at:end]


# Where the words said of one arm end when commas may stand inside them: a semicolon or a choice.
_ARM_ENDS = (" or ", " versus ", " vs ", " vs. ", " compared ")


def _label_past_commas(text: str, at: int, limit: int = 250) -> re.Match | None:
    """A group's name said at the end of an arm's words that run on past commas ("a 10-mL bolus of
    A before emergence, followed by an infusion of 6 mL/h (PVB group), or saline (control group)"):
    the ``GROUP_LABEL`` match in the words after ``text[at]`` up to the first semicolon, "or",
    "versus" or full stop outside brackets, or None when no label is there or another substance is
    named before it (its label is that substance's arm's)."""
    depth, end = 0, min(len(text), at + limit)
    first = GROUP_LABEL.search(text, at, end)
    if first is None:  # (no label at all: the walk below is not needed)
        return None
    for index in range(at, first.start()):
        char = text[index]
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)
        elif depth == 0 and (char == ";" or char == "." and text[index + 1:index + 2] in (" ", "")
                             or char == " " and text.startswith(_ARM_ENDS, index)):
            return None  # the arm's words end before the label: it is another arm's
    match = first
    if match is None or substance_mentions(text[at:match.start()]):
        return None
    return match


def tested_group_names(arms_found: list[dict]) -> dict[int, set[str]]:
    """The words that name the one tested arm of a trial whose other arms are controls ("intervention
    group", "experimental group", "treatment group"): ``{id(arm): {...}}``; empty when no arm is a
    control or two or more arms are tested.

    Example: arms [yoga, wait-list control] -> {id(yoga arm): {"intervention group", ...}}."""
    tested = [a for a in arms_found if not a.get("is_control")]
    if len(tested) != 1 or len(tested) == len(arms_found):
        return {}
    return {id(tested[0]): set(TESTED_GROUP_WORDS)}


# A substance named with another, as one combination: "letrozole plus palbociclib", "A and B", "A + B", "A/B".
WITH_OTHER_BEFORE = re.compile(r"(?:\bplus|\band|\bwith|\+|/|-)\s*$", re.I)
WITH_OTHER_AFTER = re.compile(r"\s*(?:plus\b|and\b(?!\s+(?:\d|the\s+other|to\b))|with\b|\+|/|-(?=[a-z]))", re.I)
WITHOUT_BEFORE = re.compile(r"\b(?:without|no|not|free\s+of|minus)\s+$", re.I)
ALONE_AFTER = re.compile(r"\s+(?:alone|only|monotherapy)\b", re.I)


def _alone_arm(text: str, start: int, end: int, arms: list[dict]) -> dict | None:
    """The arm of one substance alone among ``arms`` (the arms that share the name at
    ``text[start:end]``: that substance alone and combinations holding it), when the text names it
    here by itself: "78 to anastrozole alone", "99 to docetaxel" (no other substance joined to it by
    "plus", "and", "with", "+" or "/"). None when no arm is that substance alone, or the name is
    joined to another ("ribociclib plus anastrozole")."""
    single = [a for a in arms if len([i for i in a["interventions"] if not i.get("background")]) == 1]
    if len(single) != 1:
        return None
    drug = next((i.get("substance") or i["name"]).lower() for i in single[0]["interventions"] if not i.get("background"))
    name = text[start:end]
    if name != drug and f"{drug} ({name})" not in text and f"{drug}({name})" not in text:
        return None  # (the drug's own name, or its abbreviation defined right after it: "tamoxifen (TAM)"; not an
        # abbreviation defined after a regimen that ends with the drug)
    if WITHOUT_BEFORE.search(text, max(0, start - 12), start):
        return None  # "one without dexamethasone (group C, n = 140)": the arm lacking it
    if ALONE_AFTER.match(text, end):
        return single[0]
    if WITH_OTHER_BEFORE.search(text, max(0, start - 7), start) or WITH_OTHER_AFTER.match(text, end):
        return None
    before = text[max(0, start - 30):start]
    if (mentions := substance_mentions(before)) and not DIGIT.search(before, mentions[-1].end):
        return None  # another substance right before it, no count between: the name may end a regimen
    rest = text[end:end + 120].split(". ")[0]
    if (mentions := substance_mentions(rest)) and not DIGIT.search(rest, 0, mentions[0].start):
        return None  # another drug named next with no count of its own between ("A plus B"; "140 patients ... to
        # receive A in group M, B in group O": a count before A may be everyone's)
    return single[0]


def dose_names(arm: dict, arms_found: list[dict]) -> set[str]:
    """Names of an arm of one substance at one dose when another arm has the same substance at
    another dose: the substance with the dose as written ("pregabalin 150 mg", "pregabalin 150mg"),
    lower case, so that "101 pregabalin 150 mg" sizes that dose's arm. Empty otherwise."""
    tested = [i for i in arm["interventions"] if not i.get("background")]
    if len(tested) != 1 or not tested[0].get("dose_text") or not tested[0].get("substance"):
        return set()
    substance = tested[0]["substance"]
    if not any(a is not arm and substance in {i.get("substance") for i in a["interventions"]} for a in arms_found):
        return set()
    written = DOSE_WRITTEN.match(tested[0]["dose_text"])
    if written is None:
        return set()
    amount, unit = written.group("amount"), written.group("unit").lower()
    return {f"{substance} {amount} {unit}", f"{substance} {amount}{unit}", f"{amount} {unit} {substance}",
            f"{amount}{unit} {substance}"}


DOSE_WRITTEN = re.compile(r"(?P<amount>\d+(?:\.\d+)?)\s*(?P<unit>mg|g|µg|μg|mcg|iu)\b", re.I)


def group_labels(doc: Document, arm: dict) -> set[str]:
    """The names the text gives an arm's group where it defines the arm ("sotalol alone (80 mg twice
    daily) (group S)" -> {"group s", "s group"}), lower case; empty when none is said, or when the
    arm's substances are said with different group names (a combination of two labelled arms).
    Read from the words after each tested substance's first evidence span up to the end of its
    clause (``_clause_after``)."""
    tested = [i for i in arm["interventions"] if not i.get("background") and i.get("evidence")]
    for which in (0, -1):  # the words after each name; else after the last words read ("both agents (group A+M)")
        labels: set[str] = set()
        for intervention in tested:
            said = intervention["evidence"][which]
            text = doc.fields[said["field"]]
            if said.get("role") == "sentence" or "(" not in text[said["end"]:said["end"] + 250]:
                continue
            window = text[said["end"]:said["end"] + 250]  # (what the clause can hold; GROUP_LABEL needs "group" or "arm")
            match = GROUP_LABEL.search(_clause_after(text, said["end"])) if "group" in window or "arm" in window else None
            if match is None and "group" in window.lower():
                match = _label_past_commas(text, said["end"])
            if match:
                labels.add((match.group("a") or match.group("b")).lower())
        if len(labels) == 1:
            (label,) = labels
            return {f"group {label}", f"{label} group"}
    return set()


# A group named by what it was given: "the control group was treated with budesonide", "children in the
# observation group were treated with salbutamol", "the MST group received magnesium sulfate".
GROUP_TREATED = re.compile(r"\bthe\s+(?P<name>[A-Za-z][\w-]*)\s+(?:group|arm)\s+(?:(?:was|were)\s+(?:\w+\s+)?(?:treated\s+with|"
                           r"given|administered)|received|got|took)\s", re.I)
# The size said after a group's name: "an observation group of 44 cases", "a control group with 42 patients".
GROUP_OF_AFTER = re.compile(rf"\s+(?:of|with|consisting\s+of|including)\s+(?P<n>{COUNT})\s+(?:cases|patients|subjects|"
                            r"participants|children|women|men|infants|volunteers)\b", re.I)


NAMED_GROUP_OF_AFTER = re.compile(r"[\s-](?:group|arm)" + GROUP_OF_AFTER.pattern, re.I)


def treated_group_names(doc: Document, arms_found: list[dict]) -> dict[int, set[str]]:
    """The group names the study's statements give arms by what each group was given ("the control
    group was treated with budesonide" names the budesonide arm "control group"): ``{id(arm):
    {"control group"}}``, lower case. The arm is the one whose tested substances hold the first
    substance named after the verb, in its clause; a name that fits no arm, or several, names none."""
    found: dict[int, set[str]] = {}
    if " group " not in _lower_text(doc) and " arm " not in _lower_text(doc):
        return found
    for sentence in sentences(doc):
        if "roup" not in sentence.text and " arm " not in sentence.text:
            continue
        for match in GROUP_TREATED.finditer(sentence.text):
            clause = _clause_after(sentence.text, match.end())
            mentions = substance_mentions(clause)
            if not mentions:  # a treatment no substance lexicon holds ("massage", "bupivacain"): as the arm wrote it
                lowered = clause.lower()
                owners = [a for a in arms_found if any(
                    i["evidence"] and i["evidence"][0]["text"].lower() in lowered
                    for i in a["interventions"] if not i.get("background") and len(i["evidence"][0]["text"]) > 3)]
            else:
                owners = [a for a in arms_found if mentions[0].substance in {
                    i["substance"] for i in a["interventions"] if not i.get("background")}]
            if len(owners) == 1:
                found.setdefault(id(owners[0]), set()).add(f"{match.group('name').lower()} group")
    return found


def _size_near(text: str, start: int, end: int, wholes: list | None = None) -> int | None:
    """A head count tied to the arm named at ``text[start:end]``, or None. Where the count is a part
    of everyone ("Most patients received A (41/43)": 41 of 43), the whole is appended to ``wholes``."""
    before = text[max(0, start - 120):start]
    match = N_BEFORE.search(before) if "=" in before[-30:] else None  # (first: in "n=11 A, n=10 B" the "n=10" is B's)
    if match is None:
        match = N_AFTER.match(text, end) or (PEOPLE_IN_BRACKET_AFTER.match(text, end) if "(" in text[end:end + 50] else None)
    if match is None and text[end - 5:end].lower() in ("group", "s arm", " arm") and (
            " of " in text[end:end + 4] or " with " in text[end:end + 6] or " includ" in text[end:end + 8]
            or " consist" in text[end:end + 8]):
        match = GROUP_OF_AFTER.match(text, end)  # "an observation group of 44 cases"
    if match is None and text.startswith((" group ", "-group ", " arm "), end) and (
            " of " in text[end:end + 10] or " with " in text[end:end + 12]):
        match = NAMED_GROUP_OF_AFTER.match(text, end)  # "an acupuncture group of 151 cases"
    if match is None and text.rfind("(", 0, start) > text.rfind(")", 0, start):  # inside a bracket
        match = PEOPLE_RIGHT_AFTER.match(text, end)  # "(HCT group 68 cases, CMFT group 68 cases)"
    tail = before[-60:]
    if match is None and "/" in tail[-25:]:
        match = FRACTION_BEFORE.search(before)  # "AF in 11.8% (6/51) in the S group": of 51
    if match is None and ("/" in tail or "of " in tail) and PART_OF.search(tail):
        match = NUMERATOR_BEFORE.search(tail) or DENOMINATOR_BEFORE.search(tail) or (
            OF_COUNT_BEFORE.search(before[-30:]) if PEOPLE_OF_ARM_AFTER.match(text, end) else None)
        # ("109 of 211 warfarin recipients": the people named after the arm tie the count to it)
        # "41 of 43 patients received A" (41), "2/23 patients treated with A", "(26 of 211) of A-treated" (23, 211)
    after = text[end:end + 25]
    if match is None and ("/" in after or " of " in after):
        match = DENOMINATOR_AFTER.match(text, end)  # "the A group (7/73)", "A (35 of 37, 95 per cent)"
        if match is not None and FRACTIONS_COMPARED.match(text, match.end()):
            match = None  # "the placebo group (20/24 patients vs. 10/19 patients)": the first is the other arm's
        if match is not None and "who " not in tail and GIVEN_BEFORE.search(tail):
            if wholes is not None:
                wholes.append(_count(match.group("n")))
            return _count(match.group("x"))  # "Most patients received A (41/43)": 41 received it
    if match is None and before.endswith(" in ") and text[start:end].lower().startswith("group ") and ALLOCATION.search(text):
        match = COUNT_IN_GROUP.search(before)  # "22 patients in group PVB" (not "three patients in group B were converted")
    if match is None and before.endswith("(") and text.startswith(")", end):
        match = COUNT_BEFORE_BRACKET.search(before)  # "53 patients receiving peritubal infiltration (study group)"
        if match is not None and match.group("n2"):
            return _count(match.group("n2"))  # "64 patients in group 3 (control group)"
    if match is None and any(cue in before[-40:] for cue in ALLOCATION_CUES) and not CHOICE_AFTER.match(text, end):
        match = COUNT_BEFORE.search(before)  # (not "Twenty rats received A or B": that count is everyone's)
        if match is not None and IN_THE_ARM.search(before, match.end("n")) and not PEOPLE_IN_THE_ARM.fullmatch(
                before, match.end("n")):
            match = None  # "19 deaths were observed in the treatment group": events, not the arm's people
        if match is not None and EVENT_AFTER.match(text, end) and not OF_BEFORE.search(before, 0, match.start()):
            match = None  # "Two subjects receiving A developed ...": the people an event befell (but "four of the
            # 99 patients in the A group had ...": the 99 are the arm)
    if match is None and text.startswith(" (", end):
        match = BARE_COUNT_AFTER.match(text, end)  # "assigned to receive vitamin D (40) or placebo (40)"
        match = match if match is not None and ALLOCATED_TO.search(text) else None
    if match and match.group("n").lower() == "one":
        return None  # "one received A, the other B": the pronoun, not a group of one
    if match:
        return _count(match.group("n"))
    listed = LISTED_COUNT.search(before[-30:]) or (BRACKET_LIST_FIRST.search(before[-30:]) if "(" in before[-30:] else None)
    if listed and not UNIT_AFTER.match(text, end) and ALLOCATION.search(text):
        return _count(listed.group("n"))  # "30 received A, 31 B and 29 placebo": the verb said once
    in_list = COUNT_AFTER_IN_LIST.match(text, end)
    if in_list is None and (text[start - 1:start] == "(" or text[start - 2:start] in (", ", "; ")) and (
            text.rfind("(", 0, start) > text.rfind(")", 0, start)):
        in_list = COUNT_AFTER_IN_BRACKET.match(text, end)  # "(tamoxifen 1238, placebo 1233)"
    if in_list and ALLOCATION.search(text):
        return _count(in_list.group("n"))  # "59 completed (amitriptyline, 27; placebo, 32)"
    if PEOPLE_AFTER.match(text, end) or text[start:end].lower().startswith("control"):
        match = COUNT_OF_PEOPLE.search(before[-40:])
        if match:
            return _count(match.group("n"))
    return None


# A part of the arms said before an arm's name: "for premenopausal women in the A arm", "among patients with
# diabetes receiving A", "in the subgroup of ...": a count there sizes that part, not the arm.
SUBGROUP_BEFORE = re.compile(r"\b(?:for|among)\s+(?:the\s+)?(?:[\w-]+\s+){1,3}?(?:women|men|patients|participants|subjects|"
                             r"children|adults)\s+(?:(?:with|aged|older|younger)\s+[^,;()]{1,40}?\s+)?(?:in|on|receiving|"
                             r"treated\s+with|given)\s+(?:the\s+)?[^.;]{0,60}$|\bsub(?:group|set)s?\b[^.;]*$", re.I)


def _subgroup(text: str, at: int) -> bool:
    """Whether the arm named at ``text[at]`` is spoken of through a part of its people (a subgroup,
    "for premenopausal women in the A arm"): a count tied to the name there is not the arm's size."""
    before = text[max(0, at - 100):at]
    return ("sub" in before or "for " in before or "among " in before) and SUBGROUP_BEFORE.search(before) is not None


# "120 patients ... were evenly divided into three groups": everyone shared equally between K arms.
EQUAL_SHARE = re.compile(rf"\b(?P<total>\d{{1,6}})\s+(?:[\w-]+\s+){{0,6}}?(?:were\s+)?(?:equally|evenly)\s+(?:divided|allocated|"
                         rf"assigned|randomi[sz]ed|distributed)\s+(?:in)?to\s+(?P<k>{COUNT})\s+(?:equal\s+)?(?:groups|arms)\b", re.I)


def _equal_share(doc: Document) -> int | None:
    """Each arm's size when the study shares everyone equally between K arms ("120 patients were
    evenly divided into three groups" -> 40), or None (not said, or not a whole number)."""
    for sentence in sentences(doc):
        match = EQUAL_SHARE.search(sentence.text) if sentence.field != "title" else None
        if match and _kind(doc, sentence) == "statement":
            total, k = _count(match.group("total")), _count(match.group("k"))
            if total and k and k >= 2 and total % k == 0:
                return total // k
    return None


# Two counts given to two arms in the order they are named, "respectively": "271 and 278 patients received A and B,
# respectively", "128 and 130 were randomised to A and B, respectively", "47 and 46 patients participated in the A
# and control groups, respectively" (never "disease evolution was seen in 54 and 49 patients in the A and B arm").
RESPECTIVE = re.compile(
    rf"(?<![\w.,/±:-])(?<!\bin\s)(?P<a>{COUNT})\s+and\s+(?P<b>{COUNT})\s+(?:(?!{UNIT_WORDS}\b)[A-Za-z][\w-]*\s+){{0,2}}?"
    r"(?:(?:were|was)\s+)?(?:randomi[sz]ed\s+to(?:\s+receive)?|assigned\s+to|allocated\s+to|received|participated\s+in|"
    r"(?:included|enrolled|analy[sz]ed)\s+in)\s+(?:the\s+)?(?P<names>[^.;()]{3,90}?),?\s+respectively\b", re.I)


def _respective_sizes(listed: list, unique: dict[str, dict]) -> list[tuple[dict, int]]:
    """(arm, size) pairs from sentences that give two arms two counts "respectively" (``RESPECTIVE``):
    the words after the verb split at their "and" or "or", each part naming one arm by a name of
    ``unique`` (lower case name -> arm). Empty when a part names no arm, both parts the same arm, or
    the sentence is a result."""
    found: list[tuple[dict, int]] = []
    for sentence in listed:
        if sentence.field == "title" or "respectively" not in sentence.text:
            continue
        for match in RESPECTIVE.finditer(sentence.text):
            parts = re.split(r"\s+(?:and|or|versus|vs\.?)\s+", match.group("names").lower(), maxsplit=1)
            if len(parts) != 2:
                continue
            owners = []
            for part in parts:
                named = {id(arm): arm for name, arm in unique.items() if _occurrences(part, name)}
                owners.append(next(iter(named.values())) if len(named) == 1 else None)
            a, b = _count(match.group("a")), _count(match.group("b"))
            if owners[0] is not None and owners[1] is not None and owners[0] is not owners[1] and a and b:
                found += [(owners[0], a), (owners[1], b)]
    return found


# Everyone shared between groups: "One hundred and forty patients were enrolled in four groups", "60 women were
# randomly divided into two equal groups": that count is no arm's.
SHARED_BETWEEN_GROUPS = re.compile(
    rf"(?<![\w.,/±:-])(?P<n>{COUNT})\s+(?:[\w-]+\s+){{0,4}}?(?:were\s+)?(?:randomly\s+)?(?:randomi[sz]ed|allocated|"
    r"assigned|divided|enrolled|distributed|included)\s+(?:(?:equally|randomly|evenly)\s+)?(?:in|into|to)\s+(?:one\s+of\s+)?"
    rf"(?:the\s+)?(?:{COUNT})\s+(?:equal\s+|treatment\s+|study\s+|parallel\s+)?(?:groups|arms)\b", re.I)


def _everyone(listed: list) -> set[int]:
    """The counts the study's sentences share between groups ("140 patients were enrolled in four
    groups"): everyone's, never one arm's."""
    found = set()
    for sentence in listed:
        if sentence.field != "title" and ("groups" in sentence.text or "arms" in sentence.text):
            for match in SHARED_BETWEEN_GROUPS.finditer(sentence.text):
                n = _count(match.group("n"))
                if n:
                    found.add(n)
    return found


def fill_arm_sizes(doc: Document, arms_found: list[dict]) -> None:
    """Set ``n`` of each arm (two or more arms) from a count tied to its name in the study's own
    statements ("magnesium (n = 12)", "214 to magnesium", "n=8 gabapentin", "20 controls"), the
    first such count in reading order winning over a size guessed from the arms sentence alone; arms
    still without a size take a size said of every arm ("20 patients per group"). Changes the arms
    in place; a count that would make two arms share a name is not used (ambiguous).

    Example: "Forty patients were randomized to magnesium (n = 21) or placebo (n = 19)." -> the
    magnesium arm's n 21, the placebo arm's n 19."""
    if len(arms_found) < 2:
        return
    treated = treated_group_names(doc, arms_found)
    generic = tested_group_names(arms_found)
    named = [(arm, arm_names(doc, arm) | group_labels(doc, arm) | treated.get(id(arm), set()) | generic.get(id(arm), set())
              | dose_names(arm, arms_found)) for arm in arms_found]
    owners: dict[str, list[dict]] = {}
    for arm, names in named:
        for name in names:
            owners.setdefault(name, []).append(arm)
    unique = {name: arms[0] for name, arms in owners.items() if len(arms) == 1}  # (none: sizes said of every arm only)
    shared = {name: arms for name, arms in owners.items() if len(arms) > 1}  # "letrozole" of "letrozole alone" and "A plus letrozole"
    lowered = _lower_text(doc)  # the fields joined by "\n", lower case: one search per name for the record
    base, bases = 0, {}
    for name in doc.text_fields:
        bases[name] = base
        base += len(doc.fields[name]) + 1
    if len(lowered) != base - 1:  # a letter whose lower case is longer ("İ"): lower case letter by letter
        lowered = "\n".join("".join(c.lower() if len(c.lower()) == 1 else c for c in doc.fields[f])
                             for f in doc.text_fields)
    hits_by_sentence: dict[int, list] = {}
    starts = [bases[s.field] + s.start for s in sentences(doc)]
    for name, arm in unique.items():
        for at, end in _occurrences(lowered, name):
            index = bisect.bisect_right(starts, at) - 1
            hits_by_sentence.setdefault(index, []).append((at, end, arm))
    alone_hits: dict[int, list] = {}  # a name several arms share, said of the arm of that substance alone
    for name, arms in shared.items():  # (read after every other name: "letrozole alone" only sizes what is left)
        if name in CONTROL_WORDS or name in TESTED_GROUP_WORDS:
            continue
        for at, end in _occurrences(lowered, name):
            arm = _alone_arm(lowered, at, end, arms)
            if arm is not None:
                index = bisect.bisect_right(starts, at) - 1
                alone_hits.setdefault(index, []).append((at, end, arm))
    sized: dict[int, int] = {}
    whole_of: dict[int, int] = {}  # arm -> everyone, where its count was said as a part of everyone
    every_arm = None
    listed = sentences(doc)
    for found in (hits_by_sentence, alone_hits):
        for index in sorted(found):  # (only the sentences that name an arm)
            sentence = listed[index]
            if sentence.field == "title" or not _may_count(sentence.text):
                continue  # (a sentence with no figure and no number word sizes nothing: a third of the names read)
            offset = starts[index]
            hits = sorted((at - offset, end - offset, arm) for at, end, arm in found[index])
            for at, end, arm in hits:
                if id(arm) in sized or any(a < at < e for a, e, _ in hits):
                    continue  # (sized already, or inside a longer name: "magnesium" in "magnesium sulfate")
                wholes: list = []
                n = _size_near(sentence.text, at, end, wholes)
                if n is not None and _subgroup(sentence.text, at):
                    continue  # "for premenopausal women in the A arm (n = 72)": a part of the arm, not the arm
                if n is not None and _kind(doc, sentence) == "statement":
                    sized[id(arm)] = n
                    if wholes and wholes[0] and wholes[0] > n:
                        whole_of[id(arm)] = wholes[0]
    if "respectively" in lowered and len(sized) < len(arms_found):
        for arm, n in _respective_sizes(listed, unique):
            if id(arm) not in sized:
                sized[id(arm)] = n
    if every_arm is None and ("equally" in lowered or "evenly" in lowered):
        every_arm = _equal_share(doc)
    if any(cue in lowered for cue in EVERY_ARM_CUES):
        for sentence in listed:
            whole = EVERY_ARM.search(sentence.text) if sentence.field != "title" else None
            if whole is None and sentence.field != "title" and " each" in sentence.text and "s with " in sentence.text:
                whole = GROUPS_WITH_EACH.search(sentence.text)
            if whole and ALLOCATION.search(sentence.text) and not PLANNED.search(sentence.text) and (
                    _kind(doc, sentence) == "statement"):
                every_arm = _count(next(g for g in whole.groups() if g))
                break
    everyone = _everyone(listed) if "group" in lowered or " arms" in lowered else set()
    for arm in arms_found:
        if id(arm) in sized:
            arm["n"] = sized[id(arm)]
        elif arm["n"] is not None and arm["n"] in everyone:
            arm["n"] = every_arm  # "140 patients were enrolled in four groups to receive A, ...": everyone, no arm
        elif arm["n"] is None and every_arm is not None:
            arm["n"] = every_arm
    unsized = [a for a in arms_found if a["n"] is None]
    if len(arms_found) == 2 and len(unsized) == 1 and whole_of:  # "Most received A (41/43)": the other 2 had B
        (part,) = [a for a in arms_found if a["n"] is not None]
        if id(part) in whole_of:
            unsized[0]["n"] = whole_of[id(part)] - part["n"]


# Speed: the patterns searched most often, behind a look-ahead of the characters they can start
# with (``fastre.led``: the same matches, found faster). Kept last, to cover whatever they become.
from .fastre import led  # noqa: E402

EVERY_ARM, COUNT_BEFORE, N_AFTER, LISTED_COUNT = map(led, (EVERY_ARM, COUNT_BEFORE, N_AFTER, LISTED_COUNT))
