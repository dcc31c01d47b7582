"""What kind of statement a sentence is: a result or a method the study reports, or something else
that must never be read as one (an objective, a hypothesis, background from other work,
speculation, advice, a wish for future studies).

Rule of the house: design cues, arms and outcomes are read from statements only; a sentence of
any other kind may still name a measure or a substance, but says nothing about this study.
"""

from __future__ import annotations

import re

from .fastre import holds_any

# Future work, advice and speculation: "need to be performed", "should be treated", "would likely",
# "may play a role", "further studies are warranted".
WISH = re.compile(
    r"\b(?:needs?\s+to\s+be|need(?:ed)?\s+to\s+(?:be|confirm|determine|clarify)|should\s+(?:be|receive|consider|take)|"
    r"further\s+(?:\w+\s+)?(?:studies|research|investigations?|trials?|evaluation|work)|future[\s,]+(?:[\w-]+[\s,]+){0,2}"
    r"(?:studies|research|trials?)|(?:are|is)\s+(?:needed|warranted|required)|would\s+(?:likely|probably|be)|"
    r"may\s+(?:play|be\s+(?:a|an|useful|helpful|beneficial|of))|might|could\s+(?:constitute|be\s+(?:a|an|used|useful))|"
    r"we\s+(?:recommend|suggest)|is\s+recommended|will\s+be\s+explored|"
    r"remains?\s+to\s+be\s+(?:determined|established|elucidated|clarified|investigated|explored|confirmed|seen|shown)|"
    r"it\s+is\s+(?:important|essential|necessary|advisable|prudent|crucial)\s+to)\b", re.I)
# The study's aim or hypothesis: what it set out to learn, not what it found. A heading opens the
# sentence (``OBJECTIVE_HEADING``, matched at its start) or words say it anywhere (``OBJECTIVE_WORDS``);
# ``OBJECTIVE`` is the two as one pattern. (Apart, the words are searched behind a narrow set of first
# letters: a heading's leading white space would let every space in.)
OBJECTIVE_HEADING = re.compile(
    r"\s*(?:objectives?|aims?|purpose|background|introduction|hypothesis|context|rationale)"
    r"(?:\s*(?:/|and|&)\s*\w+)?\s*[:.]", re.I)
OBJECTIVE_WORDS = re.compile(
    r"\b(?:study|trial|review|work|analysis)\s+(?:was\s+|is\s+)?(?:designed|aimed|intended|conducted)\s+to\s+"
    r"(?:investigate|evaluate|assess|determine|compare|examine|test|explore|study|measure|describe|analy[sz]e|"
    r"quantify|identify|clarify|characteri[sz]e|establish|estimate|verify)\b|"
    r"\b(?:the\s+|our\s+)?(?:aims?|objectives?|purpose|goal)\s+(?:of\s+(?:this|the\s+present|our)\s+(?:\w+\s+)?"
    r"(?:study|trial|review|work)\s+(?:was|is)|was|is)\s+to\b|\bour\s+study\s+aims?\b|\baims?\s+at\b|"
    r"\bwe\s+(?:hypothesi[sz]ed|aimed|sought|set\s+out)\b|\bto\s+(?:test|examine|explore|evaluate)\s+the\s+hypothesis\b|\bto\s+(?:determine|assess|evaluate|investigate|examine|"
    r"compare|test)\s+whether\b|\bwhether\s+(?:or\s+not\s+)?\w+", re.I)
OBJECTIVE = re.compile(f"^{OBJECTIVE_HEADING.pattern}|{OBJECTIVE_WORDS.pattern}", re.I)
# Background: what other work found or what is known, told before the study's own methods.
BACKGROUND = re.compile(
    r"\b(?:is|are)\s+known\s+to\b|\bit\s+is\s+known\b|\bhas\s+been\s+(?:shown|reported|suggested|proposed|found|"
    r"used|drawn)|\bhave\s+(?:been\s+)?(?:shown|suggested|reported|found)\b|\b(?:studies|reports|observations|"
    r"trials|evidence)\s+(?:have\s+)?(?:indicate|suggest|show|report)\w*|\banecdotal\b|\bthere\s+is\s+evidence\b|"
    r"\bis\s+(?:an?\s+)?(?:essential|physiological|natural|common|known)\b|\bplays?\s+a\s+(?:\w+\s+)?role\b|"
    r"\bis\s+(?:often|usually|frequently|commonly)\b|\bin\s+the\s+literature\b", re.I)
