"""What kind of statement a sentence is: a result or a method the study reports, or something else
that must never be read as one (an objective, a hypothesis, background from other work,
speculation, advice, a wish for future studies).

Rule of the house: design cues, arms and outcomes are read from statements only; a sentence of
any other kind may still name a measure or a substance, but says nothing about this study.
"""

from __future__ import annotations

import re

# Future work, advice and speculation: "need to be performed", "should be treated", "would likely",
# "may play a role", "further studies are warranted".
WISH = re.compile(
    r"\b(?:needs?\s+to\s+be|need(?:ed)?\s+to\s+(?:be|confirm|determine|clarify)|should\s+(?:be|receive|consider|take)|"
    r"further\s+(?:\w+\s+)?(?:studies|research|investigations?|trials?|evaluation|work)|future\s+(?:\w+\s+)?"
    r"(?:studies|research|trials?)|(?:are|is)\s+(?:needed|warranted|required)|would\s+(?:likely|probably|be)|"
    r"may\s+(?:play|be\s+(?:a|an|useful|helpful|beneficial|of))|might|could\s+(?:constitute|be\s+(?:a|an|used|useful))|"
    r"we\s+(?:recommend|suggest)|is\s+recommended|will\s+be\s+explored)\b", re.I)
# The study's aim or hypothesis: what it set out to learn, not what it found.
OBJECTIVE = re.compile(
    r"^\s*(?:objectives?|aims?|purpose|background|introduction|hypothesis|context|rationale)\s*[:.]|"
    r"\b(?:the\s+|our\s+)?(?:aims?|objectives?|purpose|goal)\s+(?:of\s+(?:this|the\s+present|our)\s+(?:\w+\s+)?"
    r"(?:study|trial|review|work)\s+(?:was|is)|was|is)\s+to\b|\bour\s+study\s+aims?\b|\baims?\s+at\b|"
    r"\bwe\s+(?:hypothesi[sz]ed|aimed|sought|set\s+out)\b|\bto\s+(?:determine|assess|evaluate|investigate|examine|"
    r"compare|test)\s+whether\b|\bwhether\s+(?:or\s+not\s+)?\w+", re.I)
# Background: what other work found or what is known, told before the study's own methods.
BACKGROUND = re.compile(
    r"\b(?:is|are)\s+known\s+to\b|\bit\s+is\s+known\b|\bhas\s+been\s+(?:shown|reported|suggested|proposed|found|"
    r"used|drawn)|\bhave\s+(?:been\s+)?(?:shown|suggested|reported|found)\b|\b(?:studies|reports|observations|"
    r"trials|evidence)\s+(?:have\s+)?(?:indicate|suggest|show|report)\w*|\banecdotal\b|\bthere\s+is\s+evidence\b|"
    r"\bis\s+(?:an?\s+)?(?:essential|physiological|natural|common|known)\b|\bplays?\s+a\s+(?:\w+\s+)?role\b|"
    r"\bis\s+(?:often|usually|frequently|commonly)\b|\bin\s+the\s+literature\b", re.I)


def is_wish(text: str) -> bool:
    """True for advice, speculation and future work ("should be treated with", "would likely")."""
    return WISH.search(text) is not None


def is_objective(text: str) -> bool:
    """True for an aim, objective or hypothesis ("to determine whether magnesium improves ...")."""
    return OBJECTIVE.search(text) is not None


def is_background(text: str) -> bool:
    """True for what is known or was found elsewhere ("magnesium is known to block ...")."""
    return BACKGROUND.search(text) is not None


def is_statement(text: str) -> bool:
    """A sentence that reports this study's methods or findings: not a wish, an objective or background."""
    return not (is_wish(text) or is_objective(text) or is_background(text))
