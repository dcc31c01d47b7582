"""Arms: which substances were given to participants as part of the study, grouped into the arms
of its design (tested and control arms, combinations, background co-medication, dose cohorts).

The substances a text names come from ``substances``; each arm's dose, frequency and route are read
by ``doses``; arm sizes tied to an arm's name elsewhere in the text by ``arm_sizes``. How long the
treatment lasted is ``duration``'s job."""

from __future__ import annotations

import re
from functools import lru_cache

from . import lexicon as lx
from .text import (Document, Sentence, _dedupe, _find, _find_if, _kind, _lower_text, _may_say, _said, sentence_span,
                   sentences, span)
from .design import DESIGN_CUES
from .arm_sizes import _subgroup, fill_arm_sizes
from .arm_syntax import syntax_arms
from .population import population
from .substances import Mention, substance_mentions
from .doses import (DOSE_KEYS, _assign_doses, _dose_mg, _frequency, _round, _route, _route_words, percent_volume_dose,
                    read_dose)
from .interventions import AGENT_FROM, NON_DRUG, abbreviation_sites, defined_at, intervention_mentions, vocabulary_in
from .intervention_model import model_arms

__all__ = ["Mention", "arms", "substance_mentions"]  # (substance_mentions: still imported from here by outcomes)


@lru_cache(maxsize=64)
def _sites(whole: str) -> dict[str, int]:
    """The abbreviations a record's text may define (``interventions.abbreviation_sites``), cached."""
    return abbreviation_sites(whole)


@lru_cache(maxsize=256)
def _defined(whole: str, abbr: str, at: int) -> tuple[str, str, str | None, str | None] | None:
    """(abbreviation, name, substance, form) of what ``abbr`` stands for in the record, or None."""
    mention = defined_at(whole, abbr, at)
    return None if mention is None else (abbr, mention.name, mention.substance, mention.form)


def _context(doc: Document, text: str) -> tuple:
    """What a sentence ``text`` of ``doc`` can name beyond the substance lexicon: the entries of the
    ``interventions`` vocabulary the record's arms sentences may hold (read once by ``arms``), and
    the abbreviations the record defines for an intervention that the sentence uses, as (entries,
    ((abbreviation, name, substance, form), ...)). The same for the sentence's pieces."""
    key = ("arm_context", text)
    if key in doc._found:
        return doc._found[key]
    if doc._found.get("arm_abbreviations") is False:  # (a record that allocates nobody: the lexicon alone)
        return (), ()
    whole = _whole(doc)
    defined = []
    for abbr, at in _sites(whole).items():
        if abbr in text:
            found = _defined(whole, abbr, at)
            if found is not None:
                defined.append(found)
    defined = tuple(defined) + doc._found.get("model_names", ())  # (names the tagger found: model_arms)
    entries = doc._found.get("arm_vocabulary")
    if entries is None:
        entries = vocabulary_in(text)
    if entries and entries[0] < AGENT_FROM and not _allocates(text):
        entries = tuple(e for e in entries if e >= AGENT_FROM)  # (no treatment that is no drug here)
    found = doc._found[key] = entries, defined
    return found


def _allocates(text: str) -> bool:
    """Whether a sentence allocates people or speaks of groups: where a treatment that is no drug
    ("exercise", "massage") may be an arm (not "during rest and exercise")."""
    return ALLOCATED.search(text) is not None or GROUP_WORDS.search(text) is not None


@lru_cache(maxsize=512)
def _mentions(text: str, context: tuple = ((), ())) -> list[Mention]:
    """Every intervention ``text`` names, in text order: the substances of ``substance_mentions``,
    the non-drug treatments, classes and regimens of ``interventions``, and each abbreviation the
    record defines where it stands as a word, except in the bracket that defines it (``context``:
    what ``_context`` read of the sentence ``text`` is part of). A name inside a longer one found
    first is dropped. Cached per text."""
    found = substance_mentions(text)
    entries, defined = context
    extra = list(intervention_mentions(text, entries)) if entries else []
    for abbr, name, substance, form in defined:
        if abbr not in text:
            continue
        for at in _word_at(text, abbr):
            if not (text[at - 1:at] == "(" and text[at + len(abbr):at + len(abbr) + 1] == ")"):
                extra.append(Mention(name, substance, form, at, at + len(abbr)))
    if not extra:
        return found
    kept = list(found)
    for mention in sorted(extra, key=lambda m: (m.start, -m.end)):
        if not any(k.start < mention.end and mention.start < k.end for k in kept):
            kept.append(mention)
    return sorted(kept, key=lambda m: m.start)


def _whole(doc: Document) -> str:
    """The record's text fields joined by spaces (once per record)."""
    whole = doc._found.get("whole")
    if whole is None:
        whole = doc._found["whole"] = " ".join(doc.fields[f] for f in doc.text_fields)
    return whole


def _word_at(text: str, word: str) -> list[int]:
    """Where ``word`` stands in ``text`` as a whole word (case as written)."""
    found, at = [], text.find(word)
    while at >= 0:
        end = at + len(word)
        if (at == 0 or not text[at - 1].isalnum()) and (end == len(text) or not text[end].isalnum()):
            found.append(at)
        at = text.find(word, end)
    return found


# --- arms and interventions -------------------------------------------------------------------------

ARM_SENTENCE = re.compile(r"\b(?:assigned|allocated|randomi[sz]\w*|randomly|received|receiv\w*|took|gave|given|"
                          r"capsules?|sachets?|intervention\s+(?:was|consisted)|"
                          r"compar(?:ed|ing)|versus|vs\.?|"
                          r"doses?\s+of|"
                          r"either|or\s+(?:a\s+)?placebo|spray|sprayed|applied|apply|combining|pairs|tablets?|treated|"
                          r"supplement\w*|administ\w*|infusions?\s+of|injections?\s+of)\b", re.I)
# The figures of a result: a p-value, a mean ± SD, a confidence interval.
RESULT_FIGURES = re.compile(r"\b[pP]\s*[<=≤>]\s*0?\.\d|±|\b95\s*%\s*CI\b")
# What ARM_SENTENCE needs (lower case): one of these in a sentence before the regex is run.
ARM_NEEDLES = ("assign", "allocat", "random", "receiv", "took", "gave", "given", "capsule", "sachet", "intervention",
               "compar", "versus", "vs", "dose", "either", "placebo", "spray", "appl", "combin", "pairs", "tablet",
               "treated", "supplement", "administ", "infusion", "injection")
PLACEBO_OR_SALINE = re.compile(r"\b(?:placebo|saline|sham)\b", re.I)
# (not "oxazepam (active placebo)": another drug standing in for a placebo is that drug's arm)
PLACEBO_ARM = re.compile(r"(?<!active\s)\bplacebos?\b(?![\s-]+controlled)|\blook-alike\b", re.I)
GROUP_WORDS = re.compile(r"\b(?:groups?|arms?)\b", re.I)
ARM_SPLIT = re.compile(r";|,?\s+or\s+(?:a\s+|an\s+)?|\s+versus\s+|\s+vs\.?\s+|\s+compared\s+(?:with|to)\s+|,\s+(?=\d|[a-z])|"
                       r",?\s+and\s+(?=group\s+\w+\b|the\s+(?:\w+\s+){1,2}group\s+received)|"
                       # "placebo, A, B and combined (A plus B)", "... and (d) placebo": the last item of a list of arms
                       r",?\s+and\s+(?=(?:the\s+|a\s+)?(?:combined|combination)\b|\(\s*(?:[a-h]|[1-9]|i{1,3}|iv)\s*\)\s)", re.I)
COMBINE = re.compile(r"\s(?:plus|\+|combined\s+with|together\s+with|with\s+the\s+addition\s+of)\s|\s\+\s|\bboth\b|"
                     # "a combination of A and B", "A and B in combination", "a mixture of A and B", "A and B combined"
                     r"\b(?:combination|mixture)\s+of\b|\bin\s+combination\b|\bcombined\b", re.I)
# "two groups of 20": one size for every arm of the sentence. (An "(n = K)" belongs to the arm it follows,
# or is everyone's: ``arm_sizes`` reads it with the arm's name.)
GROUP_SIZE = re.compile(rf"\bgroups?\s+of\s+(?P<n>{lx.NUMBER})\b(?!\s*(?:mg|g|µg|μg|mcg|mmol|iu|ml)\b)", re.I)
# The size of one arm said in its own piece: "27 were treated with amitriptyline", "magnesium (n = 15)".
CHUNK_N = re.compile(rf"(?:^|:)\W*(?:(?:and|while|whereas)\s+)?(?P<n>{lx.NUMBER})\s+(?:\w+\s+)?(?:were|was|took|received|"
                     rf"got|had)\b|\(\s*n\s*=\s*(?P<n2>\d+)\s*\)", re.I)


# A drug the patients were already on when randomised to something else: background, in every arm.
# (Read on the 80 characters before the drug's name: its longest form is far shorter.)
BACKGROUND_BEFORE = re.compile(r"\b(?:on|taking|receiving|(?:being\s+|already\s+)?treated\s+with|undergoing|"
                               r"already\s+(?:on|taking|receiving)|in\s+addition\s+to|"
                               r"added\s+to|add[\s-]on\s+to|on\s+top\s+of)\s+(?:stable\s+|a\s+stable\s+dose\s+of\s+|"
                               r"stable\s+doses\s+of\s+|their\s+(?:usual\s+)?)?$|"
                               # "undergoing chemotherapy with cisplatin", "receiving adjuvant tamoxifen"
                               r"\b(?:undergoing|receiving|treated\s+with)\s+(?:[\w-]+\s+){1,2}?(?:with\s+|of\s+)?$", re.I)