# What can happen in general: "a deficit of X can contribute to this imbalance" (kept apart from
# ``BACKGROUND``, and run only on a sentence that says "contribute", "lead to" or "give rise").
CAN_LEAD_TO = re.compile(r"\b(?:can|may|might|could)\s+(?:\w+\s+)?(?:contribute|lead|give\s+rise)\s+to\b", re.I)
# A structured abstract's objective printed without its heading: "To compare the efficacy of ..." (matched
# at the sentence's start only).
HEADLESS_OBJECTIVE = re.compile(r"\s*To\s+(?:investigate|evaluate|assess|determine|compare|examine|test|explore|study|"
                                r"measure|describe|analy[sz]e|quantify|identify|clarify|characteri[sz]e|establish|"
                                r"estimate|verify|report|review|summari[sz]e|find\s+out|see|observe|look)\b", re.I)


# Substrings one of which each kind's pattern needs: a cheap test before the regex (most sentences
# are none of these).
WISH_NEEDLES = ("need", "should", "further", "future", "warrant", "requir", "would", "may ", "might", "could",
                "recommend", "suggest", "will be", "it is ", "remain")
BACKGROUND_NEEDLES = ("known", "been", "have ", "indicat", "suggest", "show", "report", "anecdotal", "evidence",
                      " is ", "play", "literature")
OBJECTIVE_NEEDLES = ("objective", "aim", "purpose", "goal", "background", "introduction", "hypothes", "context",
                     "rationale", "we ", "sought", "set out", "to determine", "to assess", "to evaluate",
                     "to investigate", "to examine", "to compare", "to test", "whether", "designed", "intended",
                     "conducted to")


def kind_of(text: str) -> str:
    """"wish", "background", "objective" or "statement", in that order of precedence."""
    lowered = text.lower()
    if holds_any(lowered, WISH_NEEDLES) and WISH.search(text):
        return "wish"
    if holds_any(lowered, BACKGROUND_NEEDLES) and BACKGROUND.search(text):
        return "background"
    if ("contribute" in lowered or "lead to" in lowered or "give rise" in lowered) and CAN_LEAD_TO.search(text):
        return "background"
    if holds_any(lowered, OBJECTIVE_NEEDLES) and is_objective(text):
        return "objective"
    if lowered[:4].lstrip().startswith("to ") and HEADLESS_OBJECTIVE.match(text):
        return "objective"
    if text[:2].isupper() and CAPS_HEADING.match(text):
        return "objective"  # "BACKGROUND AND OBJECTIVES Magnesium reduces ...": a heading without its colon
    return "statement"


# A background or objective heading in capitals with no colon, as tokenised corpora and some
# PubMed records give it ("BACKGROUND AND OBJECTIVES Magnesium ...", "OBJECTIVE To compare ...").
CAPS_HEADING = re.compile(r"\s*(?:BACKGROUND|INTRODUCTION|CONTEXT|RATIONALE|OBJECTIVES?|AIMS?|PURPOSE|HYPOTHESIS)"
                          r"(?:\s+(?:AND|&)\s+[A-Z]+)?\b(?!\s*:)")


def is_wish(text: str) -> bool:
    """True for advice, speculation and future work ("should be treated with", "would likely")."""
    return WISH.search(text) is not None


def is_objective(text: str) -> bool:
    """True for an aim, objective or hypothesis ("to determine whether magnesium improves ...")."""
    return OBJECTIVE_HEADING.match(text) is not None or OBJECTIVE_WORDS.search(text) is not None


def is_background(text: str) -> bool:
    """True for what is known or was found elsewhere ("magnesium is known to block ...")."""
    return BACKGROUND.search(text) is not None


def is_statement(text: str) -> bool:
    """A sentence that reports this study's methods or findings: not a wish, an objective or background."""
    return not (is_wish(text) or is_objective(text) or is_background(text))


