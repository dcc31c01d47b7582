"""Outcomes: the results a record reports, one per measure, with direction, significance,
p-value, the population a result is about and its evidence sentence."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from . import lexicon as lx
from . import measures as ms
from .text import Document, Sentence, _kind, _lower_text, sentence_span, sentences, span
from .design import REVIEW_TYPES
from .arms import substance_mentions
from .direction_model import decide_undirected
from .result_sentence_model import armless_result_sentences, reads_armless_trials, vetoes
from .statements import lists_measures, phase_of_sentences


# --- outcomes -------------------------------------------------------------------------------------

PAIN_MODIFIES = re.compile(r"[\s-]+(?:paroxysms?|relief|free|frequenc\w*|killers?|medications?|clinics?|catastrophi\w*|clusters?|"
                           r"subscales?|components?|domains?|dimensions?|items?|"
                           r"behaviou?rs?|syndromes?|conditions?|attacks?|episodes?|days?|flares?|treatments?|management)\b", re.I)
DOWN_WORD = re.compile(r"(?:reduc|decreas|lower|fell|fall|diminish|declin|drop|fewer)", re.I)
BOTH_GROUPS = re.compile(r"\b(?:both|all|each\s+of\s+the)\s+(?:two\s+|three\s+)?groups\b|\bin\s+both\b", re.I)
COMBINATION_WORDS = re.compile(r"\b(?:combination|combined|pairing|both\s+(?:drugs|treatments|agents))\b", re.I)
CLAUSE_BOUNDARY = re.compile(r";|,?\s+(?:but|whereas|while|although|however)\s+|\s+and\s+(?=(?:the\s+)?(?:other|all|no)\b)", re.I)
# The clause bounds of a result (``CLAUSE_BOUNDARY``, and ", despite": "X was lower, despite no difference
# in Y" is two results); with the words one of which a sentence needs for any bound but ";" to be run.
RESULT_BOUNDARY = re.compile(CLAUSE_BOUNDARY.pattern + r"|,\s+(?:despite|in\s+spite\s+of)\s+", re.I)
BOUNDARY_WORDS = ("but", "whereas", "while", "although", "however", "despite", "spite")
AND_OTHER = re.compile(r"\band\s+(?:the\s+)?(?:other|all|no)\b", re.I)  # (a pre-test for the bound before "and other")
RESULT_CLAUSE_WORDS = ("but", "whereas", "while", "although", "however")
EXCEPT = re.compile(r"(?:except|but\s+not|apart\s+from|other\s+than)\s+(?:for\s+)?(?:the\s+)?$", re.I)


@dataclass(frozen=True)
class _Found:
    """A measure found by ``measures.generic_measures``, shaped like a regex match for ``_outcome``."""

    begin: int
    stop: int
    label: str

    def start(self) -> int:
        """Where the measure starts in the sentence."""
        return self.begin

    def end(self) -> int:
        """Where the measure ends in the sentence."""
        return self.stop

    def group(self, _index: int = 0) -> str:
        """The measure's label (what ``re.Match.group(0)`` gives for a fixed-vocabulary measure)."""
        return self.label


def outcomes(doc: Document, arm_list: list[dict], study_design: dict | None = None) -> list[dict]:
    """The results the record reports, one per measure: direction (improved, worsened, no_change)
    against the comparator where there is one, else against baseline; significance and p-value;
    the evidence sentence.

    Read from the study's own result statements only (never an objective, background, a wish or
    the title), for records that give a treatment (arms), pool trials (reviews) or expose animals;
    a record with no arm otherwise (a comparison of levels, a survey) has no treatment result
    (nor a trial whose arms were not found, unless ``result_sentence_model.reads_armless_trials``).
    Where turned on, the result-sentence model sets aside the sentences it is sure report no result
    (``result_sentence_model.vetoes``; off by default).
    Measures are the fixed vocabulary of ``lexicon.MEASURES`` first, then any measure a result
    clause says changed (``measures.generic_measures``: "migraine days", "cramp frequency")."""
    design_type = (study_design or {}).get("type")
    if design_type == "protocol":
        return []  # a protocol's or registry record's outcomes are planned, not results
    armless = not arm_list and design_type not in REVIEW_TYPES and (study_design or {}).get("subjects") != "animal"
    if armless and (design_type not in TRIAL_TYPES or not reads_armless_trials()):
        return []  # (a trial whose arms the rules missed: read only where turned on, with the model)
    armless_reads = _armless_result_sentences(doc) if armless else None
    found: dict[str, dict] = {}
    in_conclusion = False
    names_any = _names_instruments(doc)  # (one test of the whole record spares most sentences theirs)

    for sentence in sentences(doc):
        if sentence.field == "title":
            continue
        heading = (SECTION_HEADING.match(sentence.text) if sentence.text.find(":", 0, 80) > 0 else None) or (
            CAPITAL_HEADING.match(sentence.text) if sentence.text[:2].isupper() else None) or (
            PERIOD_HEADING.match(sentence.text) if len(sentence.text) < 32 else None)
        if heading:
            in_conclusion = heading.group("name").lower().startswith(("conclusion", "interpretation"))
        elif sentence.field == "abstract" and sentence.start >= _conclusion_paragraph(doc):
            # the last paragraph of a structured abstract printed without its headings; a sentence there
            # that gives figures ("(p = 0.02)", "21% vs 35%") is a result all the same
            in_conclusion = FIGURES.search(sentence.text) is None
        if in_conclusion and any(o["direction"] for o in found.values()):
            continue  # a structured abstract's conclusion restates its results: it adds no measure
        if armless_reads is not None and (sentence.field, sentence.start) not in armless_reads:
            continue  # (a trial whose arms were not found: only the sentences the model calls results)
        lowered = sentence.text.lower()
        known = _holds(lowered, lx.MEASURE_NEEDLES)
        named = names_any and (ms.holds_named(sentence.text, lowered) or _holds_defined(doc, sentence.text))
        known = known or named
        generic = (_holds(lowered, GENERIC_NEEDLES) or ("differ" in lowered and NOT_DIFFER.search(sentence.text))
                   if sentence.text.isascii() else GENERIC_NEEDLE.search(sentence.text))
        narrow = not generic and (("no " in lowered and _holds(lowered, NULL_NEEDLES)) or (
            "fewer " in lowered and _holds(lowered, PEOPLE_NEEDLES)) or (
            ("than" in lowered or "compar" in lowered or "versus" in lowered or " vs" in lowered)
            and _holds(lowered, COMPARATIVE_NEEDLES)))
        generic = generic or narrow
        if ("tolerat" in lowered or "adverse" in lowered or "side effect" in lowered or "side-effect" in lowered) \
                and "tolerability" not in found and _kind(doc, sentence) == "statement":
            _tolerability(doc, sentence, arm_list, found)
        if " all " in lowered and ("case" in lowered or "episode" in lowered or "event" in lowered) \
                and _kind(doc, sentence) == "statement":
            _all_in_one_arm(doc, sentence, arm_list, found)
        subject = ms.subject_measure(sentence.text) if not (known or generic) and _may_say_of_subject(lowered) else None
        if (known or generic or subject) and not armless and vetoes(sentence.text):
            continue  # the learned result-sentence model says this is no result (objective, method, background)
        if not (known or generic or subject) or _kind(doc, sentence) != "statement":
            continue  # (the cheap tests first: most sentences report no result)
        if "when " in lowered and ASSOCIATION.search(sentence.text):
            continue  # "milk was higher in iron when ferritin was higher": an association, not a treatment's result
        if lists_measures(sentence.text):
            continue  # "Efficacy measures included the ... Impression of Improvement": methods, not a result
        if found and any(o["direction"] for o in found.values()) and _general_claim(sentence.text):
            continue  # "Soy shakes provide a decrease in symptoms": a conclusion said in the present, no new result
        taken: list[tuple[int, int]] = []
        if "greater" in lowered or "larger" in lowered or "bigger" in lowered:
            _change_scores(doc, sentence, arm_list, found, taken)
        if named:
            _named_outcomes(doc, sentence, arm_list, found, taken)
        if known:
            _known_outcomes(doc, sentence, arm_list, found, taken)
        if generic:
            _generic_outcomes(doc, sentence, arm_list, found, taken, narrow)
        if not taken and (subject or (known or generic) and _may_say_of_subject(lowered)):
            _subject_outcomes(doc, sentence, arm_list, found, taken, subject)
        if lowered.count(" was ") + lowered.count(" were ") > 1 and ", " in sentence.text \
                and FIGURES_CLAUSE.search(sentence.text):  # (a later clause has a predicate of its own)
            _later_subjects(doc, sentence, arm_list, found)
        if not taken and (known or generic) and _holds(lowered, ms.PEOPLE_COUNT_NEEDLES) and _holds(lowered, PEOPLE_NEEDLES):
            _people_outcomes(doc, sentence, arm_list, found, taken)
    _null_said_after(doc, found)
    _bare_between_null(doc, found)
    _blanket_null(doc, arm_list, found)
    _direction_from_record(found)
    decide_undirected(list(found.values()))  # the learned model, only where the rules gave no direction
    _no_null_of_a_difference(found)
    # a measure only named (methods) with no result anywhere says nothing: leave it out
    for outcome in found.values():
        outcome.pop("_within", None)
        outcome.pop("_between_null", None)
    return [o for o in found.values() if o["direction"] is not None]


def _holds(lowered: str, needles: tuple[str, ...]) -> bool:
    """Whether a text in lower case holds one of the needles (a loop: faster than any() per sentence)."""
    for needle in needles:
        if needle in lowered:
            return True
    return False


def _no_null_of_a_difference(found: dict) -> None:
    """A result said as a significant difference with no direction ("there were significant differences
    between pain frequencies in the groups") is never no difference, whoever read it so: its direction
    stays unsaid (and the outcome is left out) unless the record's other results gave it one."""
    for outcome in found.values():
        if outcome.pop("_significant_difference", False) and outcome["direction"] == "no_change":
            outcome["direction"] = None


# Designs that give a treatment: with no arm found, their results may still be read (``reads_armless_trials``).
TRIAL_TYPES = frozenset({"rct", "non_randomized_trial", "single_arm_trial"})


def _armless_result_sentences(doc: Document) -> frozenset[tuple[str, int]] | None:
    """The sentences (field, start offset) ``outcomes`` reads in a trial whose arms the rules did not
    find: those of the text (not the title) the result-sentence model picks
    (``result_sentence_model.armless_result_sentences``); None, every sentence, when measuring the
    rules without the model's filter."""
    listed = [s for s in sentences(doc) if s.field != "title"]
    chosen = armless_result_sentences([s.text for s in listed])
    return None if chosen is None else frozenset((s.field, s.start) for s, keep in zip(listed, chosen) if keep)



# --- results said of the sentence's subject (session 22) ------------------------------------------

def _may_say_of_subject(lowered: str) -> bool:
    """A cheap pre-test for ``_subject_outcomes``: "was"/"were"/"did not"/"showed no" near the start (a
    subject is short) opening one of the predicates ``measures.SUBJECT_PREDICATE`` reads (one anchored
    match)."""
    opener = ms.PREDICATE_OPENER.search(lowered, 1, 140)
    return opener is not None and ms.SUBJECT_PREDICATE.match(lowered, opener.start()) is not None