RANDOMISED_AFTER = re.compile(r"\b(?:randomi[sz]\w*|assigned|allocated|to\s+add)\b", re.I)


# After a substance: it is measured, eaten or lacking, not given ("magnesium levels", "Mg-deficient
# rats", "magnesium intake", "magnesium ion"), or it acts ("magnesium blocks the receptor").
NOT_GIVEN_AFTER = re.compile(
    r"[)\s-]*(?:\(\s*mg\s*\)[\s-]*)?(?:2\+|\+\+)?[\s-]*(?:ions?\b|levels?|concentrations?|status|content|contents|intake|"
    r"deficien\w*|deplet\w*|depriv\w*|excretion|retention|homeostasis|balance|load\w*|values?|profile|"
    r"measurements?|blocks?|is\s+(?:an?\s+)?(?:known|essential|physiological|natural|cofactor)|plays?|"
    r"(?:free|restricted|rich|poor)\b|in\s+(?:the\s+)?(?:serum|plasma|blood|urine|muscles?|cells?|diet))", re.I)
# Before a substance: a compartment or a measurement ("serum magnesium", "free Mg2+", "dosage of").
MEASURED_BEFORE = re.compile(r"(?:serum|plasma|blood|erythrocyte|red[\s-]+(?:blood[\s-]+)?cell|RBC|urinary|urine|"
                             r"muscle|intracellular|ioni[sz]ed|free|total|dietary|tissue|hair|cellular|"
                             r"serum\s+dosage\s+of|levels?\s+of|concentrations?\s+of|deficiency\s+of|"
                             r"intake\s+of|status\s+of)\s+$", re.I)
# A diagnostic load, a tolerance or retention test: magnesium given to measure status, not to treat.
LOAD_TEST = re.compile(r"\b(?:load(?:ing)?|tolerance|retention|challenge)\s+test|\bafter\s+(?:oral\s+)?loading\b", re.I)


# Before a substance: what the participants had before or failed on, not what the study gave ("refractory
# to gabapentin", "despite opioids", "after failure of amitriptyline", "intolerant of pregabalin").
PRIOR_BEFORE = re.compile(r"\b(?:refractory|resistant|unresponsive|intolerant|intolerance|allergic|allergy)\s+(?:to|of)\s+"
                          r"(?:\w+\s+){0,2}$|\b(?:despite|failed|failure\s+of|previously\s+(?:treated\s+with|on)|"
                          r"prior|previous)\s+(?:\w+\s+){0,2}$", re.I)
PRIOR_NEEDLES = ("refractory", "resistant", "unresponsive", "intoleran", "allerg", "despite", "fail", "previous", "prior")


# Saline as the vehicle another substance is given in, not an arm: "magnesium 50 mg in normal saline
# 1 mL", "diluted in 100 ml of saline", "in a total volume of 20 ml saline". (Not "in the saline group".)
VEHICLE_BEFORE = re.compile(r"(?:\b(?:diluted|dissolved|made\s+up|mixed|reconstituted|prepared)\s+(?:\w+\s+){0,3}?"
                            r"(?:in|with|to)|\bin\s+(?:a\s+)?(?:total\s+)?(?:volume\s+of\s+)?\d+(?:\.\d+)?\s*(?:ml|cc|l)"
                            r"(?:\s+of)?)\s+(?:(?:normal|isotonic|physiological|0\.9\s*%)\s+)?$", re.I)
IN_BEFORE = re.compile(r"\bin\s+(?:(?:normal|isotonic|physiological|0\.9\s*%)\s+)?$", re.I)
VOLUME_AFTER = re.compile(r"\s*(?:\(\s*)?\d+(?:\.\d+)?\s*(?:ml|cc)\b", re.I)


def _vehicle(text: str, mention: "Mention") -> bool:
    """Whether the saline named at ``mention`` is the vehicle of a dose said before it ("in 100 ml of
    saline", "in normal saline 1 mL"), not a control arm's saline."""
    before = text[max(0, mention.start - 60):mention.start]
    if " in " not in before and "in " not in before[:3] and not any(
            w in before for w in ("diluted", "dissolved", "made up", "mixed", "reconstituted", "prepared")):
        return False
    return bool(VEHICLE_BEFORE.search(before) or (IN_BEFORE.search(before) and VOLUME_AFTER.match(text, mention.end)))


# Before a treatment: it was withheld ("without massage", "no exercise", "neither ... nor acupuncture"), or
# it is when something was measured ("during rest and exercise", "after exercise").
WITHHELD_BEFORE = re.compile(r"\b(?:without|no|nor|not|avoid\w*|refrain\w*\s+from|during|after|before|while|"
                             r"(?:at\s+)?rest\s+and)\s+(?:any\s+|further\s+|the\s+)?$", re.I)


# A drug named as the placebo it stands for, in brackets after it: "15 mg of oxazepam (active placebo)" (not "an
# active placebo spray of pepper": there the placebo is the arm).
ACTIVE_PLACEBO_BEFORE = re.compile(r"\(\s*(?:an?\s+|the\s+)?active\s+$", re.I)


def _given(text: str, mention: "Mention") -> bool:
    """Whether a substance named in an arms sentence is something given to the participants: not a
    measured or lacking substance, nor a treatment the participants had before or failed on, nor the
    saline a dose was diluted in."""
    if mention.substance == "saline" and _vehicle(text, mention):
        return False
    if mention.name == "placebo" and ACTIVE_PLACEBO_BEFORE.search(text, max(0, mention.start - 12), mention.start):
        return False  # "15 mg of oxazepam (active placebo)": the drug named is the comparator, no placebo arm
    if mention.substance in (None, "placebo", "saline"):
        return True
    if mention.substance in NON_DRUG and WITHHELD_BEFORE.search(text, max(0, mention.start - 30), mention.start):
        return False  # "applied without massage", "no exercise": a treatment withheld, not given
    # (MEASURED_BEFORE ends at the name and its longest words are far shorter than 40 characters)
    if NOT_GIVEN_AFTER.match(text, mention.end) or MEASURED_BEFORE.search(text, max(0, mention.start - 40), mention.start):
        return False
    before = text[max(0, mention.start - 50):mention.start]
    lowered = before.lower()
    for needle in PRIOR_NEEDLES:  # (a loop over the text lowered once: the cheap test before the regex)
        if needle in lowered:
            return PRIOR_BEFORE.search(before) is None
    return True


def arms(doc: Document) -> list[dict]:
    """The study's arms: those ``_lexicon_arms`` reads from the names the lexicons know, or, where
    that finds no tested arm, those the trial's syntax names (``arm_syntax.syntax_arms``: "randomised
    to A or B", "an A group of 20 and a B group of 21", "A versus B" in a trial's title), each sized
    as any arm is (``arm_sizes.fill_arm_sizes``); where the syntax names none either, the lexicon
    reading again with the names the learned tagger finds (``intervention_model.model_arms``; off
    unless ``intervention_model.options(arms=True)``). The arms a lexicon found stay when neither reads
    any. Returns arms as in the schema (``label``, ``n``, ``is_control``, ``interventions``)."""
    result = _lexicon_arms(doc)
    if len(result) == 1 and not result[0]["is_control"]:  # one tested arm and no other: the allocation may say more
        found = _with_lexicon_arms(syntax_arms(doc, allocation_only=True), result)
    elif any(not a["is_control"] for a in result):
        return result
    else:
        found = syntax_arms(doc)
        if not found:  # (the tagger last: the dearest reading, and the less precise one)
            return model_arms(doc, _lexicon_arms) or result
    if not found:
        return result
    said = [a["n"] for a in found]
    fill_arm_sizes(doc, found)
    for arm, n in zip(found, said):  # (the count the allocation gives an arm is its own: "A (n = 41) or B")
        arm["n"] = n if n is not None else arm["n"]
    _crossover_sizes(doc, found)
    return found


def _with_lexicon_arms(found: list[dict], lexicon_arms: list[dict]) -> list[dict]:
    """The arms an allocation sentence names (``found``, two or more), each replaced by the arm the
    lexicon read (``lexicon_arms``: its dose, route and form) where that arm's name or substance is
    the syntax arm's name or a word of it ("randomised to a needle-knife group or a physiotherapy
    group": the lexicon's physiotherapy arm), with the count the allocation gives it where it gives
    one. [] when ``found`` has fewer than two arms."""
    if len(found) < 2:
        return []
    matches = []
    for arm in found:
        words = arm["label"].split()
        matches.append(next((a for a in lexicon_arms if any(
            (i["name"] == arm["label"] or (i["substance"] or i["name"]) in words or i["name"] in words)
            for i in a["interventions"] if not i.get("background"))), None))
    merged = []
    for arm, same in zip(found, matches):
        # a lexicon arm that two syntax arms would both become ("WB exercise, NWB exercise": the lexicon's one
        # "exercise") names neither: the allocation's own names are kept apart
        if same is None or sum(m is same for m in matches) > 1:
            merged.append(arm)
        else:
            merged.append({**same, "n": arm["n"] if arm["n"] is not None else same["n"]})
    return merged