# A method sentence that names the measures ("Efficacy measures included the HAMD17 and the Patient
# Global Impression of Improvement", "The primary outcome was pain intensity", "Pain and fatigue
# were assessed at baseline and at 8 weeks"): a direction word in it belongs to an instrument's
# name or to a plan, never to a result.
MEASURES_LISTED = re.compile(
    r"\b(?:(?:primary|secondary|main|efficacy|safety|outcome|study)\s+(?:outcome\s+)?(?:measures?|outcomes?|endpoints?|"
    r"variables?|parameters?|assessments?)\s+(?:included|includes|were|was|comprised|consisted)|"
    r"(?:was|were)\s+(?:assessed|measured|recorded|evaluated|collected|documented|monitored|obtained)\s+"
    r"(?:at|before|after|every|weekly|daily|monthly|using|with|by|on|through|via|during)\b)", re.I)
# A list of the measures ("Outcome measures included ...", "Secondary endpoints comprised ...").
MEASURES_INCLUDED = re.compile(r"\b(?:measures?|outcomes?|endpoints?|variables?|parameters?|assessments?)\s+"
                               r"(?:included|includes|comprised|consisted\s+of)\b", re.I)
# A change word used as an adjective before the measure it hopes for ("improved physical function",
# "reduced stiffness"): not a result when the sentence lists the measures.
PLANNED_CHANGE = re.compile(r"\b(?:improved|reduced|decreased|increased|lower|higher|better)\s+"
                            r"(?!(?:and|or|in|with|by|from|to|after|than|at|on|for|over|during|significantly|"
                            r"was|were|the|a|an|both)\b)(?=[a-z])", re.I)
# What a result sentence holds that a method sentence does not.
RESULT_MARK = re.compile(r"\bp\s*[<=>≤]|signific|differ|\b(?:improved|reduced|decreased|increased|lower|higher|fell|rose|"
                         r"unchanged|similar|better|worse)\b", re.I)


def lists_measures(text: str) -> bool:
    """Whether a sentence names the study's measures as its method ("Outcome measures included
    ...", "... were assessed at baseline and 8 weeks") without reporting any result: no p-value,
    no "significant", no "differ", no direction verb outside an instrument's name.

    >>> lists_measures("Efficacy measures included the Clinical Global Impression of Improvement.")
    True
    >>> lists_measures("Pain scores were assessed at 8 weeks and were lower with magnesium (p = 0.02).")
    False"""
    lowered = text.lower()
    if " were " not in lowered and " was " not in lowered and "include" not in lowered and "compris" not in lowered \
            and "consist" not in lowered:
        return False  # (the verbs the pattern needs, tested first)
    if not MEASURES_LISTED.search(text):
        return False
    # an instrument's name ("Impression of Improvement", "Patient Global Impression of Change") is no result
    rest = re.sub(r"\bimpression\s+of\s+(?:\w+\s+){0,2}\w+|\bimpression[\s-]+(?:improvement|change)", " ", text, flags=re.I)
    if RESULT_MARK.search(rest) is None:
        return True
    # "Primary efficacy measures included pain relief and improved physical function": a list of the
    # measures says what was hoped for ("improved", "reduced" before a measure), not what was found
    return MEASURES_INCLUDED.search(text) is not None and RESULT_MARK.search(PLANNED_CHANGE.sub(" ", rest)) is None


# The first sentence that speaks of the study itself: its aim, its methods, its people, its design.
# In an abstract without headings, what comes before it is background ("Chronic pain is a highly
# prevalent problem ...", "It reduces the neuropathic pain response in animals ...").
# (An opening that names the study's people or a section, matched at the sentence's start, or words
# anywhere; apart, so that the words are searched behind a narrow set of first letters.)
STUDY_OPENING = re.compile(
    r"\s*(?:(?:methods?|design|patients|participants|subjects|setting|results?|objectives?|aims?|purpose)\s*[:.]|"
    r"(?:a|an)\s+(?:total\s+of\s+)?(?:\d+|[a-z]+-?[a-z]*)\s+(?:patients|women|men|subjects|participants)|"
    r"(?:\d+|[A-Z][a-z]+(?:-[a-z]+)?)\s+(?:\w+\s+){0,4}(?:patients|women|men|subjects|participants|volunteers|"
    r"children|adults|rats|mice)\b)", re.I)
