"""Judging records against reference findings, and the flags an editor must see.

The reference studies and their claims are data (``fmwatch/claims/*.toml``). Each claim says
what kind of study speaks to it; the judgement of that kind is a rule here, shared by every
reference study. A judgement is a relation (supports, contradicts, mixed, related), a
one-sentence reason, the evidence spans it rests on, and what is new against the reference.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

NEWS_DESIGNS = {"news"}
REVIEW_DESIGNS = {"systematic_review", "meta_analysis", "narrative_review"}  # a review is never a "new trial"
CORRECTION_TYPES = {
    "RetractionIn": "retracted", "ErratumIn": "corrected (erratum)", "ExpressionOfConcernIn": "under an expression of concern",
    "RetractionOf": "a retraction notice", "ErratumFor": "an erratum", "ExpressionOfConcernFor": "an expression of concern",
}
CORRECTION_PUBLICATION_TYPES = {"Retracted Publication", "Retraction of Publication", "Published Erratum",
                                "Expression of Concern"}
TOLERABILITY = re.compile(r"\b(?:well\s+tolerated|tolerab\w*|side[\s-]+effects?|adverse\s+(?:events?|effects?)|"
                          r"gastrointestinal|stomach\s+upset|diarrh\w*|skin\s+irritation|irritat\w*)\b", re.I)
POOR_TOLERABILITY = re.compile(r"\b(?:serious\s+adverse|discontinu\w*|withdr[ae]w\w*|quit|stop|stopped|intolerab\w*|"
                               r"not\s+tolerated|dropouts?)\b", re.I)

# Magnesium as a treatment, in a review's words: "magnesium supplementation", "treated with magnesium".
MAGNESIUM_TREATMENT = re.compile(r"\bmagnesium\s+(?:\w+\s+)?(?:supplement\w*|treatment|therapy|administration|"
                                 r"intake\s+from\s+supplements)|\b(?:supplement\w*|treat\w*|therapy)\s+with\s+"
                                 r"(?:\w+\s+)?magnesium|\bmagnesium\s+(?:was|were|is)\s+(?:given|administered)", re.I)
ALL_IMPROVED = re.compile(r"\b(?:improv\w*|helped)\s+(?:on\s+)?(?:every|all|nearly\s+every)\s+(?:parameters?|measures?|outcomes?)",
                          re.I)

# Priorities an editor sorts by: 1 comes first.
PRIORITY = {"contradicts_claim": 1, "retraction": 2, "new_trial": 3, "new_levels_study": 4, "review": 5,
            "fm_coverage": 6, "cites_reference": 7, "related": 8, "reference_study": 9}


@dataclass(frozen=True)
class Claim:
    id: str
    text: str
    speaks_to: str
    partners: tuple[str, ...] = ()
    except_measures: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reference:
    id: str
    citation: str
    pmid: str | None
    facts: dict
    claims: tuple[Claim, ...]
    title: str | None = None
    doi: str | None = None


@dataclass
class RecordContext:
    """What the judgement needs beyond the evidence record: corrections, citations."""

    publication_types: list[str] = field(default_factory=list)
    comments_corrections: list[tuple[str, str | None]] = field(default_factory=list)  # (ref_type, pmid)
    cited_pmids: set[str] = field(default_factory=set)  # what the record cites (PubMed "Cites", reference lists)
    reports_on: list[str] = field(default_factory=list)  # PMIDs an FM Network article's citations resolved to
    known_pmids: set[str] = field(default_factory=set)  # PMIDs the warehouse holds
    text: str = ""  # the record's text, for cues no field carries (tolerability)


@dataclass
class Flag:
    record_id: str
    flag_key: str  # the claim id, or the flag type for flags not about one claim
    flag_type: str
    claim: str | None
    relation: str | None
    novelty: list[str]
    priority: int
    reason: str
    evidence: list[dict]

    @property
    def judgement_hash(self) -> str:
        """What must change for the flag to be raised again: the judgement, not the wording around it."""
        payload = json.dumps([self.flag_type, self.claim, self.relation, sorted(self.novelty)])
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


@cache
def registry() -> tuple[Reference, ...]:
    """Every reference study in fmwatch/claims/*.toml."""
    return load_registry(resources.files("fmwatch.claims"))


def _normal_title(title: str | None) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", (title or "").lower()))


def is_reference(record: dict, reference: Reference) -> bool:
    """Whether a record is the reference study itself: its PMID, its DOI, or its title (case,
    punctuation and spacing aside; a record whose title holds the reference title counts)."""
    if reference.pmid and record.get("pmid") == reference.pmid:
        return True
    if reference.doi and (record.get("doi") or "").lower() == reference.doi.lower():
        return True
    title, own = _normal_title(reference.title), _normal_title(record.get("title"))
    return bool(title) and len(title) > 20 and title in own


def load_registry(folder) -> tuple[Reference, ...]:
    """The reference studies of every .toml file in a folder."""
    references = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        data = tomllib.loads(entry.read_text(encoding="utf-8"))
        ref = data["reference"]
        claims = tuple(Claim(c["id"], c["text"], c["speaks_to"], tuple(c.get("partners", ())),
                             tuple(c.get("except_measures", ()))) for c in data["claim"])
        references.append(Reference(ref["id"], ref["citation"], ref.get("pmid"), ref.get("facts", {}), claims,
                                    ref.get("title"), ref.get("doi")))
    return tuple(references)


# --- what a record says -----------------------------------------------------------------------

def _magnesium_arms(record: dict) -> list[dict]:
    return [a for a in record["arms"] if not a.get("is_control")
            and any(i.get("substance") == "magnesium" for i in a["interventions"])]


TRIAL_DESIGNS = {"rct", "non_randomized_trial", "single_arm_trial", "protocol"}


# A title that names magnesium as what the trial tests: "Effect of magnesium infusion on epidural analgesia",
# "Efficacy of oral magnesium in ..." (not "Effect of diuretics on magnesium", nor "... on magnesium levels").
MAGNESIUM_TESTED_TITLE = re.compile(
    r"\b(?:effects?|efficacy|effectiveness|safety|role|use|influence|impact|benefits?)\s+of\s+(?:(?:an?|the|oral|"
    r"intravenous|i\.?v\.?|intrathecal|epidural|intra-?articular|topical|transdermal|adjunctive|adjuvant|prophylactic|"
    r"(?:pre|peri|post|intra)-?operative|high-dose|low-dose|supplemental)\s+)*magnesium\b(?!\s+(?:levels?|"
    r"concentrations?|status|deficiency|depletion|balance|homeostasis|intake|content))", re.I)


def is_magnesium_trial(record: dict) -> bool:
    """Whether a record is a clinical trial (run, registered or planned) that gives magnesium as the
    tested intervention: a trial design, human subjects, and an arm that is not a control with
    magnesium in it that is not background medication; or, when no arm names magnesium at all, a
    title that names it as what is tested ("Effect of magnesium infusion on ...": the arms missed
    it). Case reports, animal experiments, reviews, level studies (a diagnostic magnesium load is
    not an arm) and trials of other agents are not."""
    design = record["design"]
    if design["type"] not in TRIAL_DESIGNS or design.get("subjects") in ("animal", "in_vitro"):
        return False
    given = [i for a in record["arms"] for i in a["interventions"] if i.get("substance") == "magnesium"]
    if not given and "agnes" in (record.get("title") or ""):
        return MAGNESIUM_TESTED_TITLE.search(record["title"]) is not None
    return any(i.get("substance") == "magnesium" and not i.get("background")
               for a in _magnesium_arms(record) for i in a["interventions"])


def deciding(outcomes: list[dict]) -> list[dict]:
    """The results that decide a claim. An open-label phase after the blinded one, or a completers'
    analysis, decides only when the record has no other result (the blinded phase decides); a
    subgroup's result counts, and its reason names the subgroup; a safety result never decides."""
    outcomes = [o for o in outcomes if o["measure"] not in SAFETY_MEASURES]
    decisive = [o for o in outcomes if (o.get("population") or {}).get("kind") not in ("open_label", "per_protocol")]
    return decisive or outcomes


# Results on safety ("both doses were well tolerated"): an outcome of the record, never evidence for or
# against a claim of benefit.
SAFETY_MEASURES = frozenset({"tolerability"})


def _said(outcome: dict) -> str:
    """"fiq improved", or "fiq improved (subgroup: in patients with mild to moderate stress)"."""
    text = f"{outcome['measure'].replace('_', ' ')} {outcome['direction'].replace('_', ' ')}"
    population = outcome.get("population")
    return f"{text} ({population['kind'].replace('_', ' ')}: {population['text']})" if population else text


def _relation(directions: list[str]) -> str:
    good = sum(d == "improved" for d in directions)
    bad = sum(d in ("no_change", "worsened") for d in directions)
    if good and not bad:
        return "supports"
    if bad and not good:
        return "contradicts"
    return "mixed" if good and bad else "related"


def quotes(spans: list[dict]) -> list[dict]:
    """The whole sentences among evidence spans (``role == "sentence"``), each once: what a reason
    may quote. A one-word span (a dose, a compartment name) is evidence, never a quote."""
    seen, found = set(), []
    for item in spans:
        key = (item.get("field"), item["start"], item["end"])
        if item.get("role") == "sentence" and key not in seen:
            seen.add(key)
            found.append(item)
    return found


def _outcome_evidence(outcomes: list[dict]) -> list[dict]:
    return quotes([e for o in outcomes for e in o.get("evidence", [])])[:3]


def _arm_quotes(arms: list[dict]) -> list[dict]:
    return quotes([e for a in arms for i in a["interventions"] for e in i.get("evidence", [])])[:1]


def novelty(record: dict, facts: dict) -> list[str]:
    """What is new about a trial against the reference study's facts."""
    new = []
    design = record["design"]
    ref_design = facts.get("design", {})
    if (design.get("randomized") and not ref_design.get("randomized")) or \
            (design.get("blinding") in ("double", "single") and ref_design.get("blinding") in (None, "none", "open")) or \
            (design.get("placebo_controlled") and not ref_design.get("placebo_controlled")) or \
            (design.get("crossover") and not ref_design.get("crossover")):
        new.append("design")
    interventions = [i for a in _magnesium_arms(record) for i in a["interventions"] if i.get("substance") == "magnesium"]
    forms = {i["form"] for i in interventions if i.get("form")}
    if forms - set(facts.get("forms", [])) or any(i["name"] == "magnesium" and any(
            o.get("substance") == "malic acid" for a in record["arms"] for o in a["interventions"]) for i in interventions):
        new.append("form")
    doses = {i.get("daily_dose_mg") for i in interventions} - {None}
    if facts.get("daily_dose_mg") and any(abs(d - facts["daily_dose_mg"]) > 1 for d in doses):
        new.append("dose")
    routes = {i.get("route") for i in interventions} - {None}
    if facts.get("route") and routes - {facts["route"]}:
        new.append("route")
    weeks = record.get("duration_weeks")
    if weeks and facts.get("duration_weeks") and abs(weeks - facts["duration_weeks"]) >= 1:
        new.append("duration")
    sex = record["population"].get("sex")
    if facts.get("sex") and sex and sex != facts["sex"]:
        new.append("population")
    measures = {o["measure"] for o in record["outcomes"]}
    if measures - set(facts.get("outcomes", [])):
        new.append("outcomes")
    return new


def judge_claim(record: dict, claim: Claim, reference: Reference, context: RecordContext) -> dict | None:
    """The relation of one record to one claim, or None when the record does not speak to it."""
    levels = record["magnesium_levels"]
    is_news = record["design"]["type"] in NEWS_DESIGNS
    mg_arms = _magnesium_arms(record)
    if claim.speaks_to == "levels_vs_controls":
        compared = [lv for lv in levels if lv.get("fm_vs_controls")]
        if not levels:
            return None
        where = ", ".join(f"{lv['compartment']} {lv['fm_vs_controls'].replace('_', ' ')}" for lv in compared)
        if is_news and compared:  # the reason says what the stored values say, news or not
            return _judgement(claim, "related", [], f"A lay article on magnesium in fibromyalgia vs healthy "
                              f"controls: {where}.", quotes([e for lv in compared for e in lv["evidence"]])[:2])
        if not compared:
            measured = ", ".join(sorted({lv["compartment"] for lv in levels}))
            controls = record["population"].get("n_controls")
            reason = (f"It measures {measured} magnesium in fibromyalgia and has healthy controls, but states no "
                      "direction against them that we can read." if controls else
                      f"It measures {measured} magnesium in fibromyalgia without a comparison with healthy "
                      "controls we can read.")
            return _judgement(claim, "related", [], reason, quotes([e for lv in levels for e in lv["evidence"]])[:2])
        values = [lv["fm_vs_controls"] for lv in compared]
        relation = _relation(["improved" if v == "lower" else "no_change" for v in values])
        return _judgement(claim, relation, [], f"Magnesium in fibromyalgia vs healthy controls: {where}.",
                          quotes([e for lv in compared for e in lv["evidence"]])[:2])
    if claim.speaks_to == "levels_correlation":
        correlated = [lv for lv in levels if lv.get("correlation_with_symptoms")]
        if not correlated:
            return None
        if is_news:
            return _judgement(claim, "related", [], "A lay article on how magnesium levels track symptoms.",
                              quotes([e for lv in correlated for e in lv["evidence"]])[:1])
        values = {lv["correlation_with_symptoms"] for lv in correlated}
        relation = "supports" if values == {"negative"} else ("contradicts" if "negative" not in values else "mixed")
        return _judgement(claim, relation, [], "Correlation of magnesium with symptoms: " + ", ".join(sorted(values)) + ".",
                          quotes([e for lv in correlated for e in lv["evidence"]])[:1])
    if claim.speaks_to == "magnesium_trial":
        if not mg_arms and record["design"]["type"] in REVIEW_DESIGNS and MAGNESIUM_TREATMENT.search(context.text):
            # a review of magnesium treatment speaks to the claim; without a verdict we can read, it is related
            outcomes = [o for o in record["outcomes"] if o.get("direction")]
            relation = _relation([o["direction"] for o in outcomes])
            kind = record["design"]["type"].replace("_", " ")
            return _judgement(claim, relation, [], f"A {kind} of magnesium treatment"
                              + (": " + "; ".join(f"{o['measure'].replace('_', ' ')} {o['direction'].replace('_', ' ')}"
                                                 for o in outcomes) + "." if outcomes else
                                 ", with no verdict we can read."),
                              _outcome_evidence(outcomes))
        if not mg_arms:
            return None
        new = novelty(record, reference.facts)
        if is_news:
            return _judgement(claim, "related", new, "A lay article reporting a trial of magnesium in fibromyalgia.",
                              _arm_quotes(mg_arms))
        combination_labels = {a["label"] for a in mg_arms if len(a["interventions"]) > 1}
        # outcomes of a combination arm speak to the combination claim, not to magnesium alone
        outcomes = [o for o in record["outcomes"] if o.get("direction") and o.get("arm") not in combination_labels]
        outcomes = deciding(outcomes)
        relation = _relation([o["direction"] for o in outcomes])
        parts = [_said(o) for o in outcomes]
        reason = (f"Magnesium trial ({record['design']['type'].replace('_', ' ')}): " + "; ".join(parts) + "."
                  if parts else "A trial of magnesium in fibromyalgia with no result we can read.")
        return _judgement(claim, relation, new, reason, _outcome_evidence(outcomes) or _arm_quotes(mg_arms))
    if claim.speaks_to == "combination_trial":
        combined = [a for a in mg_arms if any(i["name"] in claim.partners for i in a["interventions"])]
        if not combined:
            return None
        new = novelty(record, reference.facts)
        if is_news:
            return _judgement(claim, "related", new, "A lay article on magnesium combined with an antidepressant.",
                              _arm_quotes(combined))
        labels = {a["label"] for a in combined}
        outcomes = [o for o in record["outcomes"] if o.get("direction") and o.get("arm") in labels] or \
            [o for o in record["outcomes"] if o.get("direction") and o.get("arm") is None]
        directions = [o["direction"] for o in outcomes if o["measure"] not in claim.except_measures
                      and o["measure"] not in SAFETY_MEASURES]
        if ALL_IMPROVED.search(context.text):  # "improved every parameter except numbness"
            directions.append("improved")
        relation = _relation(directions)
        return _judgement(claim, relation, new, f"Magnesium combined with {combined[0]['label']}: "
                          + ", ".join(f"{o['measure']} {o['direction']}" for o in outcomes) + ".",
                          _outcome_evidence(outcomes) or _arm_quotes(combined))
    if claim.speaks_to == "tolerability":
        if not mg_arms:
            return None
        cue = TOLERABILITY.search(context.text)
        if not cue:
            return None
        sentence = _sentence_around(context.text, cue.start())
        if is_news:
            return _judgement(claim, "related", [], "A lay article mentioning how magnesium was tolerated.", [])
        relation = "mixed" if POOR_TOLERABILITY.search(sentence) else "supports"
        return _judgement(claim, relation, novelty(record, reference.facts), f"Tolerability: {sentence.strip()}", [])
    return None


def _sentence_around(text: str, position: int) -> str:
    starts = [m.end() for m in re.finditer(r"[.!?]\s+|\n", text[:position])]
    end = re.search(r"[.!?](?=\s|$)|\n", text[position:])
    return text[starts[-1] if starts else 0: position + (end.end() if end else len(text) - position)].strip()


def _judgement(claim: Claim, relation: str, new: list[str], reason: str, evidence: list[dict]) -> dict:
    return {"claim": claim.id, "relation": relation, "novelty": new, "reason": reason, "evidence": evidence}


# --- flags --------------------------------------------------------------------------------------

def judge(record: dict, context: RecordContext) -> tuple[list[dict], list[Flag]]:
    """Fill ``record['claims']`` and return the flags the record raises."""
    topic = record["topics"]
    claims: list[dict] = []
    flags: list[Flag] = []
    record_id = record["record_id"]
    design_type = record["design"]["type"]
    about_mg_in_fm = topic.get("fibromyalgia") and topic.get("magnesium")
    for reference in registry():
        if is_reference(record, reference):  # shown as the reference, never judged against itself
            record["reference_study"] = reference.id
            flags.append(Flag(record_id, f"reference:{reference.id}", "reference_study", None, None, [],
                              PRIORITY["reference_study"], f"This is the reference study the {reference.id} claims "
                              f"come from ({reference.citation[:60]}...); it is not judged against itself.", []))
            continue
        if not about_mg_in_fm:
            break  # not about magnesium in fibromyalgia
        for claim in reference.claims:
            judgement = judge_claim(record, claim, reference, context)
            if judgement is None:
                continue
            if judgement["relation"] == "contradicts":
                kind = "contradicts_claim"
            elif (claim.speaks_to in ("magnesium_trial", "combination_trial", "tolerability")
                  and design_type not in NEWS_DESIGNS and design_type != "case_report"):
                kind = "new_trial"  # (one patient's story is related evidence, not a trial)
            elif claim.speaks_to.startswith("levels") and design_type not in NEWS_DESIGNS:
                kind = "new_levels_study"
            elif design_type in NEWS_DESIGNS:
                kind = "fm_coverage"
            else:
                kind = "related"
            if design_type in REVIEW_DESIGNS and kind != "contradicts_claim":
                kind = "review"
            judgement["priority"] = PRIORITY[kind]
            claims.append(judgement)
            flags.append(Flag(record_id, claim.id, kind, claim.id, judgement["relation"], judgement["novelty"],
                              PRIORITY[kind], judgement["reason"], judgement["evidence"]))
        if about_mg_in_fm and design_type in REVIEW_DESIGNS and not any(f.flag_type == "review" for f in flags):
            flags.append(Flag(record_id, "review", "review", None, "related", [], PRIORITY["review"],
                              f"A {design_type.replace('_', ' ')} on magnesium and fibromyalgia.", record["design"]["evidence"][:1]))
        if reference.pmid and reference.pmid in context.cited_pmids:
            flags.append(Flag(record_id, f"cites:{reference.id}", "cites_reference", None, "related", [],
                              PRIORITY["cites_reference"], f"Cites the reference study ({reference.citation[:60]}...).", []))
        if record["source"] == "fmnetwork" and context.reports_on:
            about = ", ".join(f"PMID {p}" for p in context.reports_on)
            relation = "related"
            flags.append(Flag(record_id, "fm_coverage", "fm_coverage", None, relation, [], PRIORITY["fm_coverage"],
                              f"Fibromyalgia Network article reporting on {about}.", []))
    for ref_type, pmid in context.comments_corrections:
        if ref_type not in CORRECTION_TYPES:
            continue
        notice = ref_type.endswith(("Of", "For"))
        if notice and pmid not in context.known_pmids:
            continue  # a notice about a record we do not hold
        what = CORRECTION_TYPES[ref_type]
        reason = (f"This record is {what} (see PMID {pmid})." if not notice
                  else f"This record is {what} for PMID {pmid}, which the warehouse holds.")
        flags.append(Flag(record_id, f"correction:{ref_type}:{pmid}", "retraction", None, None, [],
                          PRIORITY["retraction"], reason, []))
    for publication_type in context.publication_types:
        if publication_type in CORRECTION_PUBLICATION_TYPES and not any(f.flag_type == "retraction" for f in flags):
            flags.append(Flag(record_id, f"correction:{publication_type}", "retraction", None, None, [],
                              PRIORITY["retraction"], f"PubMed marks this record: {publication_type}.", []))
    record["claims"] = claims
    return claims, flags