def _gated_sentences(doc: Document) -> list[tuple]:
    """The sentences ``_lexicon_arms`` reads further, as (sentence, ARM_SENTENCE match or None, the
    DOSE matches or None, the sentence lower-cased): those with words of giving or allocating, or
    groups and a dose. Sets ``doc._found["arm_vocabulary"]`` and ``["arm_abbreviations"]`` (whether
    the record allocates people). Read once a record (``doc._found["arm_gated"]``)."""
    gated = []
    doc_lowered = _lower_text(doc)  # (a needle the record lacks is in none of its ASCII sentences: not looked for)
    arm_needles = tuple(needle for needle in ARM_NEEDLES if needle in doc_lowered)
    for sentence in sentences(doc):
        if sentence.field == "title" and doc.source != "pubmed":
            continue
        # what the tests below need, before the dearer look-up of substances: words of giving or
        # allocating, or groups and a dose
        lowered = sentence.text.lower()
        arm_words = None
        if not lowered.isascii():
            arm_words = ARM_SENTENCE.search(sentence.text)
        else:
            for needle in arm_needles:  # (a loop: faster than any() over a generator)
                if needle in lowered:
                    arm_words = ARM_SENTENCE.search(sentence.text)
                    break
        if arm_words:
            gated.append((sentence, arm_words, None, lowered))
        elif ("group" in lowered or "arm" in lowered or not lowered.isascii()) and GROUP_WORDS.search(sentence.text):
            doses = list(lx.DOSE.finditer(sentence.text))
            if doses:
                gated.append((sentence, None, doses, lowered))
    # the interventions vocabulary's entries these sentences may hold: one look for the record, and only in
    # a record that allocates people (a treatment that is no drug, or an abbreviation, names an arm of a trial)
    allocates = False
    for sentence, _, _, lowered in gated:
        if (not lowered.isascii() or "random" in lowered or "assigned" in lowered or "allocated" in lowered
                or "divided" in lowered) and ALLOCATED.search(sentence.text):
            allocates = True
            break
    doc._found["arm_vocabulary"] = vocabulary_in(" ".join(g[0].text for g in gated)) if allocates else ()
    doc._found["arm_abbreviations"] = allocates
    return gated


def _lexicon_arms(doc: Document) -> list[dict]:
    """The study's arms: only what was given to participants as part of the study.

    Reads the one sentence that best describes the arms (substances, doses, frequency, group
    words) among the study's own statements: never a wish or advice ("should be treated with"),
    background ("magnesium is known to block"), a diagnostic load test, or a substance that is
    measured, eaten or lacking ("magnesium levels", "Mg-deficient rats"). Returns arms as in the
    schema (``label``, ``n``, ``is_control``, ``interventions``); a placebo said elsewhere in the
    study's own sentences becomes a control arm."""
    candidates = []
    whole = _whole(doc)
    gated = doc._found.get("arm_gated")
    if gated is None:  # (once a record: model_arms reads the arms again with the tagger's names)
        gated = doc._found["arm_gated"] = _gated_sentences(doc)
    for sentence, arm_words, doses, _ in gated:
        mentions = [m for m in _mentions(sentence.text, _context(doc, sentence.text)) if m.name not in ("saline",)]
        if not mentions:
            continue  # the common case, kept cheap
        if doses is None:
            doses = list(lx.DOSE.finditer(sentence.text))
        mentions = [m for m in mentions if _given(sentence.text, m)]
        if (not mentions or _kind(doc, sentence) in ("wish", "background")
                or (("test" in sentence.text or "load" in sentence.text) and LOAD_TEST.search(sentence.text))):
            continue
        score = (len({m.name for m in mentions}) + 2 * bool(doses) + (sentence.field != "title")
                 + any(m.form for m in mentions) + (_frequency(sentence.text)[0] is not None))
        if _every_arm_sentence(sentence.text):  # "Both groups received vitamin D and calcium": not the arms
            score -= 6
        if RESULT_FIGURES.search(sentence.text):  # a result's figures ("54.3 ± 12.1 µg in the A group, P < 0.001")
            score -= 2
        elif ALLOCATED.search(sentence.text):  # the sentence that allocates, over one that only names a dose
            score += 1
        candidates.append((score, sentence, mentions))
    if not candidates:
        return []
    ranked = sorted(candidates, key=lambda c: -c[0])  # stable: the first of equally good sentences leads
    result = _arms_from_sentence(doc, ranked[0][1])
    for _, other, other_mentions in ranked[1:4]:  # a later sentence may give a dose or a group size the best one left out
        no_control = len(result) == 1 and not result[0]["is_control"] and any(
            w in other.text for w in (" or ", "versus", " vs")) and PLACEBO_OR_SALINE.search(other.text) is not None
        unsaid = any(a["n"] is None or any(i["dose_mg"] is None and i["name"] != "placebo" for i in a["interventions"])
                     for a in result)
        if not (no_control or unsaid):
            break
        if not no_control:  # (only an arm of the same name is filled: one naming every intervention of an arm)
            said = {m.name for m in other_mentions} | {"saline"}
            if not any(all(i["name"] in said for i in a["interventions"]) for a in result):
                continue
        others = _arms_from_sentence(doc, other)
        if no_control:  # "randomized to magnesium (group M) or saline (group S)."
            result += [a for a in others if a["is_control"]][:1]  # the comparator another sentence names
        if unsaid:
            _fill_arms(result, others)
    if result:  # "Sixty patients were given A (group 1). Another group of 60 patients was given B (group 2)."
        result += _one_group_sentences(doc, [c[1] for c in candidates if c[1] is not ranked[0][1]], result)
    for _, other, _ in ranked[1:]:  # "Both groups received vitamin D and calcium": background in every arm
        if result and _every_arm_sentence(other.text):
            _add_background(result, _arms_from_sentence(doc, other))
    if any(i["name"] == "saline" for a in result for i in a["interventions"]):
        for arm in result:
            arm["is_control"] = arm["is_control"] or all(i["name"] == "saline" for i in arm["interventions"])
        result = [a for a in result if a["label"] != "placebo"]
    placebo_said = _said(doc, _find_if(doc, PLACEBO_ARM, PLACEBO_NEEDLES))
    double_dummy = any(i["name"] == "placebo" for a in result for i in a["interventions"])  # "X plus placebo"
    if (placebo_said and not double_dummy and not any(a["is_control"] for a in result)
            and not DESIGN_CUES["no_placebo"].search(whole)):
        result.append(_control_arm("placebo", placebo_said[0]))
    untreated = _said(doc, _find(doc, UNTREATED_ARM) if _may_be_untreated(_lower_text(doc)) else []) if result and not any(
        a["is_control"] for a in result) else []
    if untreated:
        name = "usual care" if re.search(r"care", untreated[0]["text"], re.I) else "no treatment"
        result.append(_control_arm(name, untreated[0]))
    if result and not any(a["is_control"] for a in result):
        result += _unnamed_control(doc, ranked[0][1]) or _counted_controls(doc, result)
    elif result and all(a["is_control"] for a in result):  # "randomly assigned to a daily soy or placebo shake"
        result = _unnamed_tested(doc, ranked[0][1]) + result
    _placebo_route(result)
    result = _dose_cohorts(doc, result)
    result = _dose_groups(doc, ranked[0][1], result)
    result += _both_agents_arm(doc, ranked[0][1], result)
    fill_arm_sizes(doc, result)
    _crossover_sizes(doc, result)
    return result


# A sentence that says what one group was given: "group 2 received", "the MST group was given", "another
# group of 64 patients was given", "were given X (group 1)", "in patients of group A, X was infused".
_LABEL = r"(?:(?-i:[A-Z][A-Z+]{0,4}|[IVX]{1,4})|\d{1,2})"
_GIVEN_VERB = r"(?:received|receive|(?:was|were)\s+(?:\w+\s+)?given|(?:was|were)\s+treated\s+with|got|took|(?:was|were)\s+administered)"
GROUP_GIVEN = re.compile(
    rf"\b(?:group|arm)\s+{_LABEL}\b[^.;]{{0,30}}?\b{_GIVEN_VERB}\b|"
    rf"\b[\w-]+\s+(?:group|arm)\s+(?:\(\s*n\s*=\s*\d+\s*\)\s+)?{_GIVEN_VERB}\b|"
    rf"\b(?:another|a\s+second|a\s+third|the\s+other|the\s+second|the\s+third)\s+group\s+(?:of\s+\S+\s+\w+\s+)?{_GIVEN_VERB}\b|"
    rf"\b{_GIVEN_VERB}\b[^.;]*\(\s*(?:group|arm)\s+{_LABEL}\s*\)|"
    rf"^\W*(?:\w+\s*,\s*)?in\s+(?:(?:the\s+)?patients\s+(?:of|in)\s+)?(?:group|arm)\s+{_LABEL}\s*,", re.I)


def _one_group_sentences(doc: Document, others: list[Sentence], arms_found: list[dict]) -> list[dict]:
    """Arms said one group per sentence outside the arms sentence ("Another group of 64 patients was
    given amiodarone (group 2)", "The control group received placebo"): each such statement (in
    reading order) that reads as exactly one arm adds it, unless an arm of the same tested substances
    is there already, or one naming any of them (or it is a control and a control is there). Returns
    the arms to add."""
    added: list[dict] = []
    have = {_tested_names(a) for a in arms_found}
    sites = {(_tested_names(a), _site(a)) for a in arms_found}
    control = any(a["is_control"] for a in arms_found)
    for sentence in others:
        lowered = sentence.text.lower()
        if ("group" not in lowered and "arm " not in lowered) or not GROUP_GIVEN.search(sentence.text):
            continue
        if _kind(doc, sentence) != "statement":
            continue
        found = _arms_from_sentence(doc, sentence)
        if len(found) == 1 and _tested_names(found[0]) in have and _site(found[0]) is not None and not any(
                names == _tested_names(found[0]) and site in (None, _site(found[0])) for names, site in sites):
            # the same drug by another route or at another site ("Group II (epidural group) received
            # bupivacaine in the epidural space" beside the paravertebral group): an arm of its own
            sites.add((_tested_names(found[0]), _site(found[0])))
            _label_by_site(arms_found + added, found[0])
            added.append(found[0])
            continue
        if len(found) != 1 or any(_tested_names(found[0]) & names for names in have) or (
                found[0]["is_control"] and control):
            continue
        have.add(_tested_names(found[0]))
        sites.add((_tested_names(found[0]), _site(found[0])))
        control = control or found[0]["is_control"]
        added.append(found[0])
    return added