STUDY_WORDS = re.compile(
    r"\b(?:we|the\s+present|here|in\s+the\s+present)\b|\bthis\s+(?:[\w-]+\s+){0,3}?(?:study|trial|work|analysis|"
    r"investigation|report|paper|article|review|experiment|research|cohort|sample|pilot|project|survey|protocol|"
    r"population|series|case|patient|design)\b|\bour\s+(?:[\w-]+\s+)?(?:study|trial|patients|"
    r"results|data|findings|aims?|objectives?|purpose|hypothes[ie]s|analys[ie]s|work|sample|cohort|participants|subjects|"
    r"experience|investigation|series|review|survey|institution|centre|center|hospital|clinic|unit|department)\b|\brandomi[sz]|\benrol|\bwere\s+(?:included|studied|"
    r"recruited|selected|assigned|evaluated|examined|divided|enrolled|treated|given|measured)|"
    r"\b(?:aims?|objectives?|purpose)\b|\b(?:trial|placebo|blind\w*|cross-?over|cohort|case-control)\b", re.I)
BACKGROUND_HEADING = re.compile(r"^\s*(?:background|introduction|context|rationale)(?:\s*(?:/|and|&)\s*\w+)?\s*:", re.I)


def leading_background(texts: list[str]) -> int:
    """How many of an abstract's first sentences are background: those before the first sentence
    that speaks of the study (``STUDY_OPENING``, ``STUDY_WORDS``), or under a Background heading. 0 when the first
    sentence already speaks of the study; 0 as well when no sentence does (nothing to go by)."""
    for index, text in enumerate(texts):
        if BACKGROUND_HEADING.match(text):
            continue
        if STUDY_OPENING.match(text) or STUDY_WORDS.search(text):
            return index
    return 0


# --- phases of a multi-phase trial ------------------------------------------------------------------

# A sentence that opens an open (unblinded) phase after the blinded one: "In a following open-label
# phase ...", "During the open extension ...", "After unblinding, ...".
OPEN_PHASE = re.compile(r"\bopen[\s-]*(?:label)?\s+(?:phase|extension|period|part|follow-up|continuation)\b|"
                        r"\b(?:extension|continuation)\s+(?:phase|period|study)\b|\bafter\s+unblinding\b|"
                        r"\bunblinded\s+(?:phase|extension|period)\b", re.I)
# A sentence that speaks of the blinded comparison again, or a new section: the open phase is over.
BLINDED_AGAIN = re.compile(r"\bblind\w*|\bplacebo\b|\brandomi[sz]ed\s+phase\b|^\s*(?:conclusions?|interpretation)\s*:",
                           re.I)


def phase_of_sentences(texts: list[str]) -> list[str | None]:
    """The phase each sentence of an abstract speaks of, as the words that opened it, or None for
    the main (blinded, randomised) comparison.

    A multi-phase trial (a blinded phase, then an open-label phase) reports each phase's results in
    turn: the open phase is named once ("In a following open-label phase ...") and the sentences
    after it, until one speaks of the blinded comparison again ("placebo", "blind") or a
    conclusion begins, are about that phase too. Source: CONSORT 2010 item 14 (each period of a
    trial reported apart) and the open-extension designs common in fibromyalgia trials.

    Example: ["Pain did not differ from placebo.", "An open-label extension followed.",
    "Pain fell by 30%."] -> [None, "open-label extension", "open-label extension"]."""
    phases: list[str | None] = []
    current = None
    for text in texts:
        lowered = text.lower()
        opened = OPEN_PHASE.search(text) if ("open" in lowered or "extension" in lowered or "continuation" in lowered
                                             or "unblind" in lowered) else None
        if opened:
            current = opened.group(0).strip()
        elif current and BLINDED_AGAIN.search(text):
            current = None
        phases.append(current)
    return phases


# Speed: the patterns searched most often, behind a look-ahead of the characters they can start
# with (``fastre.led``: the same matches, found faster). Kept last, to cover whatever they become.
from .fastre import led  # noqa: E402

WISH, OBJECTIVE, OBJECTIVE_WORDS, BACKGROUND, STUDY_WORDS = map(led, (WISH, OBJECTIVE, OBJECTIVE_WORDS, BACKGROUND,
                                                                   STUDY_WORDS))
MEASURES_LISTED, RESULT_MARK = map(led, (MEASURES_LISTED, RESULT_MARK))