def _subject_outcomes(doc: Document, sentence: Sentence, arm_list: list[dict], found: dict, taken: list,
                      said: tuple | None = None) -> None:
    """Results said of the sentence's subject (``measures.subject_measure``), for a sentence in which
    no change verb or noun named a measure: a null ("Diurnal IOP showed no difference between the
    groups"), a comparative ("Bowel sounds were significantly greater in the TEA group than in the
    control group") or figures per arm with a p-value ("The time to expulsion was 9.5 and 14.7 days
    in groups 1 and 2, respectively (p = 0.005)"). Figures with no direction word are no difference
    when the p-value is 0.05 or more; below, the figures and the arms they are given for decide
    (``_figures_direction``), else the result stays "significant, direction unknown" (left out; the
    direction model is not asked here: it would guess from the words, and the figures had none).
    ``said``: ``measures.subject_measure`` of the sentence, when the caller has it."""
    said = said or ms.subject_measure(sentence.text)
    if said is None:
        return
    listed, kind = said
    for measure in listed:
        key = ms.key_of(ms.plain_label(measure.label))
        if not key or _settled(found, key) or _names_a_substance(measure.label, arm_list):
            continue
        taken.append((measure.start, measure.end))
        outcome = _outcome(doc, sentence, _Found(measure.start, measure.end, measure.label), key,
                           measure.higher_is_better, arm_list)
        if outcome["direction"] is None and kind == "comparative":
            _timing_direction(sentence.text, measure, outcome)
        if outcome["direction"] is None and outcome["p_value"] is not None:
            _figures_outcome(doc, sentence.text, measure, outcome, arm_list)
        outcome.pop("_model_input", None)  # (what the rules do not decide here stays undirected: no model guess)
        _keep(found, key, outcome)


# A later clause of a sentence that gives its own measure's figures: "..., the median OS was 19.8 versus 20.7
# months (p = 0.10), and the response rate was 43.1% versus 50% (p = 0.11)".
FIGURES_CLAUSE = re.compile(r"[,;]\s+(?:and\s+|while\s+|whereas\s+)?(?=(?:the\s+)?[A-Za-z][\w\s/+-]{1,60}?\s+(?:was|were)\s+"
                            r"(?:\w+\s+){0,2}?[−–-]?\d)", re.I)


def _later_subjects(doc: Document, sentence: Sentence, arm_list: list[dict], found: dict) -> None:
    """The measures of a sentence's later clauses, each said of its own subject with its figures ("The median
    PFS was 10.1 versus 10.7 months (p = 0.92), the median OS was 19.8 versus 20.7 months (p = 0.10)"): each
    clause read from its start to the sentence's end (its p-value follows it), the evidence sentence the whole one."""
    for clause in FIGURES_CLAUSE.finditer(sentence.text):
        rest = Sentence(sentence.field, sentence.start + clause.end(), sentence.end, sentence.text[clause.end():])
        before = {key: id(o) for key, o in found.items()}
        _subject_outcomes(doc, rest, arm_list, found, [])
        for key, outcome in found.items():
            if before.get(key) != id(outcome):
                outcome["evidence"][-1] = sentence_span(doc, sentence)


def _people_outcomes(doc: Document, sentence: Sentence, arm_list: list[dict], found: dict, taken: list) -> None:
    """Counts of people compared ("More patients in the A group achieved remission than in the placebo
    group", ``measures.people_count_measures``): more people with a good thing, or fewer with a bad
    one, is an improvement; said of the control arm, the treated arm's is the opposite."""
    for measure, more in ms.people_count_measures(sentence.text):
        key = ms.key_of(ms.plain_label(measure.label))
        if not key or _settled(found, key) or _names_a_substance(measure.label, arm_list):
            continue
        taken.append((measure.start, measure.end))
        outcome = _outcome(doc, sentence, _Found(measure.start, measure.end, measure.label), key,
                           measure.higher_is_better, arm_list)
        if outcome["direction"] != "no_change":
            direction = "improved" if more == measure.higher_is_better else "worsened"
            if _said_of_control(doc, sentence.text, measure.label):
                direction = "worsened" if direction == "improved" else "improved"
            outcome["direction"] = direction
            outcome.pop("_model_input", None)
            if lx.NOT_SIGNIFICANT.search(sentence.text):
                outcome["significant"] = False  # "..., but the difference was not significant"
        _keep(found, key, outcome)


# "There were 3 cases of eclampsia, all in the placebo group": every event in one arm.
ALL_IN_ONE_ARM = re.compile(r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten)\s+(?:cases?|episodes?|events?)\s+"
                            r"of\s+(?P<measure>[A-Za-z][\w\s-]{1,50}?)\s*,?\s+(?:all|each)\s+(?:of\s+(?:them|which)\s+)?"
                            r"(?:in|among|with)\s+(?:the\s+)?(?P<arm>[\w\s+/-]{1,40}?)(?:\s+(?:group|arm))?\s*[.;,]", re.I)


def _all_in_one_arm(doc: Document, sentence: Sentence, arm_list: list[dict], found: dict) -> None:
    """Events counted all in one arm ("There were 3 cases of eclampsia, all in the placebo group"): the
    event was rarer with the treatment when the arm is the control (an improvement), commoner when it is
    a treated arm; no test is said, so the significance stays unknown."""
    said = ALL_IN_ONE_ARM.search(sentence.text) if "all" in sentence.text else None
    if said is None:
        return
    role = _arm_term_role(doc, said.group("arm"), arm_list)
    if role is None:
        return
    label = said.group("measure").strip()
    key = ms.key_of(ms.plain_label(label))
    if not key or _settled(found, key):
        return
    outcome = _outcome(doc, sentence, _Found(said.start("measure"), said.start("measure") + len(label), label), key,
                       False, arm_list)
    outcome.update(direction="improved" if role == "control" else "worsened", significant=None)
    outcome.pop("_model_input", None)
    _keep(found, key, outcome)


# "earlier"/"later": a time said by when it came (an earlier removal is a shorter time to removal).
TIMING = re.compile(r"\b(?:was|were)\s+(?:\w+ly\s+)*(?P<word>earlier|later)\b", re.I)


def _timing_direction(text: str, measure: "ms.Measure", outcome: dict) -> None:
    """"Time to removal was earlier in A than in B": less of the time (``TIMING``), turned by the
    measure's polarity and by which arm the comparison is said of."""
    said = TIMING.search(text, measure.end)
    if said is None:
        return
    down = said.group("word").lower() == "earlier"
    outcome["direction"] = "improved" if down != measure.higher_is_better else "worsened"


# Two figures each given for an arm: "3.6 cm in the A group versus 2.1 cm in the B group", "was 5.3% in
# the morphine group vs 5.8% in the control group"; or both figures then both arms, "respectively".
FIGURE = r"(?P<{0}>[−–-]?\d+(?:[.·]\d+)?)"
# A figure's spread after it ("1.34±0.65", "9.5 ± 4.8 days"): part of the figure, not a second one.
SPREAD = r"(?:\s*(?:±|\+/-)\s*\d+(?:[.·]\d+)?)?"
FIGURE_FOR_ARM = re.compile(
    FIGURE.format("a") + SPREAD + r"[^,;()\d]{0,25}?(?:\([^()]{0,50}\)\s*)?(?:in|for|with|among|on)\s+(?:the\s+)?(?P<t1>[^,;()]{1,60}?)"
    r"\s*(?:\([^()]{0,50}\)\s*)?,?\s*(?:versus|vs\.?|and|compared\s+(?:with|to)|as\s+against)\s+" + FIGURE.format("b") + SPREAD +
    r"[^,;()\d]{0,25}?(?:\([^()]{0,50}\)\s*)?(?:in|for|with|among|on)\s+(?:the\s+)?(?P<t2>[^,;()]{1,60}?)(?=\s*[,;().]|\s*$)", re.I)
FIGURES_RESPECTIVELY = re.compile(
    FIGURE.format("a") + SPREAD + r"[^,;()\d]{0,25}?(?:\([^()]{0,50}\)\s*)?(?:and|versus|vs\.?)\s+" + FIGURE.format("b") + SPREAD +
    r"[^,;()\d]{0,25}?(?:\([^()]{0,50}\)\s*)?(?:in|for|with|among)\s+(?:the\s+)?(?P<t1>[^,;()]{1,50}?)\s+(?:and|versus|vs\.?)\s+"
    r"(?:the\s+|in\s+the\s+)?(?P<t2>[^,;()]{1,50}?),?\s+respectively", re.I)
# The arms first, then their figures: "in groups 1 and 2 was 9.5 ± 4.8 days and 14.7 ± 9.8 days, respectively",
# "of the intervention and control groups were 3.9 and 0.5 seconds, respectively".
TERMS_THEN_FIGURES = re.compile(
    r"\b(?:in|for|with|among|of)\s+(?:the\s+)?(?P<t1>[^,;()\d\s](?:[^,;()]|\(\s*[+−–-]\s*\)){0,50}?)\s+(?:and|versus|vs\.?)\s+"
    r"(?:the\s+)?(?P<t2>(?:[^,;()]|\(\s*[+−–-]\s*\)){1,50}?)\s+(?:was|were)\s+" + FIGURE.format("a") + SPREAD + r"[^,;()\d]{0,25}?(?:\([^()]{0,50}\)\s*)?"
    r"(?:and|versus|vs\.?)\s+" + FIGURE.format("b") + SPREAD + r"[^,;()\d]{0,25}?,?\s*respectively", re.I)


def _figures_outcome(doc: Document, text: str, measure: "ms.Measure", outcome: dict, arm_list: list[dict]) -> None:
    """Figures per arm with a p-value and no direction word: no difference when the p-value is 0.05
    or more (said "=" or ">"); below it, the direction the figures give for the treated arm against
    the control (``_figures_direction``), turned by the measure's polarity; else unchanged (None)."""
    p_value, op = outcome["p_value"], outcome["p_value_comparator"]
    figures = (FIGURES_RESPECTIVELY.search(text, measure.end) or TERMS_THEN_FIGURES.search(text, measure.start)
               if "respectively" in text else None)
    figures = figures or FIGURE_FOR_ARM.search(text, measure.end)
    if figures is None:
        return
    if p_value >= 0.05 and op in ("=", ">", "≥"):
        outcome.update(direction="no_change", significant=False)
        return
    if p_value >= 0.05 or op in (">", "≥"):
        return
    up = _figures_direction(doc, figures, arm_list)
    if up is not None:
        outcome["direction"] = "improved" if up == measure.higher_is_better else "worsened"
        outcome["significant"] = True


def _figures_direction(doc: Document, figures: re.Match, arm_list: list[dict]) -> bool | None:
    """True when the treated arm's figure is the higher, False when the lower, None when the terms do
    not tell a treated arm from a control (each term's role: ``_term_roles``, or an arm's name)."""
    roles = [_arm_term_role(doc, figures.group(t), arm_list) for t in ("t1", "t2")]
    first, second = (float(figures.group(g).replace("·", ".").replace("−", "-").replace("–", "-")) for g in "ab")
    if first == second or roles[0] == roles[1] or None in roles:
        return None
    treated_first = roles[0] == "treated"
    return (first > second) if treated_first else (second > first)


def _arm_term_role(doc: Document, term: str, arm_list: list[dict]) -> str | None:
    """``"treated"``, ``"control"`` or None for the words that name an arm in a comparison."""
    if "(" in term and (sign := SIGNED_GROUP.search(term)):
        return "control" if sign.group(1) in "-−–" else "treated"  # "the Ca/Mg (-) group": the one without it
    control, treated = _term_roles(term, _group_names(doc) if "roup" in term else {}, set())
    if control != treated:
        return "control" if control else "treated"
    lowered = term.lower()
    said = {a["is_control"] for a in arm_list for i in a["interventions"]
            if (i.get("name") or "").lower() and (i.get("name") or "").lower() in lowered}
    return None if len(said) != 1 else ("control" if said.pop() else "treated")


# A group named by a sign: "the Ca/Mg (+) group" (given it), "the Ca/Mg (-) group" (not given it).
SIGNED_GROUP = re.compile(r"\(\s*([+\-−–])\s*\)")
# "Conclusion: ...", "Results: ...": the heading of a structured abstract's section.
SECTION_HEADING = re.compile(r"^\s*(?P<name>[A-Z][A-Za-z ]{2,30}?)\s*:")
# A heading printed as a sentence of its own with a full stop ("Conclusion.", "Main Outcome Measures."),
# as journals that print headings in bold give them in plain text: the known names only.
PERIOD_HEADING = re.compile(r"^\s*(?P<name>Conclusions?|Interpretation|Results?|Findings|Methods?|Background|Objectives?|"
                            r"Aims?|Purpose|Design|Settings?|Participants|Patients|Interventions?|(?:Main\s+)?Outcome\s+"
                            r"Measures?|Measurements?|Discussion|Introduction)\s*\.\s*$")