def _site(arm: dict) -> str | None:
    """Where an arm's tested substances were given: the block's site words ("paravertebral",
    "epidural") for route ``other``, else the route ("intravenous"); None when no route is said or
    the substances were given by different ones."""
    found = {(i.get("route_text") or i["route"]) if i["route"] == "other" else i["route"]
             for i in arm["interventions"] if not i.get("background")}
    return next(iter(found)) if len(found) == 1 else None


def _label_by_site(arms_found: list[dict], arm: dict) -> None:
    """Label an arm and the arms of the same tested substances by where each was given
    ("bupivacaine (paravertebral)", "bupivacaine (epidural)"): arms told apart by route or site
    only. Changes the labels in place."""
    for other in arms_found + [arm]:
        if _tested_names(other) == _tested_names(arm) and _site(other) and not other["label"].endswith(")"):
            other["label"] = f"{other['label']} ({_site(other)})"


def _tested_names(arm: dict) -> frozenset[str]:
    """The substances an arm tests (its background left out)."""
    return frozenset((i["substance"] or i["name"]) for i in arm["interventions"] if not i.get("background"))


# A crossover design, not the verb ("patients could cross over to the other treatment at progression").
CROSSOVER_DESIGN = re.compile(r"\bcross-?over\b(?!\s+to\b)|\bcross\s+over\s+(?:study|trial|design)", re.I)


def _crossover_sizes(doc: Document, arms_found: list[dict]) -> None:
    """A crossover study is one group that takes every arm in turn: no arm has a size of its own
    (the mgfm_dev labels' convention), so the count read into an arm ("20 patients received
    magnesium and placebo in random order") is dropped. A study that says it ran in parallel
    groups is no crossover. Changes the arms in place."""
    if len(arms_found) < 2 or "cross" not in _lower_text(doc):
        return
    if not _said(doc, _find(doc, CROSSOVER_DESIGN)) or DESIGN_CUES["parallel"].search(_lower_text(doc)):
        return
    for arm in arms_found:
        arm["n"] = None


# An arm of both tested substances, named without their names: "sotalol alone, magnesium alone, both
# agents at the same doses, or no prophylaxis", "the two drugs combined", "the combination of both".
BOTH_AGENTS = re.compile(r"\bboth\s+(?:[\w-]+\s+)?(?:agents|drugs|treatments|medications|interventions|supplements|"
                         r"therapies)\b(?!\s+(?:were|was|are|is|had|have|did|showed|reduced|improved)\b)|"
                         r"\b(?:the|a)\s+combination\s+of\s+(?:both|the\s+two|these\s+two|the\s+(?:two\s+)?(?:agents|drugs))\b|"
                         r"\b(?:the\s+)?two\s+(?:agents|drugs|treatments)\s+(?:combined|together|in\s+combination)\b", re.I)


def _both_agents_arm(doc: Document, sentence: Sentence, arms_found: list[dict]) -> list[dict]:
    """The arm given both tested substances when the arms sentence offers it without naming them
    ("A alone, B alone, or both agents"): ``[that arm]`` (the two arms' interventions, doses
    included), or [] when the sentence offers no such arm, there are not exactly two one-substance
    tested arms, or an arm combining them is there already."""
    lowered = sentence.text.lower()
    if "both" not in lowered and "combin" not in lowered and "two" not in lowered:
        return []
    match = BOTH_AGENTS.search(sentence.text)
    single = [a for a in arms_found if not a["is_control"] and len(_tested_names(a)) == 1]
    if match is None or len(single) != 2 or not ALLOCATED.search(sentence.text):
        return []
    names = _tested_names(single[0]) | _tested_names(single[1])
    if len(names) != 2 or any(_tested_names(a) == names for a in arms_found):
        return []
    interventions = [{**i, "evidence": i["evidence"] + [span(doc, sentence.field, sentence.start + match.start(),
                                                              sentence.start + match.end())]}
                     for a in single for i in a["interventions"] if not i.get("background")]
    return [_arm(interventions, None)]


# One substance at several doses, one group per dose, said in one sentence: "randomised to 250, 500
# or 1000 mg of magnesium" (numbers sharing the last one's unit), "MgSO4 (group I: 30 mg/kg, group II:
# 40 mg/kg, group III: 50 mg/kg)", "magnesium 2 g or 4 g". What may stand between two doses of the
# list: a comma, "or"/"and", and a group's name ("group II:", "the second group received").
DOSE_LIST_GAP = re.compile(r"(?:\s*\(\s*(?:group|arm)\s+[A-Za-z0-9-]{1,5}\s*\))?"  # "30 mg/kg (group M30), 50 mg/kg"
                           r"\s*[,;]?\s*(?:(?:and|or|vs\.?|versus)\s+)?(?:\(?\s*(?:(?:the\s+)?(?:group|arm)\s+(?:[A-Z0-9]{1,3}|[a-z]{1,2}|"
                           r"one|two|three|four|five)\b|(?:the\s+)?(?:first|second|third|fourth|fifth|other|another|"
                           r"last)\s+(?:group|arm))\s*(?:\(\s*n\s*=\s*\d+\s*\)\s*)?(?:[:=,]|received|got|was\s+given|"
                           r"with)?\s*)?$", re.I)
NUMBER_LIST = re.compile(r"(?<![\d.,/])(?P<numbers>\d+(?:\.\d+)?(?:\s*,\s*\d+(?:\.\d+)?)*\s*,?\s*(?:or|and|vs\.?|versus)\s+)"
                         r"(?=\d+(?:\.\d+)?\s*(?:mg|g|µg|μg|mcg|mmol|mEq)\b)", re.I)
# Doses one arm moves between, not one group each: "flexibly dosed", "titrated from 5 to 15 mg", "up to".
FLEXIBLE_DOSING = re.compile(r"\b(?:flexibl\w*|titrat\w*|target\s+dos\w*|escalat\w*|up\s+to|adjust\w*|increas\w*|"
                             r"tapered|followed\s+by|then)\b", re.I)
LIST_NUMBER = re.compile(r"\d+(?:\.\d+)?")
SCALED_KEYS = ("dose_mg", "daily_dose_mg", "dose_mg_per_kg", "infusion_mg_per_kg_per_h")


def _dose_list(text: str) -> list[tuple[float, int, int, str]]:
    """The doses of one list of alternative doses in an arms sentence, in order: (amount in the
    list's unit, start, end, the dose as written), or [] when it names none. Each dose keeps the
    unit and "per" ("/kg", "/day") of the list; two doses of different units or "per" are no list
    ("30 mg/kg then 10 mg/kg/h" is a loading dose and an infusion)."""
    numbers = NUMBER_LIST.search(text) if (" or " in text or " and " in text or " vs" in text or " versus " in text) else None
    if numbers:  # "250, 500 or 1000 mg": the numbers before take the last one's unit
        last = lx.DOSE.match(text, numbers.end())
        if last is not None:
            unit = last.group(0)[len(last.group("amount")):]
            found = [(float(m.group(0)), numbers.start() + m.start(), numbers.start() + m.end(), m.group(0) + unit)
                     for m in LIST_NUMBER.finditer(numbers.group("numbers"))]
            return found + [(float(last.group("amount")), last.start(), last.end(), last.group(0))]
    doses = list(lx.DOSE.finditer(text)) if (text.count(" mg") + text.count(" g") + text.count("mg/") + text.count("µg")
                                             + text.count("μg") + text.count("mcg")) >= 2 else []
    run: list[re.Match] = []
    for dose in doses:
        same = run and (dose.group("unit").lower(), (dose.group("per") or "").replace(" ", "").lower()) == (
            run[-1].group("unit").lower(), (run[-1].group("per") or "").replace(" ", "").lower())
        if same and DOSE_LIST_GAP.fullmatch(text, run[-1].end(), dose.start()) and not substance_mentions(
                text[run[-1].end():dose.start()]):
            run.append(dose)
        elif len(run) >= 2:
            break
        else:
            run = [dose]
    if len(run) < 2 or "," in run[0].group("amount") or "," in run[-1].group("amount"):
        return []
    return [(float(d.group("amount")), d.start(), d.end(), d.group(0)) for d in run]


def _dose_groups(doc: Document, sentence: Sentence, arms_found: list[dict]) -> list[dict]:
    """One tested substance given at several doses, one group per dose, in the arms sentence
    ("randomised to magnesium 250, 500 or 1000 mg or placebo", "MgSO4 (group I: 30 mg/kg, group II:
    40 mg/kg, group III: 50 mg/kg)"), becomes one arm per dose: the arm read with one of the doses,
    its dose values scaled to each. Arms as they were when the sentence offers no choice of groups,
    the list is not of the arm's own dose, or the doses are not all different."""
    tested = [a for a in arms_found if not a["is_control"]]
    if len(tested) != 1:
        return arms_found
    own = [i for i in tested[0]["interventions"] if not i.get("background")]
    if len(own) != 1 or own[0]["dose_text"] is None or not ALLOCATED.search(sentence.text) and not GROUP_WORDS.search(
            sentence.text):
        return arms_found
    if FLEXIBLE_DOSING.search(sentence.text):
        return arms_found  # "flexibly dosed (target dosage: 5, 10 or 15 mg/day)": one arm, its dose adjusted
    if "respectively" in sentence.text or "signific" in sentence.text or RESULT_FIGURES.search(sentence.text):
        return arms_found  # "the dosage of propofol used (168.7 vs. 167.3 mg, respectively)": a result, not arms
    doses = _dose_list(sentence.text)
    amounts = [d[0] for d in doses]
    base = next((d for d in doses if d[3] == own[0]["dose_text"]), None)
    if base is None or len(set(amounts)) != len(amounts) or not base[0]:
        return arms_found
    groups = []
    for amount, start, end, written in doses:
        intervention = {**own[0], "dose_text": written}
        for key in SCALED_KEYS:
            if intervention.get(key) is not None:
                intervention[key] = _round(intervention[key] * amount / base[0])
        at = sentence.start + start
        intervention["evidence"] = _dedupe([e for e in own[0]["evidence"] if e["text"] != base[3]]
                                           + [span(doc, sentence.field, at, at + end - start)])
        arm = _arm([intervention if i is own[0] else i for i in tested[0]["interventions"]], None)  # (sizes: arm_sizes)
        arm["label"] = f"{arm['label']} {written}"
        groups.append(arm)
    return [a for a in arms_found if a["is_control"]] + groups


_DOSE_TEXT = r"\d+(?:[.,]\d+)?\s*(?:mg|g|µg|μg|mcg|mmol|mEq)\b"
# Successive cohorts of one open study given different doses: "the first six patients received
# 500 mg, the remainder 1 g" (a dose-escalation design).
DOSE_COHORTS = re.compile(
    rf"\bfirst\s+(?P<n>{lx.NUMBER})\s+(?:patients|subjects|participants|cases)\s+(?:received|were\s+given|got)\s+"
    rf"(?P<first>{_DOSE_TEXT}),?\s+(?:and\s+|while\s+|whereas\s+)?(?:the\s+)?(?:remainder|rest|others|remaining\s+"
    rf"(?:(?P<m>{lx.NUMBER})\s+)?(?:patients|subjects|participants)|next\s+(?P<m2>{lx.NUMBER})\s+(?:patients|subjects"
    rf"|participants))\s*(?:received\s+|were\s+given\s+|got\s+)?(?P<second>{_DOSE_TEXT})", re.I)


def _dose_cohorts(doc: Document, arms_found: list[dict]) -> list[dict]:
    """One tested substance given at two doses to successive cohorts becomes two arms, one per dose,
    each with its cohort's size (the remainder: those enrolled less the first cohort)."""
    tested = [a for a in arms_found if not a["is_control"]]
    if len(tested) != 1 or len(tested[0]["interventions"]) != 1 or "first" not in _lower_text(doc):
        return arms_found
    for sentence in sentences(doc):
        match = DOSE_COHORTS.search(sentence.text)
        if not match or _kind(doc, sentence) != "statement":
            continue
        (base,) = tested[0]["interventions"]
        first_n = lx.words_to_number(match.group("n"))
        rest_n = lx.words_to_number(match.group("m") or match.group("m2") or "") if (
            match.group("m") or match.group("m2")) else None
        if rest_n is None:
            enrolled = population(doc, {"fibromyalgia": False})["n_enrolled"]
            rest_n = enrolled - first_n if enrolled and first_n and enrolled > first_n else None
        cohorts = []
        for group, n in (("first", first_n), ("second", rest_n)):
            dose = lx.DOSE.match(match.group(group))
            amount = _dose_mg(dose.group("amount"), dose.group("unit"), base["substance"])
            at = sentence.start + match.start(group)
            intervention = {**base, "dose_mg": _round(amount), "daily_dose_mg": None, "dose_text": match.group(group),
                            "evidence": _dedupe(base["evidence"] + [span(doc, sentence.field, at, at + len(match.group(group)))])}
            arm = _arm([intervention], n)
            arm["label"] = f"{arm['label']} {match.group(group)}"
            cohorts.append(arm)
        return [a for a in arms_found if a["is_control"]] + cohorts
    return arms_found


# A control group given nothing (or what it would have had anyway): "no treatment", "untreated
# controls", "a waiting list", "delayed treatment", "usual care".
UNTREATED_ARM = re.compile(r"\bno[\s-]treatment\b|\bno\s+(?:supplement(?:ation)?|medication|drug)\b|\buntreated\s+(?:control|group|arm)|\b(?:usual|standard)\s+care\b|"
                           r"\bwait(?:ing)?[\s-]?list\b|\bdelayed[\s-]treatment\b|\bno\s+intervention\b|"
                           # "no systemic treatment", "no antiarrhythmic agents", "no prophylaxis" (not "no significant
                           # treatment effect", "no drug-related deaths")
                           r"(?<!with\s)(?<!had\s)(?<!having\s)\bno\s+(?:(?!significant|statistically|serious|major|clear|"
                           r"relevant|prior|previous|concomitant|other|known|current|effective|adverse)[a-z-]+\s+)?"
                           r"(?:treatment|therapy|agents?|drugs?|medications?|prophylaxis)\b(?![\s-]+(?:effects?|related|"
                           r"differences?|interactions?|reactions?|events?|toxicit\w+|was\s+(?:found|observed|seen)))|"
                           # "group B was treated as control", "standard management without magnesium"
                           r"\btreated\s+as\s+(?:the\s+)?controls?\b|"
                           r"\bstandard\s+(?:management|treatment|therapy)\s+(?:alone|only|without)\b|"
                           # "the control group received none of these treatments", "did not receive any intervention"
                           r"\b(?:received|receiving|given|had)\s+none\s+of\s+(?:these|the|those|both|either)\b|"
                           r"\b(?:did\s+not|didn't)\s+receive\s+any\s+(?:\w+\s+)?(?:treatment|intervention|therapy)\b", re.I)
UNTREATED_NEEDLES = ("no-treatment", "untreated", "usual care", "standard care", "wait", "delayed", "treated as",
                     "standard management", "standard treatment", "standard therapy", "none of", "receive any")
# (what "no treatment", "no systemic therapy", "no antiarrhythmic agents", "no prophylaxis" need besides "no ")
UNTREATED_AFTER_NO = (" treatment", "therap", " agent", " drug", "medication", "prophylaxis", "supplement",
                      "intervention")
PLACEBO_NEEDLES = ("placebo", "look-alike")


def _may_be_untreated(lowered: str) -> bool:
    """Whether a record's lower-cased text holds what ``UNTREATED_ARM`` needs (a cheap test first)."""
    for needle in UNTREATED_NEEDLES:
        if needle in lowered:
            return True
    if "no " not in lowered:
        return False
    for needle in UNTREATED_AFTER_NO:
        if needle in lowered:
            return True
    return False
CONTROL_NAMES = ("placebo", "saline", "no treatment", "usual care")
# A control group offered beside the treatment with nothing said of what it got: "randomized to
# magnesium or control", "into magnesium (n = 32) and control (n = 32) groups", "a control group (n = 20)".
CONTROL_ALTERNATIVE = re.compile(r"(?:\b(?:or|and|versus|vs\.?|into|to)|"
                                 # an item of a list of arms: "group 3, control", "(c) control"
                                 r"\b(?:group|arm)\s+(?:\d|[A-Z]|I{1,3}|IV)\s*[,:]|\(\s*[a-h1-9]\s*\))\s+(?:a\s+|an\s+|the\s+)?(?:untreated\s+)?"
                                 r"control(?:s|\s+groups?|\s+arms?)?(?=\s*(?:[,.;:()]|$|groups?\b|arms?\b|(?:and|or)\s))"
                                 r"(?![\s-]+(?:received|was|were|got|took|with))|"
                                 r"\bcontrol\s+(?:group|arm)\s*\(\s*n\s*=", re.I)
ALLOCATED = re.compile(r"\b(?:randomi[sz]\w*|randomly|assigned|allocated|divided)\b", re.I)


# Untreated controls counted beside a treated arm: "25 patients who received famotidine and 20 controls",
# "33 in the study group and 34 in the control group" (never healthy or matched controls: those are measured).
COUNTED_CONTROLS = re.compile(rf"(?<!healthy\s)(?<!matched\s)\b(?:{lx.NUMBER})\s+(?:untreated\s+)?controls\b|"
                              rf"\b(?:{lx.NUMBER})\s+(?:patients\s+|subjects\s+)?(?:in\s+(?:the\s+)?|as\s+(?:the\s+|a\s+)?)control\s+(?:group|arm)\b"
                              # (not a control group said to be given something: that is a named arm)
                              r"(?!\s+(?:received|took|got|(?:were|was)\s+(?:\w+\s+)?(?:given|injected|treated|administered|infused)))",
                              re.I)