# A result that the treatment was tolerated: "both doses were well tolerated", "no serious adverse events
# occurred", "no side effects were observed". The mgfm labels keep it (tolerability, no difference) when
# the results say it; a conclusion's "safe and well tolerated" restates and adds nothing.
TOLERATED = re.compile(
    r"\b(?:was|were)\s+(?:\w+\s+)?(?:well|generally\s+well|equally\s+well)[\s-]+tolerated\b|"
    r"\bno\s+(?:serious\s+|major\s+|severe\s+|significant\s+|drug-related\s+)?(?:adverse\s+(?:events?|effects?|"
    r"reactions?)|side[\s-]+effects?)\s+(?:were\s+|was\s+)?(?:occurred|observed|reported|noted|seen|recorded|found)\b",
    re.I)


def _tolerability(doc: Document, sentence: Sentence, arm_list: list[dict], found: dict) -> None:
    """A result sentence saying the treatment was tolerated (``TOLERATED``) is the outcome
    ``tolerability`` with no difference (crosby_2000 in mgfm_dev: "both doses were well tolerated")."""
    said = TOLERATED.search(sentence.text)
    if said is None:
        return
    outcome = _outcome(doc, sentence, _Found(said.start(), said.end(), said.group(0)), "tolerability", True, arm_list)
    outcome.update(direction="no_change", significant=None if outcome["p_value"] is None else outcome["significant"])
    found["tolerability"] = outcome


# A heading in capitals without a colon, as tokenised corpora give it: "CONCLUSIONS Magnesium ...".
CAPITAL_HEADING = re.compile(r"\s*(?P<name>CONCLUSIONS?|INTERPRETATION|RESULTS?|METHODS?|FINDINGS)\b(?!\s*:)")
# The figures of a result: a p-value, a spread, a percentage, a comparison of values, an interval.
FIGURES = re.compile(r"\b[Pp]\s*[<=>≤≥]\s*0?\.\d|±|\d\s*%|\d\s+(?:vs\.?|versus)\s|\b95\s*%|\bCI\b")
# A claim in the present tense about what a treatment does in general: "shakes that contain soy provide a
# decrease in symptoms", "magnesium is effective for", "X reduces Y" (with no figures: a result gives them).
# ("increases"/"decreases" are left out: as nouns they open results, "no significant increases in X".)
GENERAL_CLAIM = re.compile(r"\b(?:provides?|produces?|offers?|improves|reduces|lowers|relieves|alleviates|prevents|"
                           r"(?:is|are)\s+(?:\w+ly\s+)?(?:effective|safe|useful|beneficial)|"
                           # "X can significantly improve lung function": what a treatment may do, a claim
                           r"(?:can|could|may|might)\s+(?:\w+ly\s+)?(?:improve|reduce|decrease|increase|lower|relieve|"
                           r"alleviate|prevent|enhance|attenuate|ameliorate))\b", re.I)


def _general_claim(text: str) -> bool:
    """Whether a sentence is a claim in the present tense with no figures (``GENERAL_CLAIM``)."""
    lowered = text.lower()
    if not any(w in lowered for w in GENERAL_CLAIM_WORDS):
        return False  # (a substring test first: most sentences hold none of its words)
    return GENERAL_CLAIM.search(text) is not None and FIGURES.search(text) is None


GENERAL_CLAIM_WORDS = ("provide", "produce", "offer", "improves", "reduces", "lowers", "relieves", "alleviates",
                       "prevents", "effective", "safe", "useful", "beneficial", "can ", "could ", "may ", "might ")


# A paragraph that only registers the trial ("Trial registration: NCT...", "Registered 21 May 2016").
REGISTRATION = re.compile(r"\bregist(?:ered|ration|ry)\b|\bNCT\d{6}|\bISRCTN", re.I)


def _conclusion_paragraph(doc: Document) -> int:
    """Where the conclusion of an abstract printed as paragraphs without headings starts (its last
    paragraph, a trial registration aside, when it has three or more: background, methods and
    results before it); past the end when the abstract is one or two paragraphs. Cached."""
    start = doc._found.get("conclusion_paragraph")
    if start is not None:
        return start
    text = doc.fields.get("abstract") or ""
    start = doc._found["conclusion_paragraph"] = len(text) + 1
    if text.count("\n") < 2:
        return start
    bounds = [m.end() for m in re.finditer(r"\n\s*", text)]
    paragraphs = [(a, b) for a, b in zip([0] + bounds, bounds + [len(text)]) if text[a:b].strip()]
    while paragraphs and paragraphs[-1][1] - paragraphs[-1][0] < 400 \
            and REGISTRATION.search(text, paragraphs[-1][0], paragraphs[-1][1]):
        paragraphs.pop()
    if len(paragraphs) >= 3:
        start = doc._found["conclusion_paragraph"] = paragraphs[-1][0]
    return start


# "Significant differences were observed in the FIQ scores before and after supplementation": a
# change within the group whose direction the clause does not say.
UNDIRECTED_DIFFERENCE = re.compile(r"\bsignificant(?:ly)?\s+(?:\w+\s+)?differen\w*|\bdiffer\w*\s+significantly", re.I)
# "... showed a significant difference between groups A and B", "among the experimental groups and the control
# group": a difference between the arms whose direction the clause does not say (never a null).
BETWEEN_ARMS = re.compile(r"\b(?:between|among)\s+(?:the\s+)?(?:[\w+-]+\s+){0,3}?(?:groups?|arms?|treatments)\b|"
                          r"\b(?:combinations?|pairs?)\s+of\s+(?:the\s+)?groups\b", re.I)
BEFORE_AFTER = re.compile(r"\bbefore\s+and\s+after\b|\bpre-?\s*(?:and|vs\.?|versus|-)\s*post|\bfrom\s+baseline\b|"
                          r"\bcompared\s+(?:with|to)\s+baseline\b", re.I)
# "pain was unchanged in one patient": what happened to one person, not a result of the group.
ONE_PATIENT = re.compile(r"\b(?:in|for)\s+(?:only\s+)?(?:one|a\s+single|1)\s+(?:patient|subject|participant|case|woman|"
                         r"man|child)\b", re.I)


def _direction_from_record(found: dict) -> None:
    """A before/after "significant difference" without a direction word ("significant differences
    in the FIQ scores before and after treatment") takes the direction of the record's other
    results when they all say the same ("there was also a significant improvement in VAS"); else
    it stays without one (and is left out)."""
    pending = [o for o in found.values() if o.pop("_direction_from_record", False)]
    said = {o["direction"] for o in found.values() if o["direction"] is not None and o not in pending}
    if pending and len(said) == 1 and said <= {"improved", "worsened"}:
        for outcome in pending:
            outcome["direction"] = next(iter(said))


# A sentence that only says the groups did not differ in the change the sentence before reported:
# "FIQ scores fell by 14% with soy and by 18% with placebo. The difference in change between the
# groups was not significant."; "The change in scores was similar in the groups."
NULL_SAID_AFTER = re.compile(
    r"^\s*(?:the\s+)?(?:mean\s+)?(?:differences?|changes?)(?:\s+in\s+[\w\s-]{0,40}?)?\s+(?:between|among)\s+(?:the\s+)?"
    r"(?:\w+\s+)?(?:groups|arms|treatments)\s+(?:was|were)\s+(?:not\s+(?:statistically\s+)?significant|similar|comparable)|"
    r"^\s*(?:the\s+)?(?:changes?|differences?|improvements?|reductions?|decreases?)(?:\s+in\s+[\w\s-]{0,40}?)?\s+(?:was|were)\s+"
    r"(?:similar|comparable|not\s+(?:significantly\s+)?different)\s+(?:between|among|in|across)\s+(?:the\s+|both\s+|all\s+)?"
    r"(?:\w+\s+)?(?:groups|arms)", re.I)


def _null_said_after(doc: Document, found: dict) -> None:
    """A within-group change reported in one sentence and a between-group null said in the next
    (``NULL_SAID_AFTER``) is no difference from the comparator (issue 12: "both groups improved; no
    difference between groups"). The change sentence must not itself compare the groups ("lower
    than placebo")."""
    lowered = _lower_text(doc)
    if "group" not in lowered and "arm" not in lowered and "treatments" not in lowered:
        return
    listed = [s for s in sentences(doc) if s.field != "title"]
    for before, after in zip(listed, listed[1:]):
        said = after.text.lstrip()[:14].lower()
        if not said.startswith(("the ", "diff", "chang", "mean", "improv", "reduc", "decreas")):
            continue
        if not NULL_SAID_AFTER.match(after.text):
            continue
        if any(w in before.text.lower() for w in (" than ", "versus", " vs", "compared with", "compared to")):
            continue
        for outcome in found.values():
            evidence = outcome["evidence"][-1]
            if (evidence.get("field"), evidence.get("start")) == (before.field, before.start) \
                    and outcome["direction"] in ("improved", "worsened"):
                outcome.update(direction="no_change", significant=False)
                outcome["evidence"].append(sentence_span(doc, after))


# "However, there was no significant difference between the TG and the CG.": a between-group null that
# names no measure and ends its sentence, said after changes within each group.
BARE_BETWEEN_NULL = re.compile(
    r"\bno\s+(?:statistically\s+)?(?:significant\s+)?differences?\s+(?:(?:was|were)\s+(?:found|observed|seen|detected)\s+)?"
    r"between\s+(?:the\s+)?(?:[\w+-]+\s+){0,6}?(?:groups?|arms?|[A-Z]{1,4})\s*\.?\s*$", re.I)
# A change within a group: "decreased from 58 to 42 (TG) and from 51 to 30 (CG)", "in both groups".
FROM_TO = re.compile(r"\bfrom\s+\d[\d.,]*\b.{0,40}?\bto\s+\d", re.I)


def _bare_between_null(doc: Document, found: dict) -> None:
    """Changes within the groups ("VAS decreased from 58 to 42 (TG) and from 52 to 31 (CG)", "in both
    groups pain fell") followed by a between-group null that names no measure ("there was no
    significant difference between the TG and the CG") are no difference from the comparator, each
    (issue 12: "both groups improved; no difference between groups" is no benefit over control)."""
    lowered = _lower_text(doc)
    if "no significant difference" not in lowered and "no statistically significant difference" not in lowered \
            and "no difference" not in lowered:
        return  # ("There was however no difference between treatment groups": "significant" may go unsaid)
    null = next((s for s in sentences(doc) if s.field != "title" and "difference" in s.text
                 and BARE_BETWEEN_NULL.search(s.text)), None)
    if null is None:
        return
    for outcome in found.values():
        evidence = outcome["evidence"][-1]
        said = evidence.get("text") or ""
        if outcome["direction"] not in ("improved", "worsened") or evidence.get("field") != null.field \
                or evidence.get("start", 0) > null.start:
            continue
        if any(w in said.lower() for w in (" than ", "versus", " vs", "compared with", "compared to")):
            continue  # the change sentence compares the groups itself
        if evidence.get("start") == null.start or WITHIN_GROUP.search(said) or FROM_TO.search(said):
            outcome.update(direction="no_change", significant=False)
            outcome["evidence"].append(sentence_span(doc, null))


# "There were no differences between the groups in any outcome": a null for every measure named.
BLANKET_NULL = re.compile(
    r"\bno\s+(?:significant\s+|statistically\s+significant\s+)?differences?\s+(?:between\s+(?:the\s+)?(?:two\s+|three\s+|"
    r"four\s+|\d\s+)?(?:groups|arms|treatments)\s+)?(?:in|on|for|with\s+(?:respect|regard)\s+to|regarding|in\s+terms\s+of)\s+"
    r"(?:any|all|multiple|several|various)\s+(?:of\s+the\s+)?(?:\w+\s+)?(?:outcomes?|measures?|endpoints?|parameters?|"
    r"variables?)|"
    r"\bnone\s+of\s+the\s+(?:\w+\s+)?(?:outcomes|measures|endpoints|parameters)\s+(?:differed|changed|improved)|"
    r"\b(?:all|every)\s+(?:\w+\s+)?(?:outcomes?|measures?|endpoints?)\s+(?:were\s+|was\s+)?(?:similar|unchanged|comparable)", re.I)