def _counted_controls(doc: Document, arms_found: list[dict]) -> list[dict]:
    """An untreated control arm counted in a statement that also names a tested arm ("25 patients who
    received famotidine and 20 controls"): ``[no treatment arm]`` or []. A sentence speaking of
    healthy or matched controls says nothing of an arm."""
    names = {i["name"].lower() for a in arms_found for i in a["interventions"]} | {
        i["substance"].lower() for a in arms_found for i in a["interventions"] if i["substance"]}
    if "control" not in _lower_text(doc):
        return []
    for sentence in sentences(doc):
        if "ontrol" not in sentence.text:
            continue
        lowered = sentence.text.lower()
        if ("control" not in lowered or "healthy" in lowered or "matched" in lowered
                or not (any(n in lowered for n in names) or ALLOCATED.search(sentence.text))
                or _kind(doc, sentence) != "statement"):
            continue
        match = COUNTED_CONTROLS.search(sentence.text)
        if match:
            at = sentence.start + match.start()
            return [_control_arm("no treatment", span(doc, sentence.field, at, at + len(match.group(0))))]
    return []


def _unnamed_control(doc: Document, sentence: Sentence) -> list[dict]:
    """The control arm of an allocation sentence that names a control group but not what it was
    given ("randomized to magnesium or control"): one arm, ``no treatment``, the mgfm_dev labels'
    name for an untreated control. [] when the sentence allocates nothing or names no control
    (healthy controls of a level study are no arm: they are not allocated)."""
    text = sentence.text
    if "ontrol" not in text or _kind(doc, sentence) != "statement" or not ALLOCATED.search(text):
        return []
    match = CONTROL_ALTERNATIVE.search(text)
    if match is None:
        return []
    at = sentence.start + match.start()
    return [_control_arm("no treatment", span(doc, sentence.field, at, at + len(match.group(0))))]


# The tested arm offered against placebo or sham under a name no lexicon holds: "randomly assigned to a
# daily soy or placebo shake", "randomized to acupuncture or sham acupuncture".
TESTED_BEFORE_PLACEBO = re.compile(r"\b(?:to|receive|received|receiving|given|either)\s+(?:either\s+)?(?:an?\s+)?(?:(?:daily|oral|"
                                   r"topical|weekly|active|real|true|dietary|standardi[sz]ed)\s+)?(?P<name>[A-Za-z][\w-]{2,})\s+"
                                   r"(?:(?:supplement|supplementation|extract|capsules?|tablets?|shakes?|powder|treatment|therapy|"
                                   r"group)\s+)?or\s+(?:an?\s+|the\s+|matching\s+|identical\s+)*(?:placebo|sham)\b", re.I)
NOT_A_NAME = frozenset("""the this that these their either both active usual standard control treatment therapy drug
    intervention study group groups arm arms receive placebo sham one two three an and or with without more less
    experimental investigational new novel verum test trial""".split())


def _unnamed_tested(doc: Document, sentence: Sentence) -> list[dict]:
    """The tested arm of an allocation sentence that names only its placebo or sham arm, its own
    substance being a word no lexicon holds ("randomly assigned to a daily soy or placebo shake"):
    ``[arm named by that word]``, or [] when the sentence says no such choice."""
    if "placebo" not in sentence.text.lower() and "sham" not in sentence.text.lower():
        return []
    match = TESTED_BEFORE_PLACEBO.search(sentence.text)
    if match is None or match.group("name").lower() in NOT_A_NAME or _kind(doc, sentence) != "statement":
        return []
    name = match.group("name").lower()
    at = sentence.start + match.start("name")
    intervention = {"name": name, "substance": name, "form": None, "dose_mg": None, "daily_dose_mg": None,
                    "frequency_per_day": None, "route": None, "dose_text": None,
                    "evidence": [span(doc, sentence.field, at, at + len(name)), sentence_span(doc, sentence)]}
    return [_arm([intervention], None)]


def _control_arm(name: str, evidence: dict) -> dict:
    """A control arm said outside the arms sentence: placebo, no treatment, usual care."""
    return {"label": name, "n": None, "is_control": True, "interventions": [
        {"name": name, "substance": name if name != "placebo" else None, "form": None, "dose_mg": None,
         "daily_dose_mg": None, "frequency_per_day": None, "route": None, "dose_text": None, "evidence": [evidence]}]}


def _fill_arms(arms_found: list[dict], other: list[dict]) -> None:
    """Fill the unsaid values (group size, dose, route) of arms from another sentence's arms of the
    same name; never overwrite what the arms sentence said."""
    by_label = {a["label"]: a for a in other}
    for arm in arms_found:
        same = by_label.get(arm["label"])
        if same is None:
            continue
        if arm["n"] is None and same["n"] is not None:
            arm["n"] = same["n"]
        for mine, theirs in zip(arm["interventions"], same["interventions"]):
            if mine["name"] != theirs["name"]:
                continue
            for key in DOSE_KEYS:
                if mine.get(key) is None and theirs.get(key) is not None:
                    mine[key] = theirs[key]
                    mine["evidence"] = _dedupe(mine["evidence"] + theirs["evidence"][1:])


def _placebo_route(arms_found: list[dict]) -> None:
    """A placebo matches the treatment it stands in for: it takes the tested arms' route when they
    all share one ("oral magnesium ... versus placebo": an oral placebo)."""
    routes = {i["route"] for a in arms_found if not a["is_control"] for i in a["interventions"]
              if not i.get("background")}
    if len(routes) != 1 or None in routes:
        return
    for arm in arms_found:
        for intervention in arm["interventions"]:
            if intervention["name"] in ("placebo", "saline") and intervention["route"] is None:
                intervention["route"] = next(iter(routes))


def _arms_from_sentence(doc: Document, sentence: Sentence) -> list[dict]:
    text = sentence.text
    size = GROUP_SIZE.search(text)
    group_n = None
    if size and not (size.group(0)[5:6] == " " and text.lower().count("group of") > 1):
        group_n = lx.words_to_number(size.group("n"))  # (not "a needle-knife group of 153 and a physiotherapy group
        # of 152": where the sentence sizes several groups one by one, one group's size is its own)
    whole = _whole(doc)
    context = _context(doc, text)
    named = _mentions(text, context)
    chunks = _chunks(text, named)
    doc_route = None  # (read below only for magnesium, the one substance it is lent to)
    sentence_frequency, frequency_match = _frequency(text)
    given = {start: [m for m in _within(named, start, end) if _given(text[start:end], m)] for start, end in chunks}
    # the substances of the piece the sentence's frequency sits in: it is theirs, not another piece's
    frequency_owners = _frequency_owners(text, chunks, frequency_match, given)
    if sentence_frequency is None:  # "taken in the evening" said in another sentence of the methods
        sentence_frequency, frequency_match = _frequency(whole)
        frequency_match = None if sentence_frequency is None else frequency_match
    result: list[dict] = []
    background: list[dict] = []  # "women on duloxetine were randomized to add magnesium or placebo"
    every_arm: list[dict] = []  # "...; all patients continued pregabalin": in every arm, if there are arms
    shared = _shared_substances(given)
    lowered_text = text.lower().replace("anesthe", "anaesthe")  # (the same length: offsets hold)
    either = COMBINED_EITHER.search(text) if "either" in text else None
    either_at = either.start() if either else None
    combined_with: list[dict] = []  # what "combined with either" put in the background, as read
    for chunk_start, chunk_end in chunks:
        chunk = text[chunk_start:chunk_end]
        mentions = given[chunk_start]
        if not mentions:
            continue
        chunk_n = CHUNK_N.search(chunk)
        if chunk_n and (chunk_n.group("n") or chunk_n.start() < mentions[0].start) and re.search(
                r"\b(?:or|versus|vs)\b", text[chunk_start + chunk_n.end():]):
            chunk_n = None  # "Twenty rats received A or B", "Patients (n = 36) received A or B": everyone's
        if chunk_n and (chunk_n.group("n") or "").lower() == "one":
            chunk_n = None  # "one received ibuprofen, the other placebo": the pronoun, not a group of one
        arm_n = lx.words_to_number(chunk_n.group("n") or chunk_n.group("n2")) if chunk_n else group_n
        if chunk_n and _subgroup(text, chunk_start + mentions[0].start):
            arm_n = group_n  # "for premenopausal women in the A arm (n = 62)": a part of the arm
        interventions = []
        assigned = _assign_doses(chunk, mentions)
        chunk_frequency, chunk_freq_match = _frequency(chunk)  # (once a piece, not once a substance)
        chunk_route, chunk_route_match = _route(chunk)
        sentence_route = chunk_route or _route(text)[0]
        for index, mention in enumerate(mentions):
            dose = assigned.get(index)
            frequency, freq_match = chunk_frequency, chunk_freq_match
            if frequency is None and (not frequency_owners or mention.substance in frequency_owners):
                frequency = sentence_frequency
            route, route_match = chunk_route, chunk_route_match
            if sentence_route is None and mention.substance in ("magnesium", "malic acid") and doc_route is None:
                doc_route = _route(whole)[0] or ""
            route = sentence_route or ((doc_route or None) if mention.substance in ("magnesium", "malic acid") else None)
            dose_mg = daily = None
            dose_text = None
            per_kg: dict = {}
            evidence = [span(doc, sentence.field, sentence.start + chunk_start + mention.start,
                             sentence.start + chunk_start + mention.end)]
            if mention.substance in NON_DRUG:  # a treatment, not a drug: no dose, no route
                dose, route, route_match, freq_match, frequency = None, None, None, None, None
            if dose:
                dose_mg, daily, frequency, dose_text, per_kg = read_dose(doc, sentence, chunk_start, chunk, mention, dose,
                                                                         frequency, whole, evidence)
            elif "%" in chunk and mention.substance not in NON_DRUG:  # "10 mL of 0.2% ropivacaine": 20 mg
                solution = percent_volume_dose(chunk, mention.start, mention.end)
                if solution is not None and "esthe" in chunk and ANAESTHESIA_WITH.search(
                        chunk, max(0, solution[1] - 50), solution[1]):
                    solution = None  # "spinal anaesthesia with 2.5 mL 0.5% bupivacaine": the anaesthetic all had
                if solution is not None:
                    dose_mg, words = solution[0], chunk[solution[1]:solution[2]]
                    dose_text = (chunk[mention.end:solution[2]].strip(" ,(") if solution[1] == mention.start else
                                 chunk[solution[1]:mention.start].strip() if solution[2] == mention.end else words)
                    absolute = sentence.start + chunk_start + solution[1]
                    evidence.append(span(doc, sentence.field, absolute, absolute + len(words)))
            if freq_match is not None:
                absolute = sentence.start + chunk_start + freq_match.start()
                evidence.append(span(doc, sentence.field, absolute, absolute + len(freq_match.group(0))))
            if route_match is not None:
                absolute = sentence.start + chunk_start + route_match.start()
                evidence.append(span(doc, sentence.field, absolute, absolute + len(route_match.group(0))))
            if route is None and "infusion_mg_per_kg_per_h" in per_kg:
                route = "intravenous"  # a rate per kg per hour is an infusion
            route_text = route_match.group(0).lower() if route == "other" and route_match is not None else (
                _route_words(text) if route == "other" else None)
            intervention = {
                "name": mention.name, "substance": mention.substance, "form": mention.form, "route_text": route_text,
                "dose_mg": _round(dose_mg), "daily_dose_mg": _round(daily),
                "frequency_per_day": frequency if dose_mg is not None or mention.name != "placebo" else None,
                "route": route if mention.name != "placebo" else None, "dose_text": dose_text,
                "evidence": _dedupe(evidence + [sentence_span(doc, sentence)]), **per_kg,
            }
            at = chunk_start + mention.start
            if (BACKGROUND_BEFORE.search(text, max(0, at - 80), at) and RANDOMISED_AFTER.search(text, chunk_start + mention.end)
                    or either_at is not None and chunk_start <= either_at < chunk_end and at < either_at
                    and ";" not in text[at:either_at]
                    or "naesthe" in lowered_text and _anaesthetic(text, at, chunk_start + mention.end, chunk_start, chunk_end)):
                background.append({**intervention, "background": True})  # (and "A combined with either B or C": A in both)
                combined_with.append(intervention)
            elif (every_arm and every_arm[-1]["_chunk"] == chunk_start) or (
                    _may_say(chunk.lower(), EVERY_ARM_NEEDLES) and EVERY_ARM_BEFORE.search(chunk, 0, mention.start)):
                every_arm.append({**intervention, "_chunk": chunk_start})  # ("both groups received A and B": both)
            else:
                interventions.append(intervention)
        interventions = _merge_same_substance(interventions)
        if not interventions:
            continue
        names = [i["name"] for i in interventions]
        if len(interventions) > 1 and not (COMBINE.search(chunk) or "malic acid" in names
                                           or shared & {i["substance"] for i in interventions}):
            # two substances in one chunk without "plus": separate arms (e.g. "A, B")
            for intervention in interventions:
                result.append(_arm([intervention], group_n))
        else:
            result.append(_arm(interventions, arm_n))
    for item in every_arm:
        del item["_chunk"]
    if every_arm and result:  # said of every arm: background in each
        background += [{**i, "background": True} for i in every_arm]
    elif every_arm:  # "All patients received magnesium 300 mg": the one arm there is
        result.append(_arm(every_arm, group_n))
    if combined_with and not result:  # "A with either B or C" where B and C are no substance we know: A's arm
        result.append(_arm(combined_with, group_n))
    elif background and result:  # every arm keeps taking it: an add-on trial
        result = [_arm(_with_background(arm["interventions"], background), arm["n"]) for arm in result]
    result = _merge_duplicate_arms(result)
    if len(result) > 1 and not CHOICE_WORDS.search(text):
        result = _merge_same_substance_arms(result)
    return result


# The anaesthetic every patient had, not an arm: "after a standardised sevoflurane in oxygen anaesthesia",
# "under general anaesthesia with propofol", "anaesthesia was induced with propofol and fentanyl".
ANAESTHETIC_AFTER = re.compile(r"[\s-]+(?:(?:in|and|with)\s+(?:oxygen|o2|air|nitrous\s+oxide|n2o)(?:\s+(?:and|in)\s+"
                               r"(?:oxygen|o2|air|nitrous\s+oxide|n2o))?\s+)?(?:-?based\s+)?(?:general\s+|balanced\s+)?"
                               r"an(?:a)?esthe", re.I)
# (an anaesthetic said as the one everybody had, not one of the arms: "randomised to propofol or sevoflurane
# anaesthesia" compares anaesthetics)
STANDARD_BEFORE = re.compile(r"\b(?:standardi[sz]ed|standard|general|balanced|under|same|usual|routine)\s+(?:[\w-]+\s+)?$",
                             re.I)
ANAESTHETIC_BEFORE = re.compile(r"\b(?:general|standardi[sz]ed|standard|balanced)\s+an(?:a)?esthe\w*\s+(?:was\s+\w+\s+)?"
                                r"(?:with|using|by)\s+(?:\w+\s+){0,3}$|"
                                r"\ban(?:a)?esthe\w*\s+(?:was|were)\s+(?:induced|maintained)\s+(?:\w+\s+){0,2}?(?:with|using|by)\s+"
                                r"(?:[\w%.,]+\s+){0,4}$", re.I)


# The anaesthesia a solution's dose is of, said right before it: "spinal anaesthesia with 2.5 mL of 0.5% bupivacaine".
ANAESTHESIA_WITH = re.compile(r"\ban(?:a)?esthesia\s+(?:was\s+\w+\s+)?(?:with|using|by)\s+(?:an?\s+|the\s+)?$", re.I)


def _anaesthetic(text: str, start: int, end: int, piece_start: int, piece_end: int) -> bool:
    """Whether the substance at ``text[start:end]`` is the anaesthetic every patient had ("a
    standardised sevoflurane anaesthesia", "anaesthesia was induced with propofol"): background.
    Not "randomised to propofol or sevoflurane anaesthesia" (anaesthetics compared: a choice in the
    piece ``text[piece_start:piece_end]`` of the arms sentence near the name)."""
    if OFFERS_CHOICE.search(text, max(piece_start - 5, start - 80, 0), min(piece_end, end + 40)):  # (and " or " before it)
        return False  # "induced with either eltanolone or propofol": the anaesthetics are the arms
    return bool(ANAESTHETIC_AFTER.match(text, end) and STANDARD_BEFORE.search(text, max(0, start - 40), start)
                or ANAESTHETIC_BEFORE.search(text, max(0, start - 80), start))


def _with_background(interventions: list[dict], background: list[dict]) -> list[dict]:
    """An arm's interventions with the background every arm takes: a background substance the arm
    names again beside another ("placebo plus exemestane") is that background, not a second tested
    substance; an arm of that substance alone ("roxithromycin alone") keeps it as its own."""
    kept = list(interventions)
    for extra in background:
        same = [i for i in kept if i["substance"] == extra["substance"]]
        if same and (len(kept) == len(same) or any(i.get("background") for i in same)):
            continue
        if not same:
            kept.append(extra)
            continue
        at = kept.index(same[0])
        kept = [i for i in kept[:at] if i not in same] + [extra] + [i for i in kept[at:] if i not in same]
    return kept


# "ropivacaine combined with either magnesium or dexamethasone": what stands before it is in every arm.
COMBINED_EITHER = re.compile(r"\b(?:combined\s+with|plus|together\s+with|with|in\s+addition\s+to|added\s+to)\s+either\b",
                             re.I)


# Words that offer a choice between arms: without one, two pieces naming one substance are one arm.
CHOICE_WORDS = re.compile(r"\b(?:or|versus|vs\.?|compared|either|groups?|arms?|randomi[sz]\w*|allocated|assigned)\b", re.I)


# A drug said of every arm ("all patients continued pregabalin", "both groups received paracetamol"):
# background in each arm, not an arm of its own.
EVERY_ARM_BEFORE = re.compile(
    r"\b(?:all\s+(?:patients|participants|subjects|women|men|children)|both\s+groups|every\s+(?:patient|participant)|"
    r"each\s+group|in\s+both\s+(?:groups|arms))\b[^;]*?\b(?:continued|received|took|were\s+given|kept|maintained|"
    r"remained)\b(?:\s+(?:on|taking|with|their|a|the|stable|usual|regular|doses?|of))*\s*$|"
    r"\b(?:continued|continuing)\s+(?:on\s+|taking\s+|to\s+take\s+|with\s+|their\s+)?(?:\w+\s+){0,2}?$", re.I)
EVERY_ARM_NEEDLES = ("all ", "both", "every", "each group", "continu")


EVERY_ARM_SENTENCE = re.compile(r"^\W*(?:in\s+)?(?:both\s+(?:groups|arms)|all\s+(?:patients|participants|subjects|women|men|"
                                r"children)|every\s+(?:patient|participant)|each\s+group)\b[^;]*?\b(?:received|were\s+given|"
                                r"took|continued|were\s+maintained|remained)\b", re.I)