def _may_be_blanket(text: str) -> bool:
    """A substring pre-test for ``BLANKET_NULL``: "no ... differen", "none of", or "all"/"every" with a
    word of sameness."""
    lowered = text.lower()
    return ("differen" in lowered and "no " in lowered) or "none of" in lowered or (
        ("all " in lowered or "every " in lowered) and ("similar" in lowered or "unchanged" in lowered
                                                         or "comparable" in lowered))


def _blanket_null(doc: Document, arm_list: list[dict], found: dict) -> None:
    """A blanket null ("no differences in any outcome") applies to each measure the record names
    (in its methods or aims) that has no result of its own."""
    if "outcome" not in _lower_text(doc) and "measure" not in _lower_text(doc) and "endpoint" not in _lower_text(doc):
        return
    blanket = next(((s, m) for s in sentences(doc) if s.field != "title" and _may_be_blanket(s.text)
                    for m in [BLANKET_NULL.search(s.text)] if m and _kind(doc, s) == "statement"), None)
    if blanket is None:
        return
    sentence, match = blanket
    _listed_nulls(doc, sentence, match, arm_list, found)
    for named in sentences(doc):
        if named.field == "title":
            continue
        for key, pattern, higher_is_better in lx.MEASURE_PATTERNS:
            if key in found and found[key]["direction"] is not None:
                continue
            mention = pattern.search(named.text)
            if mention:
                outcome = _outcome(doc, sentence, _Found(match.start(), match.end(), mention.group(0)), key,
                                   higher_is_better, arm_list)
                outcome.update(direction="no_change", significant=False)
                outcome["evidence"].insert(0, span(doc, named.field, named.start + mention.start(),
                                                   named.start + mention.end()))
                found[key] = outcome
        for start, end, key, higher_is_better in ms.named_measures(named.text, _defined_instruments(doc)):
            if key in found and found[key]["direction"] is not None:
                continue  # (a named instrument: "the Health Assessment Questionnaire ... did not differ")
            outcome = _outcome(doc, sentence, _Found(match.start(), match.end(), named.text[start:end]), key,
                               higher_is_better, arm_list)
            outcome.update(direction="no_change", significant=False)
            outcome["evidence"].insert(0, span(doc, named.field, named.start + start, named.start + end))
            found[key] = outcome