# Said of every arm in the passive, anywhere in a sentence that allocates nothing: "Before skin closure in
# both groups, bupivacaine 0.125% with fentanyl 50 µg was given through the catheter".
EVERY_ARM_PASSIVE = re.compile(r"\b(?:in|to|for)\s+(?:both\s+(?:groups|arms)|all\s+(?:patients|participants|subjects|"
                               r"children|women|men|groups|arms)|each\s+group|every\s+patient)\b[^;]{0,400}?\b(?:was|were)\s+"
                               r"(?:\w+\s+)?(?:given|administered|infused|injected|applied|instilled)\b", re.I)
OFFERS_CHOICE = re.compile(r"\b(?:or|versus|vs\.?|compared|either)\b", re.I)
PASSIVE_NEEDLES = ("both groups", "both arms", "all patients", "all participants", "all subjects", "all children",
                   "all women", "all men", "all groups", "all arms", "each group", "every patient")


def _every_arm_sentence(text: str) -> bool:
    """Whether a sentence says what every arm was given: it opens so ("Both groups received ...",
    "All patients continued ..."), or, allocating nothing, says it in the passive ("... in both
    groups, bupivacaine was given through the catheter")."""
    if _may_say(text[:30].lower(), EVERY_ARM_NEEDLES) and EVERY_ARM_SENTENCE.search(text) is not None:
        return True
    return (_may_say(text.lower(), PASSIVE_NEEDLES) and not ALLOCATED.search(text) and not OFFERS_CHOICE.search(text)
            and EVERY_ARM_PASSIVE.search(text) is not None)


def _add_background(arms_found: list[dict], given_to_all: list[dict]) -> None:
    """Add the substances of ``given_to_all`` (arms read from a sentence said of every arm) to each
    arm as background, unless an arm names the substance already. Changes the arms in place."""
    for extra in (i for a in given_to_all for i in a["interventions"] if i["name"] not in CONTROL_NAMES):
        for arm in arms_found:
            if not any(i["substance"] == extra["substance"] for i in arm["interventions"]):
                arm["interventions"].append({**extra, "background": True})


def _shared_substances(given: dict[int, list[Mention]]) -> set[str]:
    """Substances named beside another in two or more pieces of an arms sentence (``given``: each
    piece's start -> the substances given in it): a co-intervention of each of those arms ("20
    received amitriptyline and magnesium, and 20 received amitriptyline and placebo"), so the pieces
    naming them are combinations, not one arm per substance."""
    seen: dict[str, int] = {}
    for mentions in given.values():
        names = {m.substance for m in mentions}
        if len(names) > 1:
            for name in names:
                seen[name] = seen.get(name, 0) + 1
    return {name for name, count in seen.items() if count > 1}


def _frequency_owners(text: str, chunks: list[tuple[int, int]], match: re.Match | None,
                      given: dict[int, list[Mention]]) -> set[str]:
    """The substances named in the piece of ``text`` a frequency was found in, when that piece speaks
    of every arm ("; all patients continued pregabalin twice daily"): its frequency is not the arms'
    own. Empty otherwise ("A 2.5 mg or B 20 mg daily": the frequency is everyone's)."""
    if match is None:
        return set()
    for start, end in chunks:
        if start <= match.start() < end:
            chunk, mentions = text[start:end], given[start]
            if mentions and _may_say(chunk.lower(), EVERY_ARM_NEEDLES) and EVERY_ARM_BEFORE.search(chunk, 0, mentions[0].start):
                return {m.substance for m in mentions}
    return set()


def _merge_same_substance_arms(arms_found: list[dict]) -> list[dict]:
    """One arm for one substance said twice in a sentence that offers no choice ("Magnesium was sprayed on
    the limbs, 4 sprays twice daily (each spray 12.5 mg magnesium chloride)"): the form and the dose
    come from whichever piece says them."""
    kept: list[dict] = []
    for arm in arms_found:
        (mine,) = arm["interventions"] if len(arm["interventions"]) == 1 else (None,)
        same = next((k for k in kept if len(k["interventions"]) == 1 and mine is not None
                     and k["interventions"][0]["substance"] == mine["substance"] and not arm["is_control"]), None)
        if same is None:
            kept.append(arm)
            continue
        merged = _merge_same_substance(same["interventions"] + [mine])
        same.update(_arm(merged, same["n"] or arm["n"]))
    return kept


def _within(named: list[Mention], start: int, end: int) -> list[Mention]:
    """The mentions of a sentence (``named``) inside its piece ``[start, end)``, with offsets in the
    piece (what reading the piece alone finds, without reading it again)."""
    return [Mention(m.name, m.substance, m.form, m.start - start, m.end - start) for m in named
            if start <= m.start and m.end <= end]


def _chunks(text: str, named: list[Mention] | None = None) -> list[tuple[int, int]]:
    """Split an arms sentence into one piece per arm: at ';', 'or', 'versus', commas, but not
    inside parentheses, and a piece naming no substance stays with the piece before it (``named``:
    the sentence's mentions, ``_mentions``; read here when not given)."""
    if named is None:
        named = _mentions(text)
    pieces, start = [], 0
    for match in ARM_SPLIT.finditer(text):
        end = match.start() + 1  # the bracket depth after the split's first character
        if (text.count("(", 0, end) + text.count("[", 0, end) - text.count(")", 0, end) - text.count("]", 0, end)) > 0:
            continue
        pieces.append((start, match.start()))
        start = match.end()
    pieces.append((start, len(text)))
    merged: list[tuple[int, int]] = []
    for piece_start, piece_end in pieces:
        if merged and not any(piece_start <= m.start and m.end <= piece_end for m in named):
            merged[-1] = (merged[-1][0], piece_end)
        else:
            merged.append((piece_start, piece_end))
    return merged




def _merge_same_substance(interventions: list[dict]) -> list[dict]:
    """'magnesium chloride tablets (100 mg of magnesium)': one intervention, not two; and a
    name said twice in one arm ("Super Malic ... malic acid") is one intervention."""
    kept: list[dict] = []
    for item in interventions:
        same = next((k for k in kept if k["name"] == item["name"] or (
            k["substance"] == item["substance"] == "magnesium" and (k["form"] is None or item["form"] is None))), None)
        if same is None:
            kept.append(item)
            continue
        if same["form"] is None and item["form"]:
            same.update(name=item["name"], form=item["form"])
        for key in DOSE_KEYS:
            if same.get(key) is None and item.get(key) is not None:
                same[key] = item[key]
        same["evidence"] = _dedupe(same["evidence"] + item["evidence"])
    return kept




def _arm(interventions: list[dict], n: float | None) -> dict:
    label = " + ".join(i["name"] for i in interventions)
    # A background drug every arm takes does not make the placebo arm a treatment arm.
    tested = [i for i in interventions if not i.get("background")]
    return {"label": label, "n": int(n) if n else None,
            "is_control": all(i["name"] in CONTROL_NAMES for i in tested),
            "interventions": interventions}


def _doses_differ(one: dict, other: dict) -> bool:
    """Two arms of the same substances at different doses ("melatonin 3 mg + fluoxetine" and
    "melatonin 5 mg + fluoxetine") or by different routes or block sites ("magnesium sulfate 4 g
    intravenously or 4 g intramuscularly"): arms of their own, not one arm said twice."""
    return any(a.get(key) is not None and b.get(key) is not None and a[key] != b[key]
               for a, b in zip(one["interventions"], other["interventions"])
               for key in ("dose_mg", "daily_dose_mg", "dose_mg_per_kg", "infusion_mg_per_kg_per_h")) or (
        _site(one) is not None and _site(other) is not None and _site(one) != _site(other))


def _dose_label(arm: dict, by_site: bool = False) -> str:
    """An arm's label with its doses ("melatonin 3 mg + fluoxetine"), and where it was given when
    ``by_site`` ("magnesium sulfate 4 g (intramuscular)")."""
    label = " + ".join(f"{i['name']} {i['dose_text']}" if i.get("dose_text") else i["name"] for i in arm["interventions"])
    return f"{label} ({_site(arm)})" if by_site and _site(arm) else label


def _merge_duplicate_arms(arms_found: list[dict]) -> list[dict]:
    """One arm per label: an arm said twice is merged (the doses one left unsaid filled from the
    other); arms of one label at different doses stay apart, each labelled with its doses."""
    merged: dict[str, dict] = {}
    for arm in arms_found:
        kept = merged.get(arm["label"])
        if kept is not None and _doses_differ(kept, arm):
            del merged[arm["label"]]
            by_site = _site(kept) != _site(arm)  # (the route or site named only where it tells the arms apart)
            kept["label"], arm["label"] = _dose_label(kept, by_site), _dose_label(arm, by_site)
            merged[kept["label"]] = kept
        if arm["label"] in merged:
            kept = merged[arm["label"]]
            for old, new in zip(kept["interventions"], arm["interventions"]):
                for key in DOSE_KEYS:
                    if old.get(key) is None and new.get(key) is not None:
                        old[key] = new[key]
                old["evidence"] = _dedupe(old["evidence"] + new["evidence"])
        else:
            merged[arm["label"]] = arm
    return list(merged.values())


# Speed: the patterns searched most often, behind a look-ahead of the characters they can start
# with (``fastre.led``: the same matches, found faster). Kept last, to cover whatever they become.
from .fastre import led  # noqa: E402

(ARM_SENTENCE, ARM_SPLIT, MEASURED_BEFORE, PLACEBO_ARM, GROUP_SIZE, GROUP_WORDS, BACKGROUND_BEFORE,
 UNTREATED_ARM) = map(led, (ARM_SENTENCE, ARM_SPLIT, MEASURED_BEFORE, PLACEBO_ARM, GROUP_SIZE, GROUP_WORDS,
                            BACKGROUND_BEFORE, UNTREATED_ARM))