# The measures a blanket null lists: "in any outcome, including migraine days, attack frequency and
# analgesic use"; "(pain, sleep and fatigue)"; "outcome measures (X and Y) did not differ".
LISTED = re.compile(r"\s*(?:,\s*)?(?:including|such\s+as|namely|i\.e\.,?|:|\()\s*(?P<list>[^()]+?)\s*(?:\)|[.;]|$)", re.I)
LIST_SPLIT = re.compile(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+", re.I)


def _listed_nulls(doc: Document, sentence: Sentence, match: re.Match, arm_list: list[dict], found: dict) -> None:
    """Each measure a blanket null lists right after it gets the null ("no differences in any
    outcome, including migraine days and analgesic use": migraine_days, analgesic_use)."""
    listed = LISTED.match(sentence.text, match.end())
    if listed is None:
        return
    at = listed.start("list")
    for piece in LIST_SPLIT.split(listed.group("list")):
        start = sentence.text.find(piece, at)
        at = start + len(piece)
        words = piece.strip()
        if not words or len(words) > 60 or re.search(r"\d", words) or _names_a_substance(words, arm_list):
            continue
        key = ms.key_of(ms.plain_label(words))
        if not key or key in found or not (ms.tokens(words) - ms.GENERIC_WORDS):
            continue
        known = next(((k, better) for k, pattern, better in lx.MEASURE_PATTERNS if pattern.fullmatch(words)), None)
        key, higher_is_better = known or (key, ms.higher_is_better(words))
        outcome = _outcome(doc, sentence, _Found(start, start + len(piece), words), key, higher_is_better, arm_list)
        outcome.update(direction="no_change", significant=False)
        found.setdefault(key, outcome)


# GENERIC_NEEDLE as substrings of an ASCII sentence in lower case (a cheaper test than the regex).
GENERIC_NEEDLES = ("decreas", "reduc", "improv", "increas", "declin", "diminish", "fell", "rose", "drop", "lower",
                   "worsen", "deteriorat", "attenuat", "elevat", "unchanged", "similar", "relief", "prolong", "shorten",
                   "lengthen", "regulat", "beneficial effect", "positive effect", "favourable effect",
                   "favorable effect", "nonsignificant", "non-significant")
# A null said of the measure after it ("no significant change in grip strength"): with none of the
# needles above, only ``measures.NULL_IN`` and ``COMPARATIVE_NP`` are run on the sentence.
NULL_NEEDLES = ("no significant", "no change", "no differen", "no effect", "no statistical", "no between")
# Comparatives before a measure ("had lower pain scores than"): a result only where a comparison is said.
COMPARATIVE_NEEDLES = ("higher", "shorter", "longer", "fewer", "greater", "better", "worse", "smaller", "larger",
                       "more ", "less ")
COMPARISON_NEEDLES = ("than", "compar", "versus", " vs")
# "fewer subjects who developed hypertension": a count of people with an event (``measures.FEWER_WITH``).
PEOPLE_NEEDLES = ("subjects", "patients", "participants", "women", "children", "cases", "infants", "people")
NOT_DIFFER = re.compile(r"not\s+(?:\w+\s+)?differ", re.I)
GENERIC_NEEDLE = re.compile(r"decreas|reduc|improv|increas|declin|diminish|fell|rose|drop|lower|worsen|deteriorat|"
                            r"prolong|shorten|lengthen|regulat|(?:beneficial|positive|favou?rable)\s+effect|non-?significant|"
                            r"attenuat|elevat|not\s+(?:\w+\s+)?differ|unchanged|similar|relief|higher|shorter|longer|"
                            r"fewer|greater|better|worse|smaller|larger|no\s+(?:significant|change|differen|effect|"
                            r"statistically)", re.I)
RESULT_CLAUSE = re.compile(r";|,?\s+(?:but|whereas|while|although|however)\s+", re.I)


def _generic_outcomes(doc: Document, sentence: Sentence, arm_list: list[dict], found: dict, taken: list,
                      narrow: bool = False) -> None:
    text = sentence.text
    qualified = _qualifier_for(doc, sentence) is not None
    start = 0
    lowered = text.lower()
    bounds = ([m for m in RESULT_CLAUSE.finditer(text)] if ";" in text or any(w in lowered for w in RESULT_CLAUSE_WORDS)
              else []) + [None]
    for boundary in bounds:
        end = boundary.start() if boundary else len(text)
        for measure in ms.generic_measures(text[start:end], narrow):
            at, stop = start + measure.start, start + measure.end
            if any(s <= at < e or at <= s < stop for s, e in taken):
                continue
            if qualified and _inside_qualifier(text, at):
                continue  # "in patients with mild to moderate stress": who the result is about, not a measure
            taken.append((at, stop))
            key, higher_is_better = _measure_key(doc, measure, text[stop:end])
            label = measure.label
            instrument = INSTRUMENT_AFTER.match(text, stop, end)
            if key and instrument:  # "Depression scores (PHQ-9)": the instrument names the measure
                key, label = instrument_key(instrument.group("abbr")), f"{label} ({_plain(instrument.group('abbr'))})"
            if not key or _settled(found, key) and not qualified:
                continue  # (a measure's first result is kept; the rest would be read for nothing)
            if _names_a_substance(measure.label, arm_list):
                continue  # "fatty acids improved": a substance is what was given, not what was measured
            outcome = _outcome(doc, sentence, _Found(at, stop, label), key, higher_is_better, arm_list)
            _keep(found, key, outcome)
        start = boundary.end() if boundary else len(text)


# "(PHQ-9)", "(HAM-D)", "(MIDAS)", "(BPI)" right after a measure: the instrument it was measured with.
INSTRUMENT_AFTER = re.compile(r"(?:\s+(?:scores?|scales?|ratings?|questionnaire))?\s*\(\s*(?P<abbr>[A-Z][A-Z]{1,6}(?:-?[A-Z])?(?:-?\d{1,3}[A-Za-z]?)?)\s*[),;]")


def instrument_key(abbreviation: str) -> str:
    """A measure key from an instrument's abbreviation: lower case letters and digits only.

    >>> instrument_key("PHQ-9"), instrument_key("HAM-D"), instrument_key("SF-36")
    ('phq9', 'hamd', 'sf36')"""
    return re.sub(r"[^a-z0-9]", "", abbreviation.lower())


def _plain(abbreviation: str) -> str:
    """An instrument's abbreviation as one word ("PHQ-9" -> "PHQ9"), so that a label names it the
    way measure keys do."""
    return re.sub(r"[^A-Za-z0-9]", "", abbreviation)


def _names_a_substance(label: str, arm_list: list[dict]) -> bool:
    """Whether a measure's label is a substance rather than a measure of something: a substance an
    arm gives ("fatty acids improved"), or a substance with nothing else said of it. The use of
    another drug is a measure ("morphine consumption", "rescue paracetamol use")."""
    said = label.lower()
    if (said.endswith(USE_ENDINGS) and USE_HEAD.search(label)) or said.startswith(USE_STARTS) or (
            " of " in said and USE_OF.search(said)):
        return False  # "morphine usage", "doses of sufentanil": the use of a drug is a measure, an arm's too
    if _names_an_arm(label, arm_list):
        return True
    if "-" in said and DRUG_EFFECT.search(said):
        return False  # "oxaliplatin-related neurotoxicity", "opioid-induced nausea": what a drug did is a measure
    mentions = substance_mentions(label)
    if not mentions:
        return False
    given = {i[key] for a in arm_list for i in a["interventions"] for key in ("name", "substance") if i.get(key)}
    if any(m.name in given or m.substance in given for m in mentions):
        return True
    rest = ms.tokens(" ".join(label[:m.start] + label[m.end:] for m in mentions[:1]))
    return not (rest - ms.GENERIC_WORDS)


# A drug's effect named by the drug: "oxaliplatin-related neurotoxicity", "opioid-induced constipation".
DRUG_EFFECT = re.compile(r"[a-z]-(?:related|induced|associated|mediated)\s+[a-z]", re.I)
# The head of a measure of a drug's use (PCA and rescue analgesia are measured by it).
USE_HEAD = re.compile(r"\b(?:consumption|usage|requirements?|doses|demands?)$", re.I)
USE_STARTS = ("dose of ", "doses of ", "consumption of ", "usage of ", "rescue ")  # ("rescue meperidine": its use)
USE_ENDINGS = ("consumption", "usage", "requirement", "requirements", "doses", "demand", "demands")
# "the total epidural dose of fentanyl": the dose of a drug is its use, wherever the name opens.
USE_OF = re.compile(r"\b(?:doses?|consumption|usage|requirements?)\s+of\s", re.I)

_ARM_NAMES: tuple = (None, "")  # (the arm list last seen, its names joined in lower case)


def _names_an_arm(label: str, arm_list: list[dict]) -> bool:
    """Whether a measure's label is only the name of an arm or of what an arm gives ("FF/VI",
    "the exercise programme"), which is what was compared, not what was measured."""
    if not arm_list:
        return False
    global _ARM_NAMES
    if _ARM_NAMES[0] is not arm_list:  # (the same list serves every measure of a record: joined once)
        named = " ".join(str(i.get(k) or "") for a in arm_list for i in a["interventions"] for k in ("name", "substance"))
        _ARM_NAMES = (arm_list, f"{named} {' '.join(a.get('label') or '' for a in arm_list)}".lower())
    named = _ARM_NAMES[1]
    first = label.split(None, 1)[0].lower() if label.strip() else ""
    if first not in named:
        return False  # (a substring test first: most labels share no word with an arm)
    words = ms.tokens(label) - ms.GENERIC_WORDS
    if not words or not all(w in named for w in words):
        return False  # (a substring test first: most labels share no word with an arm)
    for arm in arm_list:
        names = " ".join([arm.get("label") or ""] + [i.get(k) or "" for i in arm["interventions"] for k in ("name", "substance")])
        if words <= ms.tokens(names):
            return True
    return False


def _measure_key(doc: Document, measure: "ms.Measure", after: str) -> tuple[str, bool]:
    """The key (and polarity) of a measure found by ``generic_measures``, named as the field names
    it: an abbreviation the record defines by its long form ("numerical scale (NS)": NS is the
    numerical scale, a pain intensity scale), "complete relief" as pain relief, and a count per hour
    of sleep as its index ("PLMS ... (PLMS per hour of total sleep time)": the PLMS index).

    ``after`` is the rest of the clause after the measure."""
    label = measure.label
    index = ms.PER_HOUR_INDEX.search(after)
    if index and label.split()[0] == index.group("abbr"):
        return f"{index.group('abbr').lower()}_index", False
    long_form = None
    if ms.ABBREVIATION.fullmatch(label.strip()):
        if doc._found.get("abbreviations") is None:
            doc._found["abbreviations"] = ms.abbreviations(" ".join(doc.fields[f] for f in doc.text_fields))
        long_form = doc._found["abbreviations"].get(label.strip())
    if long_form and long_form.split()[-1].lower() in GROUP_HEADS:
        return "", measure.higher_is_better  # "the treatment group (TG)": an arm's abbreviation, not a measure
    if long_form:
        known = next(((key, better) for key, pattern, better in lx.MEASURE_PATTERNS if pattern.fullmatch(long_form)), None)
        if known:
            return known
        label = long_form
    return ms.key_of(ms.plain_label(label)), measure.higher_is_better


GROUP_HEADS = frozenset({"group", "groups", "arm", "arms", "cohort"})


def _keep(found: dict, key: str, outcome: dict) -> None:
    """The first result with a direction for each measure and population (a subgroup's or an open
    phase's result is kept apart from the whole group's)."""
    slot = key if outcome["population"] is None else f"{key}@{outcome['population']['kind']}"
    old = found.get(slot)
    if old is not None and old.get("_within") and outcome.get("_between_null"):
        # "Pain fell in each group. Although pain did not differ between the groups, ...": the change
        # within the groups is no difference from the comparator (issue 12)
        found[slot] = outcome
        return
    if old is None or (old["direction"] is None and (
            outcome["direction"] is not None
            # an undirected before/after difference (its direction comes later) beats a mere mention
            or (outcome.get("_direction_from_record") and not old.get("_direction_from_record"))
            # a result sentence without a direction word (the model may read it) beats a mere mention
            or (outcome.get("_model_input") and not old.get("_model_input") and not old.get("_direction_from_record")))):
        found[slot] = outcome


def _settled(found: dict, key: str) -> bool:
    """Whether a measure already has its result: a direction, and not a change within the groups only
    (``_within``), which a between-group null said later may still replace."""
    old = found.get(key)
    return old is not None and old["direction"] is not None and not old.get("_within")


def _names_instruments(doc: Document) -> bool:
    """Whether the record may name an instrument of ``measures.NAMED`` anywhere (cached)."""
    said = doc._found.get("names_instruments")
    if said is None:
        lowered = _lower_text(doc)  # (shared with the other stages)
        said = doc._found["names_instruments"] = any(n in lowered for n in ms.NAMED_NEEDLES) or any(
            n in doc.fields[f] for f in doc.text_fields for n in ms.NAMED_CAPITALS)
    return said


def _defined_instruments(doc: Document) -> dict[str, tuple[str, bool]]:
    """The abbreviations the record defines for named instruments (``measures.named_abbreviations``:
    "Roland-Morris questionnaire (RM)"), read once per document."""
    defined = doc._found.get("named_abbreviations")
    if defined is None and not _names_instruments(doc):
        defined = doc._found["named_abbreviations"] = {}
    if defined is None:
        defined = doc._found["named_abbreviations"] = ms.named_abbreviations(
            " ".join(doc.fields[f] for f in doc.text_fields))
    return defined


def _holds_defined(doc: Document, text: str) -> bool:
    """Whether a sentence holds an abbreviation the record defined for a named instrument."""
    defined = _defined_instruments(doc)
    return bool(defined) and any(short in text for short in defined)


def _change_scores(doc: Document, sentence: Sentence, arm_list: list[dict], found: dict, taken: list) -> None:
    """A change score compared between the groups for a list of measures ("a greater mean change ...
    for pain (-5.2 vs. -3.3), physical function (-13.4 vs. -6.9) and stiffness"): a greater fall in a
    measure where less is better is an improvement, whatever the word "greater" says of the number;
    the measures listed under one comparison share its direction (the first measure's, as its
    polarity is read: a list holds one scale's subscales, scored one way). Said of the control arm
    ("the placebo group had a greater reduction"), the direction is the treated arm's opposite."""
    text = sentence.text
    listed = ms.change_score_measures(text)
    if not listed:
        return
    first, way = listed[0]
    better = way == "better" or (way == "down") != first.higher_is_better
    for measure, _ in listed:
        if any(s <= measure.start < e or measure.start <= s < measure.end for s, e in taken):
            continue
        known = next(((k, b) for k, pattern, b in lx.MEASURE_PATTERNS if pattern.fullmatch(measure.label)), None)
        key = known[0] if known else ms.key_of(ms.plain_label(measure.label))
        if not key or _names_a_substance(measure.label, arm_list):
            continue
        taken.append((measure.start, measure.end))
        outcome = _outcome(doc, sentence, _Found(measure.start, measure.end, measure.label), key,
                           measure.higher_is_better, arm_list)
        if outcome["direction"] != "no_change":  # ("no greater change": the null stands)
            direction = "improved" if better else "worsened"
            if _said_of_control(doc, text, measure.label):
                direction = "worsened" if better else "improved"
            outcome["direction"] = direction
        _keep(found, key, outcome)


def _named_outcomes(doc: Document, sentence: Sentence, arm_list: list[dict], found: dict, taken: list) -> None:
    """Results on named instruments (``measures.NAMED``: WOMAC and its subscales, Oswestry, Roland-Morris,
    Lequesne, DAS28, SDAI, HAQ, SF-36, Timed Up and Go, six-minute walk, McGill, FFbH), each under its
    own key, read before the fixed vocabulary so that "WOMAC pain" is not a bare "pain"."""
    text = sentence.text
    in_phase = _qualifier_of(text) is not None or _phase(doc, sentence) is not None
    for start, end, key, higher_is_better in ms.named_measures(text, _defined_instruments(doc)):
        if any(s <= start < e or start <= s < end for s, e in taken):
            continue
        taken.append((start, end))
        if in_phase and _inside_qualifier(text, start):
            continue
        if not in_phase and _settled(found, key):
            continue  # (a measure's first result is kept)
        outcome = _outcome(doc, sentence, _Found(start, end, text[start:end]), key, higher_is_better, arm_list)
        _keep(found, key, outcome)


# Substrings (lower case) one of which each measure of ``lexicon.MEASURES`` needs (a measure not listed is
# always tried): a sentence that names pain is not searched for the other sixteen.
KNOWN_NEEDLES = {
    "fiqr": ("impact", "fiq"), "fiq": ("impact", "fiq"), "tender_point_index": ("tender", "tpi"),
    "tender_point_count": ("tender",), "beck_depression": ("beck", "bdi"), "beck_anxiety": ("beck", "bai"),
    "dass42_stress": ("dass", "stress"), "pain_threshold": ("threshold",), "pain_vas": ("analog", "vas"),
    "pain_intensity": ("pain", "numeric", "nrs"), "sf36": ("sf-36", "sf36"), "quality_of_life": ("quality", "qol"),
    "fatigue": ("fatigue", "tired"), "sleep": ("sleep",), "numbness": ("numb",), "depression": ("depress",),
    "anxiety": ("anxiety",),
}


def _known_outcomes(doc: Document, sentence: Sentence, arm_list: list[dict], found: dict, taken: list) -> None:
    text = sentence.text
    in_phase = _qualifier_of(text) is not None or _phase(doc, sentence) is not None
    lowered = text.lower()
    for key, pattern, higher_is_better in lx.MEASURE_PATTERNS:
        needles = KNOWN_NEEDLES.get(key)
        if needles is not None and not any(n in lowered for n in needles):
            continue  # (a substring test first: a sentence names few of the measures)
        for match in pattern.finditer(text):
            if in_phase and _inside_qualifier(text, match.start()):
                continue  # "in patients with severe fatigue": who the result is about, not what it measured
            if not in_phase and _settled(found, key):
                taken.append((match.start(), match.end()))
                continue  # (a measure's first result is kept)
            if any(s <= match.start() < e or s < match.end() <= e for s, e in taken):
                continue
            if text.count("(", 0, match.start()) > text.count(")", 0, match.start()):
                continue  # "(events per hour of total sleep time)": a unit, not a result
            if match.group(0).lower() == "pain" and PAIN_MODIFIES.match(text, match.end()):
                continue  # "frequency of pain paroxysms", "pain relief": a measure of its own
            if key == "pain_intensity" and " of " in text and ASPECT_OF.search(text, max(0, match.start() - 60),
                                                                             match.start()):
                taken.append((match.start(), match.end()))
                continue  # "the frequency, severity, and duration of pain": each aspect is a measure of its own
            if " for " in text and PURPOSE_OBJECT.search(text, max(0, match.start() - 40), match.start()):
                taken.append((match.start(), match.end()))
                continue  # "morphine usage for controlling postoperative pain": what a drug was for
            if key == "pain_intensity" and (SCALE_BEFORE.search(text, max(0, match.start() - 12), match.start())
                                            or SCALE_AFTER.match(text, match.end())):
                taken.append((match.start(), match.end()))
                continue  # "VAS pain", "pain (VAS)": what the scale rates, one measure with it
            taken.append((match.start(), match.end()))
            head = BAD_HEAD_AFTER.match(text, match.end()) if higher_is_better else None
            if head:  # "sleep disturbance": less of it is better sleep (the key stays the schema's)
                match, higher_is_better = _Found(match.start(), head.end(), text[match.start():head.end()]), False
            outcome = _outcome(doc, sentence, match, key, higher_is_better, arm_list)
            instrument = INSTRUMENT_AFTER.match(text, match.end())
            if instrument:  # "depression scores (PHQ-9)": the label keeps the instrument, the key the schema's
                outcome["label"] = f"{outcome['label']} ({_plain(instrument.group('abbr'))})"
            _keep(found, key, outcome)


# "the duration of pain", "frequency, severity, and duration of pain": an aspect of pain, a measure of its own.
ASPECT_OF = re.compile(r"\b(?:duration|frequency|severity|onset|number|episodes|attacks|location|spread)\s+of\s+"
                       r"(?:the\s+|their\s+)?(?:[\w-]+\s+)?$", re.I)
# "for controlling postoperative pain": the object of a purpose, no result on it.
PURPOSE_OBJECT = re.compile(r"\bfor\s+(?:controlling|treating|managing)\s+"
                            r"(?:the\s+|their\s+)?(?:[\w-]+\s+)?$", re.I)
# A pain scale said beside the word "pain": "the average VAS pain", "pain VAS", "pain (NRS)".
SCALE_BEFORE = re.compile(r"\b(?:VAS|NRS|VRS|NPRS)\s+$")
SCALE_AFTER = re.compile(r"\s*\(?\s*(?:VAS|NRS|VRS|NPRS)\b")


# A head after a measure whose more is better that makes more of the whole bad: "sleep disturbance",
# "quality of life impairment", "sleep onset latency" (the head words of ``measures.LOWER_IS_BETTER_HEAD``).
BAD_HEAD_AFTER = re.compile(r"(?:[\s-]+(?:onset|quality|\w+ing))?[\s-]+(?:disturbances?|disorders?|problems?|complaints?|"
                            r"impairments?|limitations?|latency|difficult(?:y|ies)|disruptions?|fragmentation|deficits?)\b",
                            re.I)


def _nearest_direction_word(clause: str, at: int, end: int | None = None) -> re.Match | None:
    """The direction word of a clause nearest to the measure at ``at`` ("a positive effect on
    quality of life and reduction of pain": "positive effect" for quality of life); the measure's
    own verb right after it wins ("time to analgesic need was increased and analgesic consumption
    was reduced": "reduced" for analgesic consumption). ``end``: where the measure ends."""
    words = _direction_words(clause)
    if end is not None and len(words) > 1:
        own = next((m for m in words if m.start() >= end and OWN_VERB.fullmatch(clause, end, m.start())), None)
        if own is not None:
            return own
    return min(words, key=lambda m: abs(m.start() - at), default=None)


@lru_cache(maxsize=256)
def _result_bounds(text: str) -> tuple[re.Match, ...]:
    """The clause bounds of a result sentence (``RESULT_BOUNDARY``), with a substring pre-test. Cached:
    the measures of one sentence share them."""
    lowered = text.lower()
    if not (";" in text or any(w in lowered for w in BOUNDARY_WORDS)
            or ("and" in lowered and AND_OTHER.search(text) is not None)):
        return ()  # (no bound: the regex spared)
    return tuple(RESULT_BOUNDARY.finditer(text))


@lru_cache(maxsize=256)
def _direction_words(clause: str) -> tuple[re.Match, ...]:
    """The direction words of a clause that are no purpose (``_nearest_direction_word`` picks among
    them by place). Cached: the measures of one clause share them."""
    lowered = clause.lower()
    patterns = (lx.WORSENED, lx.IMPROVED, lx.INCREASED)
    if " effect" in lowered and ("benefic" in lowered or "favo" in lowered):
        patterns += (GOOD_EFFECT,)
    if any(n in lowered for n in ("shorter", "smaller", "longer", "larger", "greater", "prolong", "shorten", "lengthen",
                                  "regulat")):
        patterns += (COMPARATIVE_DOWN, COMPARATIVE_UP)
    words = [m for pattern in patterns for m in pattern.finditer(clause)]
    if "less" in lowered or "more " in lowered:
        words += _predicate_amounts(clause)
    if len(words) > 1 or (words and words[0].group(0)[-3:].lower() == "ing"):
        words = [m for m in words if not _purpose(clause, m)]
    return tuple(words)


@lru_cache(maxsize=256)
def _clause_null(clause: str) -> re.Match | None:
    """The null a clause says (``lexicon.NO_CHANGE``, else ``NULL_OTHERWISE``), or None. Cached: the
    measures of one clause share it."""
    return lx.NO_CHANGE.search(clause) or _null_said_otherwise(clause)


# "pressures were significantly less", "was more common in the magnesium group": an amount said of the
# subject after its verb ("less" then reads as less of the measure, "more common" as more of it).
PREDICATE_AMOUNT = re.compile(r"\b(?:was|were|is|are|remained)\s+(?:\w+ly\s+|statistically\s+significant\s+)*"
                              r"(?P<word>less(?!\s+than)|more(?=\s+(?:common|frequent|prevalent)))\b", re.I)


def _predicate_amounts(clause: str) -> list[re.Match]:
    """Matches of "less" or "more" said after the subject's verb ("were significantly less", "was more
    common"), each shaped as a direction word (``MORE_WORD``/``LESS_WORD`` at the word)."""
    said = [(MORE_WORD if m.group("word")[0] in "mM" else LESS_WORD).match(clause, m.start("word"))
            for m in PREDICATE_AMOUNT.finditer(clause)]
    if "%" in clause:  # "was more than 20% less than that of the control group"
        said += [(MORE_WORD if m.group("word")[0] in "mM" else LESS_WORD).match(clause, m.start("word"))
                 for m in PERCENT_AMOUNT.finditer(clause)]
    return said


# "20% less than", "35% more than": an amount said by how much.
PERCENT_AMOUNT = re.compile(r"\d\s*%\s+(?P<word>less|more)\s+than\b", re.I)


# "needed more rescue analgesia", "reported less pain": an amount said right before its measure.
MORE_OR_LESS = re.compile(r"\b(?:more|less)\s+(?:[a-z-]+\s+)?$", re.I)


def _more_or_less_before(clause: str, at: int) -> re.Match | None:
    """"more"/"less" right before the measure at ``at`` (at most one word between), with no other
    direction word in the clause: ``lexicon.INCREASED``'s or ``IMPROVED``'s kind by its sense."""
    before = clause[max(0, at - 22):at]
    if "more " not in before and "less " not in before:
        return None
    found = MORE_OR_LESS.search(before)
    if found is None or before[found.start():].lower().startswith(("more than", "less than")):
        return None
    offset = max(0, at - 22) + found.start()
    return (MORE_WORD if found.group(0)[0] in "mM" else LESS_WORD).match(clause, offset)


MORE_WORD = re.compile(r"more\b", re.I)
LESS_WORD = re.compile(r"less\b", re.I)


# What stands between a measure and its own verb: "X was (significantly) reduced", "X (p < 0.05) fell".
OWN_VERB = re.compile(r"\s*(?:\([^()]{0,40}\)\s*)?(?:(?:was|were|is|are|had|has|have)\s+(?:been\s+)?)?(?:\w+ly\s+){0,2}")


# Comparatives a result says a measure with ("shorter duration of ventilation", "longer time to
# rescue"): less of it, or more of it.
COMPARATIVE_DOWN = re.compile(r"\b(?:shorter|smaller|shorten(?:ed|s|ing)?|down-?regulat\w*)\b", re.I)
COMPARATIVE_UP = re.compile(r"\b(?:longer|larger|greater|prolong(?:ed|s|ing|ation)?|lengthen(?:ed|s|ing)?|up-?regulat\w*)\b"
                            r"(?!\s+(?:reduction|decrease|improvement|decline|drop|fall))", re.I)
# A direction word that says what a treatment is for, not what it did: "a preparation for
# improving sexual function", "aimed at reducing pain", "designed to improve sleep".
PURPOSE_BEFORE = re.compile(r"\b(?:for|at|of|towards?)\s+$|\b(?:aim\w*|designed|intended|order|help\w*|ways?|strateg\w+|"
                            r"efforts?|attempts?|potential|opportunit\w+|can|could|may|might|meant)\s+(?:\w+\s+)?to\s+$",
                            re.I)


def _purpose(clause: str, word: re.Match) -> bool:
    """Whether a direction word is a purpose ("for improving", "aimed at reducing", "designed to
    improve"), which reports nothing."""
    said = word.group(0).lower()
    if not (said.endswith("ing") or said in ("improve", "reduce", "decrease", "increase", "lower", "relieve",
                                             "alleviate", "ease", "prevent")):
        return False
    return PURPOSE_BEFORE.search(clause, max(0, word.start() - 40), word.start()) is not None


# Two figures compared: "2.8 (SD 3.0) for A versus 2.1 (SD 2.5) for B", "4.1 vs. 5.0", "12% compared with 15%".
FIGURES_COMPARED = re.compile(r"\d(?:\.\d+)?\s*%?\s*(?:\([^()]{0,30}\)\s*)?(?:(?:for|in|with|on)\s+[^,;()]{1,40}?\s*)?"
                              r"(?:vs\.?|versus|compared\s+(?:with|to))\s+\d", re.I)


def _figures_compared(text: str) -> bool:
    """Whether a sentence compares two figures (``FIGURES_COMPARED``), with a cheap pre-test."""
    lowered = text.lower()
    if " vs" not in lowered and "versus" not in lowered and "compared" not in lowered:
        return False
    return FIGURES_COMPARED.search(text) is not None


def _outcome(doc, sentence, match, key, higher_is_better, arm_list) -> dict:
    text = sentence.text
    before = text[max(0, match.start() - 25):match.start()]
    clause_start, clause_end = 0, len(text)
    bracketed = "(" in text
    for boundary in _result_bounds(text):
        if bracketed and boundary.start() > match.end() and boundary.group(0) == ";" \
                and text.count("(", match.end(), boundary.start()) > text.count(")", match.end(), boundary.start()):
            continue  # "(A +1.9, p = 0.04; B +1.9, p = 0.04)": a semicolon inside a bracket parts no clauses
        if boundary.end() <= match.start():
            clause_start = boundary.end()
        elif boundary.start() >= match.end():
            clause_end = boundary.start()
            break
    if clause_end < len(text) and text[clause_end:clause_end + 5].lower().strip() == "and" \
            and not FINITE_VERB.search(text, clause_start, clause_end):
        # "The recurrence of fits and other complications were similar": one subject, not two clauses
        following = RESULT_BOUNDARY.search(text, clause_end + 5)
        clause_end = following.start() if following else len(text)
    opening = text.lstrip()[:20].lower()
    lead = LEADING_CLAUSE.match(text) if opening[:8].startswith(LEADING_WORDS) or (
        opening.startswith(("results:", "results :")) and any(w in opening for w in ("hough", "while", "whereas", "despite"))
    ) else None
    if lead:  # "Although A did not differ between the groups, B was lower with magnesium": two clauses
        if lead.end() <= match.start():
            clause_start = max(clause_start, lead.end())
        elif match.end() < lead.end():
            clause_end = min(clause_end, lead.end() - 1)
    clause = text[clause_start:clause_end]
    low = clause.lower()  # (for the substring tests that spare a regex its run)
    direction = None
    word = None
    said_before = before.lower()
    if any(n in said_before for n in ("except", "but", "apart", "other")) and EXCEPT.search(before):
        direction = "no_change"
    elif word := _clause_null(clause):
        direction = "no_change"
    elif (word := _nearest_direction_word(clause, match.start() - clause_start, match.end() - clause_start)
          or _more_or_less_before(clause, match.start() - clause_start)):
        if lx.WORSENED.fullmatch(word.group(0)):
            direction = "worsened"
        elif GOOD_EFFECT.fullmatch(word.group(0)):
            direction = "improved"  # "a beneficial effect on X": better, whichever way X runs
        elif COMPARATIVE_DOWN.fullmatch(word.group(0)) or word.group(0).lower() == "less":
            direction = "worsened" if higher_is_better else "improved"
        elif lx.IMPROVED.fullmatch(word.group(0)):
            # "a decrease in pain thresholds": less of a measure where more is better is worse
            direction = "worsened" if higher_is_better and DOWN_WORD.match(word.group(0)) else "improved"
        else:
            direction = "improved" if higher_is_better else "worsened"
    if direction is None and "favo" in low and (favour := FAVOUR.search(clause, match.end() - clause_start)):
        # "a between-group difference of 6.6 (p < 0.001) in favour of A": the favoured arm did better
        direction = "worsened" if _arm_term_role(doc, favour.group("what"), arm_list) == "control" else "improved"
        word = favour
    elif direction in ("improved", "worsened") and _said_of_control(doc, clause, match.group(0)):
        # "X was higher in the placebo group than in the magnesium group": the treated arm is the second term
        direction = "worsened" if direction == "improved" else "improved"
    # "Both groups improved in pain; the difference between the groups was not significant": a change
    # within each group, and no difference from the control. The null must be this clause's own, or
    # the clause must speak of both groups (not "the other endpoints did not differ between groups").
    between = (("differ" in low and lx.BETWEEN_NULL.search(clause))
               or ("differ" in text.lower() and BOTH_GROUPS.search(clause) and lx.BETWEEN_NULL.search(text)))
    if direction in ("improved", "worsened") and clause_end < len(text) and " not " in text[clause_end:clause_end + 20] \
            and NOT_AGAINST_CONTROL.match(text, clause_end):
        # "X fell compared with baseline, but not compared with placebo": no difference from the comparator
        direction, word, significant_override_null = "no_change", NOT_AGAINST_CONTROL.match(text, clause_end), True
        clause_end = word.end()
        word = _Found(word.start() - clause_start, word.end() - clause_start, word.group(0))
    else:
        significant_override_null = False
    later_null = _later_null(text, clause_end) if direction in ("improved", "worsened") else None
    if direction in ("improved", "worsened") and not between:
        # "X fell in the A group, without differences among the groups"; "X fell in both groups /
        # from baseline; the difference between groups was not significant"
        between = ((AMONG_NULL.search(clause) if "differen" in low else None)
                   or (later_null and WITHIN_GROUP.search(clause)))
    if direction in ("improved", "worsened") and between:
        direction, word, clause_start, significant_override = "no_change", between, 0, False
    else:
        # "X was lower with A than B; however, the difference was not significant": the direction
        # stays (as with "but not significantly"), the significance is the later clause's
        significant_override = False if later_null else None
    baseline_only = _baseline_only(clause)
    if direction is not None and baseline_only:
        direction, word = None, None  # "the groups were similar at baseline": how they started, not a result
    p_match = None
    for candidate in lx.P_VALUE.finditer(text, match.end(), clause_end if lead and clause_end < lead.end() else len(text)):
        p_match = candidate
        break
    significant = None
    if "signific" in low and lx.NOT_SIGNIFICANT.search(clause) or (direction == "no_change" and "signific" in low):
        significant = False
    elif ("signific" in low or "<" in clause or "≤" in clause) and lx.SIGNIFICANT.search(clause):
        significant = True
    p_value = float(p_match.group("value")) if p_match else None
    if p_value is not None and significant is None and p_match.group("op") in "<≤=":
        significant = p_value < 0.05
    elif (significant and p_value is not None and p_value >= 0.05 and p_match.group("op") in "=>≥"
          and p_match.start() < clause_end):
        significant = False  # "a borderline significant improvement (p = 0.052)": the p-value decides
    if significant_override is not None:
        significant = significant_override
    if significant_override_null:
        significant = False
    if (direction is None and p_value is not None and p_value >= 0.05 and p_match.group("op") in "=>≥"
            and p_match.start() < clause_end + 40 and _figures_compared(text)):
        # "the SF-MPQ score was 2.8 (SD 3.0) with A versus 2.1 (SD 2.5) with B (p = 0.36)": figures compared
        # with no direction word, and a p-value that says no difference
        direction, significant, word = "no_change", False, None
    from_record = direction is None and bool(UNDIRECTED_DIFFERENCE.search(clause) and (
        BEFORE_AFTER.search(clause) or BETWEEN_ARMS.search(clause)))
    if baseline_only:
        from_record, significant, p_match, p_value = False, None, None, None  # (nor for the model to read)
    one_patient = ("one" in low or "single" in low or "1" in low) and ONE_PATIENT.search(clause) is not None
    if one_patient:
        direction, word, from_record = None, None, False  # one person's course is not the group's result
    arm = None
    mentioned = {m.name for m in substance_mentions(text)}
    for candidate in arm_list:
        names = {i["name"] for i in candidate["interventions"]}
        if names and names <= mentioned and not candidate["is_control"]:
            arm = candidate["label"]
    combinations = [a["label"] for a in arm_list if len(a["interventions"]) > 1 and not a["is_control"]]
    if combinations and COMBINATION_WORDS.search(clause):
        arm = combinations[0]
    evidence = [span(doc, sentence.field, sentence.start + match.start(), sentence.start + match.end())]
    if word is not None:
        evidence.append(span(doc, sentence.field, sentence.start + clause_start + word.start(),
                             sentence.start + clause_start + word.end()))
    if p_match is not None:
        evidence.append(span(doc, sentence.field, sentence.start + p_match.start(), sentence.start + p_match.end()))
    evidence.append(sentence_span(doc, sentence))  # the evidence sentence
    population_ = _qualifier_for(doc, sentence)
    outcome = {"measure": key, "label": match.group(0), "arm": arm, "direction": direction,
               "significant": significant, "p_value": p_value,
               # "p < 0.05" is not "p = 0.05": the comparator the text gives, kept beside the value
               "p_value_comparator": (p_match.group("op") or "=") if p_value is not None else None,
               "population": population_, "evidence": evidence}
    if direction is None and "differ" in low and "signific" in low and significant \
            and UNDIRECTED_DIFFERENCE.search(clause):
        outcome["_significant_difference"] = True  # (checked and removed by outcomes())
    if direction in ("improved", "worsened") and WITHIN_GROUP.search(clause) and not AGAINST_ARM.search(clause):
        outcome["_within"] = True  # "fell significantly in each group": a change within the groups only
    elif direction == "no_change" and GROUPS_WORD.search(clause):
        outcome["_between_null"] = True  # "pain levels of the groups were not significantly different"
    if from_record:
        outcome["_direction_from_record"] = True  # (resolved and removed by outcomes())
    elif (direction is None and word is None and (significant is not None or p_value is not None)
          and not one_patient):
        outcome["_model_input"] = (text, match.group(0), higher_is_better)  # (read and removed by outcomes())
    return outcome


# --- which arm a comparison is said of ---------------------------------------------------------------

# The words that join the two terms of a comparison: "higher in A than in B", "A compared with B".
COMPARED = re.compile(r"\b(?:than|compared\s+(?:with|to)|in\s+comparison\s+(?:with|to)|versus|vs\.?|relative\s+to|"
                      r"as\s+against)(?=\W)", re.I)
COMPARED_NEEDLES = ("than", "compar", "versus", "vs", "relative to", "as against")
# A comparative said of one term: "placebo patients needed more rescue analgesia".
COMPARATIVE = re.compile(r"\b(?:more|less|higher|lower|greater|fewer|longer|shorter|larger|smaller|better|worse)\b", re.I)
# Words that name a control arm, or an arm given only the background treatment ("ropivacaine alone").
CONTROL_TERM = re.compile(r"\b(?:placebo|controls?|saline|sham|vehicle|untreated|usual\s+care|standard\s+care|"
                          r"no\s+treatment|alone)\b(?!-)", re.I)
CONTROL_NEEDLES = ("placebo", "control", "saline", "sham", "vehicle", "untreated", "usual care", "standard care",
                   "no treatment", "alone")
# The short names of arms: "R", "RM", "PG".
LETTERS = re.compile(r"\b[A-Z][A-Za-z0-9]{0,3}\b")
CONTROL_SUBSTANCES = frozenset({"placebo", "saline", "vehicle", "water", "sham", "sugar", "lactose", "starch"})
# Words that name a treated arm without its substance: "the treatment group", "the study group".
TREATED_TERM = re.compile(r"\b(?:treatment|treated|intervention|experimental|study|active|observation|verum)\s+"
                          r"(?:groups?|arms?|patients)\b", re.I)
# An arm named by letters: "corresponding volume of normal saline (group R)", "(RM group)", "Group C received
# saline": what the group was given, for telling a control's letters from a treated arm's.
GROUP_IN_BRACKET = re.compile(r"\(\s*(?:[Gg]roups?\s+(?P<name>[A-Z][A-Za-z0-9]{0,3})|(?P<name2>[A-Z][A-Za-z0-9]{0,3})\s+"
                              r"[Gg]roups?)\s*[),;]")
GROUP_GIVEN = re.compile(r"\b[Gg]roups?\s+(?P<name>[A-Z][A-Za-z0-9]{0,3})\b\s*(?:\([^()]{0,20}\)\s*)?(?:received|was\s+given|"
                         r"were\s+given|got|had)\s+(?P<what>[^,;.]{1,80})")
# The other term of a comparison names an arm: "than in the X group", "than those given X".
OTHER_ARM = re.compile(r"\b(?:groups?|arms?|patients|subjects|participants|those|recipients|users)\b", re.I)
TERM_START = re.compile(r"[,;(]|\b(?:or|either|and|with)\s", re.I)


def _group_names(doc: Document) -> dict[str, bool]:
    """Arms the record names by letters, each True when it is a control (given placebo, saline,
    nothing, or the background treatment alone) and False when treated: ``{"R": True, "RM":
    False}`` for "magnesium 50 mg in saline (group RM) ... or the same volume of saline (group R)".
    Cached on the document."""
    names = doc._found.get("group_names")
    if names is not None:
        return names
    names = doc._found["group_names"] = {}
    if "group" not in _lower_text(doc):
        return names
    for field in doc.text_fields:
        text = doc.fields[field]
        if "roup" not in text:
            continue
        for match in GROUP_IN_BRACKET.finditer(text):
            before = text[max(0, match.start() - 100):match.start()]
            cut = [m.end() for m in TERM_START.finditer(before)]
            names.setdefault(match.group("name") or match.group("name2"), _role(before[cut[-1] if cut else 0:]))
        for match in GROUP_GIVEN.finditer(text):
            names.setdefault(match.group("name"), _role(match.group("what")))
    names = doc._found["group_names"] = {name: role for name, role in names.items() if role is not None}
    return names


def _role(what: str) -> bool | None:
    """True when words describing an arm name a control, False when they name something given
    beyond it (any substance but an inert one), None when they say neither."""
    if any(m.substance not in CONTROL_SUBSTANCES for m in substance_mentions(what)):
        return False
    return True if CONTROL_TERM.search(what) else None


def _term_roles(term: str, names: dict[str, bool], shared: set[str]) -> tuple[bool, bool]:
    """Whether one term of a comparison names a control, and whether it names a treated arm (a
    substance the other term does not also name, a treated group's words or letters)."""
    control = bool(CONTROL_TERM.search(term)) if any(n in term.lower() for n in CONTROL_NEEDLES) else False
    treated = any(m.substance not in CONTROL_SUBSTANCES and m.name not in shared for m in substance_mentions(term))
    treated = treated or bool(TREATED_TERM.search(term))
    if names:
        for word in LETTERS.findall(term):
            if word in names:
                control, treated = (control or names[word]), (treated or not names[word])
    return control, treated


def _said_of_control(doc: Document, clause: str, measure: str = "") -> bool:
    """Whether a result clause says its direction of the control arm, so that the treated arm's is
    the opposite: "X was higher in the placebo group than in the magnesium group", "Compared with
    magnesium, saline patients needed more rescue analgesia", "Group R (saline) had higher pain
    scores compared with groups RM and RD", "placebo patients needed more rescue analgesia". A
    comparison with baseline, or one whose terms both or neither name a control, is not."""
    lowered = clause.lower()
    names = _group_names(doc) if "roup" in clause else {}  # (letters name an arm as "group R", "groups RM and RD")
    if not any(n in lowered for n in CONTROL_NEEDLES) and not (names and any(n in clause for n in names)):
        return False  # (the common case: no control named in the clause)
    marker = COMPARED.search(clause) if any(n in lowered for n in COMPARED_NEEDLES) else None
    if marker is None:
        if not COMPARATIVE.search(clause):
            return False  # "pain fell in the placebo group": a change within the control arm, not a comparison
        subject, reference = clause, ""
    elif not clause[:marker.start()].strip(" ,(").strip() or clause[:marker.start()].strip().lower() in ("when", "as", "and"):
        rest = clause[marker.end():]
        comma = rest.find(",")
        if comma < 0:
            return False
        subject, reference = rest[comma + 1:], rest[:comma]  # "Compared with magnesium, saline patients ..."
    else:
        subject, reference = clause[:marker.start()], clause[marker.end():marker.end() + 80]
    if not (CONTROL_TERM.search(subject) or any(names.get(w) for w in LETTERS.findall(subject))):
        return False  # (the subject names no control: the usual "lower with magnesium than placebo")
    if measure and measure in subject:
        # "the placebo group received more morphine doses than": the drug of the measure names no arm
        subject = subject.replace(measure, " ")
    shared = {m.name for m in substance_mentions(subject)} & {m.name for m in substance_mentions(reference)}
    subject_control, subject_treated = _term_roles(subject, names, shared)
    if not subject_control or subject_treated:
        return False
    if not reference:
        return True
    reference_control, reference_treated = _term_roles(reference, names, shared)
    # "than in the thrombolytic group", "than in those given the cream": another arm than the control
    return (reference_treated or OTHER_ARM.search(reference) is not None) and not reference_control


# "..., but not compared with placebo", "but not in comparison to the control period": the change was
# against baseline only.
NOT_AGAINST_CONTROL = re.compile(r"\s*,?\s*but\s+not\s+(?:when\s+|in\s+comparison\s+(?:with|to)|compared\s+(?:with|to)|"
                                 r"relative\s+to|versus|vs\.?|against)\s*(?:the\s+|a\s+)?(?:\w+\s+){0,2}?(?:placebo|"
                                 r"controls?|sham|saline|usual\s+care)\b", re.I)
# A verb that makes a clause of a subject: without one, "X and other Y were similar" is one subject.
FINITE_VERB = re.compile(r"\b(?:was|were|is|are|had|has|have|did|does|showed|remained|\w{3,}ed)\b", re.I)
# A sentence opened by a subordinate clause: "Although A did not differ, B ...", "While A fell, B ...".
LEADING_WORDS = ("although", "though", "while", "whereas", "even tho", "despite")
LEADING_CLAUSE = re.compile(r"\s*(?:results?\s*:\s*)?(?:although|though|while|whereas|even\s+though|despite)\b[^,;]{3,200}?,\s*",
                            re.I)


# The clause after a result that says its difference was not significant: "; however, the difference
# between the groups was not statistically significant", "but this was not significant", "but not
# significantly", "without differences among the 3 groups".
LATER_NULL = re.compile(
    r"\s*[;,]?\s*(?:(?:but|however|although|though|yet)\b[,]?\s*)?(?:"
    r"(?:the|this|these|that)\s+(?:between[\s-]+(?:group|treatment|arm)s?\s+)?(?:\w+\s+)?(?:differences?|effects?|changes?|"
    r"reductions?|increases?|improvements?)(?:\s+between\s+(?:the\s+)?(?:\w+\s+)?(?:groups|treatments|arms|regimens))?"
    r"\s+(?:was|were|did|is|are)\s+not\s+(?:statistically\s+)?(?:significant|reach)|"
    r"(?:this|it|they|these|those)\s+(?:was|were|did)\s+not\s+(?:statistically\s+)?(?:significant|reach)|"
    r"not\s+(?:statistically\s+)?significantly\b|"
    r"(?:with|without)\s+(?:no\s+|any\s+)?(?:significant\s+)?differences?\s+(?:between|among)\s+(?:the\s+)?(?:\w+\s+)?"
    r"(?:groups|arms|treatments))", re.I)
# "..., without differences among the groups": the null of the same clause.
AMONG_NULL = re.compile(r"\bwith(?:out|\s+no)\s+(?:any\s+)?(?:significant\s+)?differences?\s+(?:between|among)\s+"
                        r"(?:the\s+)?(?:\w+\s+)?(?:groups|arms|treatments)", re.I)
# A clause about a change within groups: "in both groups", "both after A and B", "from baseline".
WITHIN_GROUP = re.compile(r"\b(?:both|all|each)\s+(?:two\s+|three\s+)?(?:groups|arms)\b|\bin\s+(?:both|each|all)\b|"
                          r"\bboth\s+(?:after|with|in|on|under|for|during)\b|\bwithin[\s-]+(?:the\s+)?groups?\b|"
                          r"\bfrom\s+baseline\b|\bcompared\s+(?:with|to)\s+baseline\b", re.I)
# A change said as the good it did: "a beneficial effect on X", "favourable effects on X".
GOOD_EFFECT = re.compile(r"\b(?:beneficial|favou?rable)\s+effects?\b", re.I)
# The arm a difference favours: "in favour of A", "favoured A over B" (the favoured term follows).
FAVOUR = re.compile(r"\b(?:in\s+favou?r\s+of|favou?r(?:ed|ing|s))\s+(?:the\s+)?(?P<what>[^,;.()]{1,60})", re.I)
# An association said as a condition: "X was lower when Y was higher" (how two measures go together, not
# what a treatment did).
ASSOCIATION = re.compile(r"\bwhen\s+(?:the\s+|their\s+)?[\w\s/-]{1,60}?\s+(?:was|were|is|are)\s+(?:\w+ly\s+)?"
                         r"(?:higher|lower|greater|smaller|larger|longer|shorter|better|worse|increased|decreased|elevated|"
                         r"reduced)\b", re.I)
# A comparison against another arm (not against baseline): the clause compares the groups itself.
AGAINST_ARM = re.compile(r"\bthan\b|\bversus\b|\bvs\b|\b(?:compared|in\s+comparison)\s+(?:with|to)\s+(?!baseline|before|pre)", re.I)
# A null said of the groups: "between the groups", "of the two arms".
GROUPS_WORD = re.compile(r"\b(?:groups|arms|between)\b", re.I)
# A comparison of the groups before treatment: "similar at baseline", "baseline characteristics were comparable".
BASELINE = re.compile(r"\bat\s+(?:baseline|entry|inclusion|randomi[sz]ation|study\s+entry)\b|\bbaseline\s*:|"
                      r"\bdemographic\s+(?:data|profiles?|variables|parameters|features)\b|\b(?:pre-?treatment|"
                      r"demographic|clinical|patient|participant)s?\s+characteristics\b|\bbaseline\s+(?:characteristics|"
                      r"values|data|scores?|levels?|measures?|demographics?|variables)\b|\bbefore\s+(?:treatment|"
                      r"randomi[sz]ation|the\s+intervention)\b", re.I)


# Nulls said otherwise than ``lexicon.NO_CHANGE``: "no significant increases in X", "did not lead to
# additional reductions".
NULL_OTHERWISE = re.compile(r"\bno\s+(?:(?:statistically\s+)?significant\s+|further\s+|additional\s+)?(?:increases?|"
                            r"decreases?|reductions?|rises?|falls?|worsening)\b|\bdid\s+not\s+(?:lead|result)\s+(?:to|in)\b|"
                            # "X was not reduced by A": the passive said not
                            r"\b(?:was|were)\s+not\s+(?:\w+ly\s+)?(?:reduced|decreased|increased|lowered|elevated|raised|"
                            r"prolonged|shortened)\b|"
                            # "Both groups showed statistically similar improvement of X": the same change, no difference
                            r"\b(?:statistically\s+)?(?:similar|comparable)\s+(?:improvements?|reductions?|decreases?|"
                            r"increases?|changes?|declines?)\b", re.I)


def _null_said_otherwise(clause: str) -> re.Match | None:
    """``NULL_OTHERWISE`` in a clause (with a cheap pre-test), or None."""
    lowered = clause.lower()
    if "no " not in lowered and "did not" not in lowered and " not " not in lowered and "similar" not in lowered \
            and "comparable" not in lowered:
        return None
    return NULL_OTHERWISE.search(clause)


def _later_null(text: str, clause_end: int) -> re.Match | None:
    """The null said of a result in the clause right after it (``LATER_NULL``), or None."""
    if clause_end >= len(text) or "not" not in text[clause_end:].lower() and "differen" not in text[clause_end:].lower():
        return None
    return LATER_NULL.match(text, clause_end)


def _baseline_only(clause: str) -> bool:
    """Whether a clause compares the groups at baseline ("the groups were similar at baseline in
    pain scores") rather than reporting a result ("pain fell from baseline", "lower than at baseline")."""
    lowered = clause.lower()
    if not any(n in lowered for n in ("baseline", "entry", "before", "randomi", "characteristics", "demographic")):
        return False
    found = BASELINE.search(clause)
    if found and found.group(0).lower().startswith("demographic") and clause[:found.start()].strip().lower() not in (
            "", "the", "their", "results: the", "results:") and not NULL_BEFORE.search(clause, 0, found.start()):
        return False  # demographics named, but the null said of something else
    return bool(found and lx.NO_CHANGE.search(clause) and not re.search(r"\b(?:than|from|vs\.?|versus)\s+(?:at\s+)?$",
                                                                          clause[max(0, found.start() - 12):found.start()]))


# A null said right before what it is said of: "no differences in [demographic data]", "similar [demographic profile]".
NULL_BEFORE = re.compile(r"(?:\bno\s+(?:significant\s+)?differences?\s+(?:in|of|regarding)|\bsimilar|\bcomparable)\s+"
                         r"(?:\w+\s+)?$", re.I)


# Who a result is about when it is not everyone randomised: a subgroup, the completers, an open
# phase after the blinded one. The result keeps it; the blinded, whole-group result decides a claim.
QUALIFIERS = [
    ("open_label", re.compile(r"\bopen[\s-]label\s+(?:phase|extension|period|part|follow-up)|\bduring\s+the\s+open\b|"
                              r"\bin\s+the\s+open[\s-]label\b|\bopenly\b|\bunblinded\s+(?:phase|extension|period)", re.I)),
    ("per_protocol", re.compile(r"\bper[\s-]protocol\b|\bcompleters?\s+analys\w*|\bamong\s+(?:the\s+)?completers\b", re.I)),
    ("subgroup", re.compile(r"\bsub-?groups?\b(?:\s+(?:of|with)\s+[^,;.()]{3,50})?|\bin\s+(?:the\s+)?(?:patients|participants|women|"
                            r"men|those|subjects)\s+with\s+(?:mild|moderate|severe|high|low|higher|lower|baseline|more|less)"
                            r"\b[^,;.()]{0,50}", re.I)),
]


def _qualifier(text: str) -> dict | None:
    """``{"kind": "subgroup" | "per_protocol" | "open_label", "text": ...}`` when a result sentence
    says whom it is about ("in patients with mild to moderate stress"), else None (a new dict each
    call: the caller may keep it in a record)."""
    found = _qualifier_of(text)
    return {"kind": found[0], "text": text[found[1]:found[2]].strip()} if found else None


def _phase(doc: Document, sentence: Sentence) -> str | None:
    """The open phase a sentence is about when an earlier sentence opened it (``statements.phase_of_sentences``)."""
    phases = doc._found.get("phases")
    if phases is None:
        lowered = _lower_text(doc)
        if not any(word in lowered for word in ("open", "extension", "continuation", "unblind")):
            phases = doc._found["phases"] = {}  # (no phase named: the common case, kept cheap)
        else:
            listed = [s for s in sentences(doc) if s.field != "title"]
            phases = doc._found["phases"] = dict(zip(((s.field, s.start) for s in listed),
                                                     phase_of_sentences([s.text for s in listed])))
    return phases.get((sentence.field, sentence.start))


def _qualifier_for(doc: Document, sentence: Sentence) -> dict | None:
    """Whom a result sentence is about: its own qualifier ("in patients with mild stress",
    "per-protocol"), else the open phase an earlier sentence opened ("In a following open-label
    phase ... . Pain fell.": the second sentence is about the open phase too); None for everyone
    randomised in the main comparison."""
    own = _qualifier(sentence.text)
    if own is not None:
        return own
    phase = _phase(doc, sentence)
    return {"kind": "open_label", "text": phase} if phase else None


@lru_cache(maxsize=1024)
def _qualifier_of(text: str) -> tuple[str, int, int] | None:
    """A sentence's own qualifier as ``(kind, start, end)`` (the first kind of ``QUALIFIERS`` that
    matches), or None. Its span says whom a result is about, so no measure is read from it ("in
    patients with mild to moderate stress" is no measure "stress")."""
    for kind, pattern in QUALIFIERS:
        match = pattern.search(text)
        if match:
            return kind, match.start(), match.end()
    if text[:12].lstrip().lower().startswith("among "):
        match = AMONG_SOME.match(text)  # "Among patients who had ...": a subgroup opens the sentence
        if match:
            return "subgroup", match.start(), match.end()
    return None


AMONG_SOME = re.compile(r"\s*among\s+(?:the\s+)?(?:patients|participants|subjects|women|men|children|those)\s+(?:who|"
                        r"submitted|undergoing|receiving|given|treated|aged|older|younger|operated)\b[^,;]{0,80}", re.I)


def _inside_qualifier(text: str, at: int) -> bool:
    """Whether offset ``at`` of a sentence lies inside the sentence's own qualifier."""
    found = _qualifier_of(text)
    return found is not None and found[1] <= at < found[2]


# Speed: the patterns searched most often, behind a look-ahead of the characters they can start
# with (``fastre.led``: the same matches, found faster). Kept last, to cover whatever they become.
from .fastre import led  # noqa: E402

BLANKET_NULL, BOTH_GROUPS, ONE_PATIENT, AND_OTHER = map(led, (BLANKET_NULL, BOTH_GROUPS, ONE_PATIENT, AND_OTHER))
RESULT_CLAUSE, GENERAL_CLAIM = map(led, (RESULT_CLAUSE, GENERAL_CLAIM))
QUALIFIERS[:] = [(kind, led(pattern)) for kind, pattern in QUALIFIERS]
GROUP_GIVEN, GROUP_IN_BRACKET, RESULT_BOUNDARY = map(led, (GROUP_GIVEN, GROUP_IN_BRACKET, RESULT_BOUNDARY))
