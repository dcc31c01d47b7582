"""Rule-based extraction of study details, every value with the text span it came from.

Input is a ``Document``: named text fields (title, abstract or body, and the publication
types and MeSH terms as text, so that values read from them have spans too). Output is one
evidence record per ``shared/contracts/evidence-record.schema.json``; ``claims`` is left
empty here and filled by ``fmwatch.evidence``. Unknown values are null, never guessed.

Rules rather than a model: they run at thousands of abstracts a second on one core, need no
weights, and each value can be traced to the words that produced it.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..records import ArticleRecord, FmArticle
from . import lexicon as lx
from . import measures as ms
from . import statements as st
from .record import EvidenceRecord

EXTRACTOR_VERSION = "rules-4"  # bumped when the rules change: `fmwatch reextract` brings old records up
MAX_FIELD_CHARS = 60_000  # a 100 kB "abstract" is read up to here; the rest cannot be an abstract


@dataclass
class Document:
    record_id: str
    source: str
    title: str
    fields: dict[str, str]  # field name -> text; spans index into these
    pmid: str | None = None
    doi: str | None = None
    publication_types: list[str] = field(default_factory=list)
    mesh: list[str] = field(default_factory=list)
    language: str | None = None
    _sentences: list | None = field(default=None, repr=False, compare=False)
    _lower: str | None = field(default=None, repr=False, compare=False)
    _found: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_article(cls, record: ArticleRecord) -> "Document":
        fields = {"title": record.title or "", "abstract": record.abstract or ""}
        if record.publication_types:
            fields["publication_types"] = "; ".join(record.publication_types)
        if record.mesh:
            fields["mesh"] = "; ".join(m.descriptor for m in record.mesh)
        return cls(f"pubmed:{record.pmid}", "pubmed", record.title or "", fields, record.pmid, record.doi,
                   record.publication_types, [m.descriptor for m in record.mesh],
                   record.languages[0] if record.languages else None)

    @classmethod
    def from_fm_article(cls, article: FmArticle) -> "Document":
        return cls(article.record_id, "fmnetwork", article.title, {"title": article.title, "body": article.body})

    @property
    def text_fields(self) -> list[str]:
        return [name for name in ("title", "abstract", "body") if self.fields.get(name)]


@dataclass(frozen=True)
class Sentence:
    field: str
    start: int
    end: int
    text: str


def span(doc: Document, field_name: str, start: int, end: int) -> dict:
    return {"text": doc.fields[field_name][start:end], "start": start, "end": end, "field": field_name}


def sentence_span(doc: Document, sentence: Sentence) -> dict:
    """A whole sentence as an evidence span, marked ``"role": "sentence"``: the span a reason may
    quote (a word or a number never stands as a quote)."""
    return {**span(doc, sentence.field, sentence.start, sentence.end), "role": "sentence"}


def sentences(doc: Document) -> list[Sentence]:
    if doc._sentences is not None:
        return doc._sentences
    found = []
    for name in doc.text_fields:
        text = doc.fields[name][:MAX_FIELD_CHARS]
        start = 0
        # A sentence ends at . ! ? or a newline before a capital, digit or section label.
        for match in re.finditer(r"(?<=[.!?])\s+(?=[A-Z0-9(\"“])|\n+", text):
            if match.start() > start:
                found.append(Sentence(name, start, match.start(), text[start:match.start()]))
            start = match.end()
        if start < len(text):
            found.append(Sentence(name, start, len(text), text[start:]))
    doc._sentences = found
    return found


def _find(doc: Document, pattern: re.Pattern, fields: list[str] | None = None) -> list[dict]:
    key = (id(pattern), tuple(fields) if fields else None)
    if key in doc._found:  # several stages ask the same question of one document
        return doc._found[key]
    spans = doc._found[key] = []
    for name in fields or doc.text_fields:
        for match in pattern.finditer(doc.fields.get(name, "")[:MAX_FIELD_CHARS]):
            spans.append(span(doc, name, match.start(), match.end()))
    return spans


# --- topics ----------------------------------------------------------------------------------------

FIBROMYALGIA_TEXT = re.compile(r"\bfibromyalgi\w*|\bFMS\b|\bfibrositis\b", re.I)
AMITRIPTYLINE_TEXT = re.compile(r"\bamitriptyline\b", re.I)
MAGNESIUM_MESH = re.compile(r"^(magnesium|magnesium compounds|magnesium (chloride|sulfate|oxide|hydroxide|citrate)|"
                            r"magnesium deficiency|malates)$", re.I)


def topics(doc: Document) -> dict:
    mesh = [m.lower() for m in doc.mesh]
    magnesium = bool(_find_if(doc, lx.MAGNESIUM, ("magnes", "mgcl", "mgso", "mgo", "malic"))
                     or ("Mg" in "".join(doc.fields[f] for f in doc.text_fields) and _find(doc, lx.MG_SYMBOL)))
    return {
        # The Fibromyalgia Network writes for people with fibromyalgia: its articles are about it
        # even when one ("Malic Acid and Magnesium, Revisited") never says the word.
        "fibromyalgia": (doc.source == "fmnetwork" or bool(_find_if(doc, FIBROMYALGIA_TEXT, ("fibro", "fms")))
                         or "fibromyalgia" in mesh),
        "magnesium": magnesium or any(MAGNESIUM_MESH.match(m) for m in mesh),
        "amitriptyline": bool(_find_if(doc, AMITRIPTYLINE_TEXT, ("amitriptyline",))) or "amitriptyline" in mesh,
    }


# --- design ----------------------------------------------------------------------------------------

DESIGN_CUES = {
    # "non-randomized" and "not randomized" also match here; "not_randomized" wins in design().
    "randomized": re.compile(r"\brandomi[sz](?:ed|ation)\b|\brandomly\s+(?:assigned|allocated|divided)\b", re.I),
    "not_randomized": re.compile(r"\bnon-?randomi[sz]ed\b|\bnot\s+randomi[sz]ed\b", re.I),
    "double": re.compile(r"\b(?:double|triple)[\s-]+(?:blind\w*|mask\w*)|\bneither\s+the\s+patients\s+nor\b", re.I),
    "single": re.compile(r"\bsingle[\s-]+(?:blind\w*|mask\w*)", re.I),
    "open": re.compile(r"\bopen[\s-]+label\w*|\bunblinded\b|\bopen\s+(?:study|trial)\b|\bno\s+placebo\s+group\b", re.I),
    "placebo": re.compile(r"\bplacebos?\b|\bsham\b|\blook-alike\b", re.I),
    "no_placebo": re.compile(r"\bno\s+placebo\b|\bwithout\s+(?:a\s+)?placebo\b", re.I),
    "crossover": re.compile(r"\bcross[\s-]?over\b", re.I),
    "pilot": re.compile(r"\bpilot\b|\bfeasibility\b", re.I),
}
TEXT_TYPES = [
    ("meta_analysis", re.compile(r"\bmeta-?analys[ie]s\b|\bquantitative\s+systematic\s+review\b", re.I)),
    ("systematic_review", re.compile(r"\bsystematic\s+(?:literature\s+)?review\b|\bPROSPERO\b", re.I)),
    ("protocol", re.compile(r"\bstudy\s+protocol\b|\bprotocol\s+for\s+a\b|\btrial\s+protocol\b|\bthis\s+protocol\b", re.I)),
    ("case_report", re.compile(r"\bcase\s+report\b|\bwe\s+(?:report|describe|present)\s+(?:a|the|an)\s+"
                               r"(?:\d+[\s-]year[\s-]old|case|patient|woman|man)\b", re.I)),
    ("case_control", re.compile(r"\bcase[\s-]+control\b", re.I)),
    ("cross_sectional", re.compile(r"\bcross[\s-]+sectional\b", re.I)),
    ("cohort", re.compile(r"\bcohort\s+study\b|\bprospective(?:ly)?\s+followed\b|\blongitudinal\s+study\b", re.I)),
    ("narrative_review", re.compile(r"\b(?:narrative|literature)\s+review\b|\bthis\s+(?:review|chapter)\b|\bwe\s+review\b|"
                                    r"\bthis\s+(?:activity|article|chapter|paper)\s+reviews\b|\breviews?\s+the\s+"
                                    r"(?:evidence|literature)\b|\breview\s+of\s+the\s+literature\b", re.I)),
]
# The kinds a text cue may name only when it speaks of the record itself: in the title, or in a
# sentence that says "this", "we", "our" or "present" ("A recent meta-analysis found ..." is background).
SELF_TYPES = {"meta_analysis", "systematic_review", "protocol", "narrative_review", "cohort"}
SELF_REFERENCE = re.compile(r"\b(?:this|we|our|present|here)\b", re.I)
# "Heterogeneity precluded any meta-analyses", "no meta-analysis was possible": a review without one.
NEGATED_META = re.compile(r"\b(?:no|not|precluded?\w*|without|impossible|could\s+not)\b[^.]{0,40}meta-?analys|"
                          r"meta-?analys[ie]s\s+(?:was|were|could)\s+not\b", re.I)
PUBLICATION_TYPES = {
    "meta-analysis": "meta_analysis", "systematic review": "systematic_review",
    "clinical trial protocol": "protocol", "case reports": "case_report", "review": "narrative_review",
    "randomized controlled trial": "rct", "controlled clinical trial": "non_randomized_trial",
    "observational study": "cohort",
}
# MeSH publication-type-like headings that name the design of the record itself.
MESH_TYPES = {"case-control studies": "case_control", "cross-sectional studies": "cross_sectional",
              "cohort studies": "cohort", "prospective studies": "cohort"}
REVIEW_TYPES = {"meta_analysis", "systematic_review", "narrative_review"}
TRIAL_WORDS = re.compile(r"\b(?:trial|treated|treatment\s+groups?|supplementation|received|took|were\s+given|"
                         r"assigned|intervention|spray|sprayed|applied|feasibility\s+study|groups?\s+of\s+\d+|"
                         r"administered|doses?\s+of|infusions?\s+of|injections?\s+of)\b", re.I)
# Animal and laboratory studies: never human trials, whatever they give.
ANIMAL_WORDS = re.compile(r"\b(?:rats?|mice|mouse|murine|rodents?|rabbits?|guinea\s+pigs?|piglets?|hamsters?|"
                          r"dogs|primates|animal\s+(?:model|study|experiments?))\b", re.I)
ANIMAL_MESH = re.compile(r"\bAnimals\b")
ANIMAL_NEEDLES = ("rats", " rat ", " rat,", "mice", "mouse", "murine", "rodent", "rabbit", "guinea pig", "piglet",
                  "hamster", "dogs", "primates", "animal model", "animal stud", "animal experiment")
IN_VITRO_WORDS = re.compile(r"\bin\s+vitro\b|\bcell\s+cultures?\b|\bcultured\s+(?:\w+\s+)?cells\b", re.I)
HUMAN_WORDS = re.compile(r"\b(?:patients?|women|men|volunteers|participants|subjects\s+with|adults|children|humans)\b", re.I)
# A registry record (ClinicalTrials.gov and its like) names its own fields.
REGISTRY_FIELDS = re.compile(r"\b(?:Study\s+Type|(?:Estimated|Actual)\s+Enrollment|Allocation|Intervention\s+Model|"
                             r"Masking|Primary\s+Purpose|Primary\s+Outcome\s+Measures?|Secondary\s+Outcome\s+Measures?|"
                             r"Eligibility\s+Criteria|Study\s+Start|Brief\s+Summary|Recruitment\s+Status)\s*:", re.I)
REGISTRY_NEEDLES = ("study type", "enrollment", "allocation", "intervention model", "masking", "primary purpose",
                    "outcome measure", "eligibility criteria", "study start", "brief summary", "recruitment status")
# A planned trial told in the future tense: "patients will be randomized".
WILL_BE = re.compile(r"\bwill\s+be\s+(?:randomi[sz]ed|enrolled|recruited|assigned|allocated|included|given|treated)\b", re.I)


CUE_NEEDLES = {"randomized": ("random",), "not_randomized": ("random",), "double": ("blind", "mask", "neither"),
               "single": ("single",), "open": ("open", "unblind", "no placebo"), "placebo": ("placebo", "sham", "look-alike"),
               "no_placebo": ("placebo",), "crossover": ("cross",), "pilot": ("pilot", "feasib"),
               "parallel": ("parallel",)}
DESIGN_CUES["open"] = re.compile(r"\bopen[\s-]+label\w*|\bunblinded\b|\bopen\s+(?:\w+\s+){0,3}?(?:study|trial)\b|"
                                 r"\bno\s+placebo\s+group\b|\buncontrolled\b", re.I)
DESIGN_CUES["parallel"] = re.compile(r"\bparallel[\s-]+(?:groups?|arms?|design)\b", re.I)
TYPE_NEEDLES = {"meta_analysis": ("meta", "quantitative"), "systematic_review": ("systematic", "prospero"),
                "protocol": ("protocol",), "case_report": ("case", "we report", "we describe", "we present"),
                "case_control": ("case",), "cross_sectional": ("sectional",),
                "cohort": ("cohort", "prospective", "longitudinal"), "narrative_review": ("review", "chapter")}


def _lower_text(doc: Document) -> str:
    if doc._lower is None:
        doc._lower = "\n".join(doc.fields[f] for f in doc.text_fields).lower()
    return doc._lower


def _find_if(doc: Document, pattern: re.Pattern, needles: tuple[str, ...]) -> list[dict]:
    """_find, skipped when none of the needles is in the text (a substring test costs far less)."""
    lowered = _lower_text(doc)
    return _find(doc, pattern) if any(n in lowered for n in needles) else []


def _kind(doc: Document, sentence: Sentence) -> str:
    """"wish", "background", "objective" or "statement" (see ``statements``); titles are statements."""
    key = ("kind", sentence.field, sentence.start)
    if key not in doc._found:
        text = sentence.text
        if "lead" not in doc._found:  # the sentences before the study is first spoken of are background
            abstract = [s for s in sentences(doc) if s.field == "abstract"]  # (a news story has no such order)
            count = st.leading_background([s.text for s in abstract])
            doc._found["lead"] = {(s.field, s.start) for s in abstract[:count]}
        kind = "statement" if sentence.field == "title" else st.kind_of(text)
        if kind in ("objective", "statement") and (sentence.field, sentence.start) in doc._found["lead"]:
            kind = "background"
        doc._found[key] = kind
    return doc._found[key]


def _said(doc: Document, spans: list[dict], excluded: tuple[str, ...] = ("wish", "background")) -> list[dict]:
    """The spans that sit in sentences of this study's own (not a wish, not background from elsewhere)."""
    if not spans:
        return spans
    kept = []
    for item in spans:
        sentence = _sentence_at(doc, item["field"], item["start"])
        if sentence is None or _kind(doc, sentence) not in excluded:
            kept.append(item)
    return kept


def _sentence_at(doc: Document, field_name: str, position: int) -> Sentence | None:
    """The sentence of a field that holds a position (a binary search over the sentence starts)."""
    index = doc._found.get("starts")
    if index is None:
        index = doc._found["starts"] = {}
        for sentence in sentences(doc):
            index.setdefault(sentence.field, ([], []))
            index[sentence.field][0].append(sentence.start)
            index[sentence.field][1].append(sentence)
    starts, found = index.get(field_name, ([], []))
    at = bisect.bisect_right(starts, position) - 1
    if at < 0 or position > found[at].end:
        return None
    return found[at]


def subjects(doc: Document) -> str | None:
    """"animal" or "in_vitro" when the record studies animals or cells, else None (humans or unsaid).

    Reads MeSH (Animals without Humans) and the text: animal words twice or in the title, with no
    human subjects named outside background sentences."""
    mesh = {m.lower() for m in doc.mesh}
    if "animals" in mesh and "humans" not in mesh:
        return "animal"
    lowered = _lower_text(doc)
    if "in vitro" in lowered or "cultur" in lowered:
        if _said(doc, _find(doc, IN_VITRO_WORDS)) and not _said(doc, _find(doc, HUMAN_WORDS)):
            return "in_vitro"
    animal = _said(doc, _find_if(doc, ANIMAL_WORDS, ANIMAL_NEEDLES))
    if animal and (len(animal) > 1 or animal[0]["field"] == "title") and not _said(doc, _find(doc, HUMAN_WORDS)):
        return "animal"
    return None


def _text_type(doc: Document) -> tuple[str | None, dict | None]:
    """The design the text names for itself, with its span: the first kind of TEXT_TYPES found."""
    registry = _find_if(doc, REGISTRY_FIELDS, REGISTRY_NEEDLES)
    planned = _said(doc, _find_if(doc, WILL_BE, ("will be",)))
    if len(registry) >= 2 or len(planned) >= 2:
        return "protocol", (registry if len(registry) >= 2 else planned)[0]
    for name, pattern in TEXT_TYPES:
        found = _said(doc, _find_if(doc, pattern, TYPE_NEEDLES[name]))
        if name in SELF_TYPES:
            found = [f for f in found if f["field"] == "title" or SELF_REFERENCE.search(_sentence_of(doc, f).text)]
        if name == "meta_analysis":
            found = [f for f in found if not NEGATED_META.search(_sentence_of(doc, f).text)]
        if found:
            return name, found[0]
    return None, None


def _sentence_of(doc: Document, item: dict) -> Sentence:
    return _sentence_at(doc, item["field"], item["start"])


def design(doc: Document, arms: list[dict], population_: dict | None = None, levels: list[dict] | None = None) -> dict:
    """The record's design from every signal together, each value with its evidence.

    Reads: publication types and MeSH (``doc``), design words in the text (only in sentences of
    the study's own, never a wish or background), the arms found and, for a study with no arm,
    whether it compares magnesium levels with controls. Returns the schema's ``design`` object
    plus ``subjects`` ("animal", "in_vitro" or None) and where the type came from.

    Order of trust: a review, protocol or case report named by the text or PubMed; animals or
    cells; case-control or cross-sectional named; then the shape of a trial (randomised; double
    blind against placebo with two arms or more, read as an RCT as PubMed indexes such trials;
    treated arms); a comparison of levels with controls and no arm is case-control; else PubMed's
    type, else "unknown"."""
    cues = {name: _said(doc, _find_if(doc, pattern, CUE_NEEDLES[name])) for name, pattern in DESIGN_CUES.items()}
    evidence: list[dict] = []
    pt_type = next((PUBLICATION_TYPES[p.lower()] for p in _pt_priority(doc.publication_types)), None)
    mesh_type = next((MESH_TYPES[m.lower()] for m in doc.mesh if m.lower() in MESH_TYPES), None)
    text_type, type_span = _text_type(doc)
    kind = subjects(doc)
    source = "text" if text_type else None
    type_ = None
    if text_type in REVIEW_TYPES | {"protocol", "case_report"}:
        type_ = text_type
    elif pt_type in REVIEW_TYPES | {"protocol", "case_report"} and doc.source != "fmnetwork":
        type_, source = pt_type, "publication_type"
        type_span = _find(doc, re.compile(re.escape(_pt_priority(doc.publication_types)[0]), re.I), ["publication_types"])[:1]
        type_span = type_span[0] if type_span else None
    review = type_ in REVIEW_TYPES
    randomized = None
    if not review:
        if cues["not_randomized"]:
            randomized, evidence = False, evidence + cues["not_randomized"][:1]
        elif cues["randomized"]:
            randomized, evidence = True, evidence + cues["randomized"][:1]
        elif pt_type == "rct":
            randomized = True
            evidence += _find(doc, re.compile(r"Randomized Controlled Trial"), ["publication_types"])[:1]
    blinding = None
    for level in ("double", "single", "open") if not review else ():
        if cues[level]:
            blinding, evidence = level, evidence + cues[level][:1]
            break
    placebo = None
    if not review and cues["no_placebo"]:
        placebo, evidence = False, evidence + cues["no_placebo"][:1]
    elif not review and cues["placebo"]:
        placebo, evidence = True, evidence + cues["placebo"][:1]
    crossover = None
    if not review and cues["crossover"]:
        crossover = True
    elif not review and cues["parallel"]:
        crossover = False  # "two parallel groups" says it is not a crossover
        evidence += cues["parallel"][:1]
    pilot = True if cues["pilot"] else None
    for name in ("crossover", "pilot"):
        evidence += cues[name][:1] if not review or name == "pilot" else []

    treated_arms = [a for a in arms if not a.get("is_control")]
    controls = bool(population_ and population_.get("n_controls")) or bool(levels and any(
        lv.get("fm_vs_controls") for lv in levels))
    if type_ is None and kind:
        type_, source = "other", "text"
        type_span = (_find(doc, ANIMAL_MESH, ["mesh"]) or _find(doc, ANIMAL_WORDS) or _find(doc, IN_VITRO_WORDS)
                     or [None])[0]
    if type_ is None and doc.source == "fmnetwork" and text_type is None:
        type_, type_span, source = "news", span(doc, "title", 0, len(doc.fields["title"])), "source"
    if type_ is None and text_type in ("case_control", "cross_sectional") and not (randomized and treated_arms):
        type_ = text_type
    if type_ is None and randomized and (cues["randomized"] or pt_type == "rct"):
        type_, source = "rct", source or ("text" if cues["randomized"] else "publication_type")
    if (type_ is None and treated_arms and blinding in ("double", "single") and placebo and len(arms) > 1
            and not PARTIAL_BLINDING.search(_lower_text(doc))):
        type_, source = "rct", "text"  # a blinded comparison with placebo
    if type_ is None and treated_arms and _find(doc, TRIAL_WORDS):
        type_ = "non_randomized_trial" if len(arms) > 1 and any(a.get("is_control") for a in arms) or len(
            treated_arms) > 1 and not _single_group(doc) else "single_arm_trial"
        type_span, source = _find(doc, TRIAL_WORDS)[0], "text"
    if type_ is None and text_type:
        type_ = text_type
    if type_ is None and not treated_arms and (levels or controls):
        type_ = "case_control" if controls else "cross_sectional"
        source = "text"
        type_span = ((population_ or {}).get("evidence") or [e for lv in levels or [] for e in lv["evidence"]]
                     or [None])[0]
    if type_ is None and (mesh_type or pt_type):
        type_, source = (mesh_type or pt_type), ("mesh" if mesh_type else "publication_type")
        said = _find(doc, re.compile(re.escape(next((m for m in doc.mesh if m.lower() in MESH_TYPES), "")), re.I),
                     ["mesh"]) if mesh_type else []
        type_span = said[0] if said else type_span
    if type_span:
        evidence.append(type_span)
    result = {
        "type": type_ or "unknown",
        "randomized": randomized,
        "blinding": blinding,
        "placebo_controlled": placebo,
        "crossover": crossover,
        "pilot": pilot,
        "subjects": kind,
        "evidence": _dedupe(evidence),
        "type_source": source,
    }
    if pt_type and pt_type != result["type"] and result["type"] != "news":
        result["publication_type_says"] = pt_type  # the record keeps the disagreement
    return result


PARTIAL_BLINDING = re.compile(r"\bpartially\s+(?:double[\s-]+)?blind", re.I)
SINGLE_GROUP = re.compile(r"\b(?:first|next|remaining|remainder|subsequent)\s+(?:\w+\s+)?(?:patients|subjects|cohort)\b"
                          r"|\bdose[\s-]+escalation\b|\bcohorts?\b", re.I)


def _single_group(doc: Document) -> bool:
    """Doses given in turn to successive patients of one open study ("the first six patients received
    500 mg, the remainder 1 g"): one uncontrolled study, not a controlled comparison."""
    return bool(_find(doc, SINGLE_GROUP))


def _pt_priority(types: list[str]) -> list[str]:
    order = list(PUBLICATION_TYPES)
    return sorted((t for t in types if t.lower() in PUBLICATION_TYPES), key=lambda t: order.index(t.lower()))


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
HEADCOUNT_PAREN = re.compile(rf"\b(?P<who>{WHO})\s*\(\s*N\s*=\s*(?P<n>\d+)\s*\)", re.I)
ENROLLED_VERB = re.compile(r"\b(?:randomi[sz]|enrol|includ|recruit|took\s+part|participat|assign|underwent|were\s+studied|"
                           r"were\s+divided|met\s+the|entered|allocated|with\s+(?:primary\s+)?fibromyalgia|diagnosed)", re.I)
ANALYZED_VERB = re.compile(r"\b(?:completed|finished|analy[sz]ed|evaluable|remained|were\s+available)", re.I)
FEMALE = re.compile(r"\b(?:women|woman|female|females|girls|premenopausal|postmenopausal|pregnant|mothers)\b", re.I)
MALE = re.compile(r"\b(?:men|man|male|males|boys)\b", re.I)


def population(doc: Document, topic: dict) -> dict:
    # The condition is what the text (or MeSH) says, not what the source is about.
    said = topic["fibromyalgia"] and (_find_if(doc, FIBROMYALGIA_TEXT, ("fibro", "fms"))
                                      or any(m.lower() == "fibromyalgia" for m in doc.mesh))
    result = {"n_enrolled": None, "n_analyzed": None, "n_controls": None, "sex": None,
              "condition": "fibromyalgia" if said else None, "evidence": []}
    for sentence in sentences(doc):
        if sentence.field == "title" or not WHO_WORD.search(sentence.text):
            continue
        for match in [*HEADCOUNT.finditer(sentence.text), *HEADCOUNT_PAREN.finditer(sentence.text)]:
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
    female, male = _find(doc, FEMALE), _find(doc, MALE)
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


# --- arms and interventions -------------------------------------------------------------------------

@dataclass
class Mention:
    name: str
    substance: str | None
    form: str | None
    start: int  # within the sentence
    end: int


# Names of one word are looked up word by word (a dict lookup); only names of several words need
# a regex. "placebo-controlled" describes the design, not an arm.
SINGLE_WORD_SUBSTANCES = {w: n for w, n in lx.KNOWN_SUBSTANCES.items() if re.fullmatch(r"[a-z0-9]+", w)}
KNOWN_PHRASE = re.compile(
    r"\b(?:" + "|".join(re.escape(w) for w in sorted(set(lx.KNOWN_SUBSTANCES) - set(SINGLE_WORD_SUBSTANCES),
                                                     key=len, reverse=True)) + r")\b", re.I)
NAME_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]+")
CONTROLLED_AFTER = re.compile(r"[\s-]+controlled")


@lru_cache(maxsize=4096)
def substance_mentions(text: str) -> list[Mention]:
    found: list[Mention] = []
    lowered = text.lower()
    magnesium_matches = lx.MAGNESIUM.finditer(text) if ("magnes" in lowered or "malic" in lowered
                                                         or "mgcl" in lowered or "mgso" in lowered or "mgo" in lowered) else ()
    for match in magnesium_matches:
        if match.group("malic"):
            found.append(Mention("malic acid", "malic acid", None, match.start(), match.end()))
            found.append(Mention("magnesium", "magnesium", None, match.start(), match.end()))
            continue
        form = match.group("form") or match.group("form_before")
        form = lx.MAGNESIUM_FORMS.get(form.lower()) if form else None
        if match.group("short"):
            form = lx.MAGNESIUM_SHORT[match.group("short").lower()]
        found.append(Mention(f"magnesium {form}" if form else "magnesium", "magnesium", form, match.start(), match.end()))
    if "Mg" in text:
        for match in lx.MG_SYMBOL.finditer(text):
            if not any(m.start <= match.start() < m.end for m in found):
                found.append(Mention("magnesium", "magnesium", None, match.start(), match.end()))
    for match in KNOWN_PHRASE.finditer(text):
        if not any(m.start <= match.start() < m.end for m in found):
            name = lx.KNOWN_SUBSTANCES[match.group(0).lower()]
            found.append(Mention(name, name, None, match.start(), match.end()))
    for match in NAME_WORD.finditer(text):
        word = match.group(0).lower()
        name = SINGLE_WORD_SUBSTANCES.get(word)
        if name is None and not (len(word) >= 5 and word.endswith(lx.DRUG_SUFFIXES) and word not in lx.NOT_DRUGS):
            continue
        if name == "placebo" and CONTROLLED_AFTER.match(text, match.end()):
            continue
        if not any(m.start <= match.start() < m.end for m in found):
            found.append(Mention(name or word, name or word, None, match.start(), match.end()))
    return sorted(found, key=lambda m: m.start)


ARM_SENTENCE = re.compile(r"\b(?:assigned|randomi[sz]\w*|received|receiv\w*|took|gave|given|compar(?:ed|ing)|versus|vs\.?|"
                          r"doses?\s+of|"
                          r"either|or\s+(?:a\s+)?placebo|spray|sprayed|applied|apply|combining|pairs|tablets?|treated|"
                          r"supplement\w*|administ\w*|infusions?\s+of|injections?\s+of)\b", re.I)
PLACEBO_ARM = re.compile(r"\bplacebos?\b(?![\s-]+controlled)|\blook-alike\b", re.I)
GROUP_WORDS = re.compile(r"\b(?:groups?|arms?)\b", re.I)
ARM_SPLIT = re.compile(r";|,?\s+or\s+(?:a\s+|an\s+)?|\s+versus\s+|\s+vs\.?\s+|\s+compared\s+(?:with|to)\s+|,\s+(?=\d|[a-z])|"
                       r",?\s+and\s+(?=group\s+\w+\b|the\s+(?:\w+\s+){1,2}group\s+received)", re.I)
COMBINE = re.compile(r"\s(?:plus|\+|combined\s+with|together\s+with|with\s+the\s+addition\s+of)\s|\s\+\s|\bboth\b", re.I)
GROUP_SIZE = re.compile(rf"\bgroups?\s+of\s+(?P<n>{lx.NUMBER})\b|\(\s*n\s*=\s*(?P<n2>\d+)\s*\)", re.I)
# The size of one arm said in its own piece: "27 were treated with amitriptyline", "magnesium (n = 15)".
CHUNK_N = re.compile(rf"(?:^|:)\W*(?:(?:and|while|whereas)\s+)?(?P<n>{lx.NUMBER})\s+(?:\w+\s+)?(?:were|was|took|received|"
                     rf"got|had)\b|\(\s*n\s*=\s*(?P<n2>\d+)\s*\)", re.I)
TABLETS = re.compile(rf"\b(?P<n>{lx.NUMBER})\s+(?:tablets?|capsules?|pills?|sprays?)\b", re.I)


# A drug the patients were already on when randomised to something else: background, in every arm.
BACKGROUND_BEFORE = re.compile(r"\b(?:on|taking|receiving|already\s+(?:on|taking|receiving)|in\s+addition\s+to|"
                               r"added\s+to|add[\s-]on\s+to|on\s+top\s+of)\s+(?:stable\s+|a\s+stable\s+dose\s+of\s+|"
                               r"stable\s+doses\s+of\s+|their\s+(?:usual\s+)?)?$", re.I)
RANDOMISED_AFTER = re.compile(r"\b(?:randomi[sz]\w*|assigned|allocated|to\s+add)\b", re.I)
THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+")
# A dose said of one tablet: "tablets of malic acid 200 mg", "3 tablets bid of magnesium 50 mg", "each
# capsule contains 50 mg". Not "6 tablets a day (1,200 mg malic acid ...)": a bracket between the
# tablets and the substance gives the daily totals.
# "each tablet (200 mg malic acid, 50 mg magnesium)": the composition of one tablet, in brackets
# after a single tablet (not "6 tablets a day (1,200 mg ...)", the day's totals).
TABLET_COMPOSITION = re.compile(r"\b(?:tablet|capsule|pill|sachet)\s*(?:contain\w*\s*)?\([^()]*$", re.I)
# "2 x 250 mg", "6x419 mg": a count of doses a day before the dose.
TIMES_BEFORE = re.compile(r"\b(?P<k>\d{1,2})\s*[x×]\s*$")
PER_TABLET = re.compile(r"\b(?:tablets?|capsules?|pills?)\b[^()]{0,40}$", re.I)


def _dose_mg(amount: str, unit: str, substance: str | None) -> float | None:
    # "1,200 mg" is twelve hundred; "1,5 g" (a decimal comma) is one and a half
    value = float(amount.replace(",", "") if THOUSANDS.fullmatch(amount) else amount.replace(",", "."))
    unit = unit.lower()
    if unit == "mg":
        return value
    if unit == "g":
        return value * 1000
    if unit in ("µg", "μg", "mcg", "ug", "microg", "microgram", "micrograms"):
        return value / 1000
    if unit == "mmol" and substance == "magnesium":  # elemental magnesium, 24.305 g/mol
        return round(value * 24.305, 1)
    if unit == "meq" and substance == "magnesium":  # Mg2+ carries two charges: 1 mEq = 0.5 mmol
        return round(value * 24.305 / 2, 1)
    return None


@lru_cache(maxsize=2048)
def _frequency(text: str) -> tuple[float | None, re.Match | None]:
    for pattern, per_day in lx.FREQUENCY[1:] + lx.FREQUENCY[:1]:  # "twice daily" before "daily"
        match = pattern.search(text)
        if match:
            return float(per_day), match
    return None, None


def _route_words(text: str) -> str | None:
    """The words of an "other" route ("epidural", "intrathecal"), lower case."""
    _, match = _route(text)
    return match.group(0).lower() if match is not None else None


@lru_cache(maxsize=2048)
def _route(text: str) -> tuple[str | None, re.Match | None]:
    for pattern, route in lx.ROUTES:
        match = pattern.search(text)
        if match:
            return route, match
    return None, None


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


def _given(text: str, mention: "Mention") -> bool:
    """Whether a substance named in an arms sentence is something given to the participants."""
    if mention.substance in (None, "placebo", "saline"):
        return True
    return not (NOT_GIVEN_AFTER.match(text, mention.end) or MEASURED_BEFORE.search(text, 0, mention.start))


def arms(doc: Document) -> list[dict]:
    """The study's arms: only what was given to participants as part of the study.

    Reads the one sentence that best describes the arms (substances, doses, frequency, group
    words) among the study's own statements: never a wish or advice ("should be treated with"),
    background ("magnesium is known to block"), a diagnostic load test, or a substance that is
    measured, eaten or lacking ("magnesium levels", "Mg-deficient rats"). Returns arms as in the
    schema (``label``, ``n``, ``is_control``, ``interventions``); a placebo said elsewhere in the
    study's own sentences becomes a control arm."""
    candidates = []
    for sentence in sentences(doc):
        if sentence.field == "title" and doc.source != "pubmed":
            continue
        mentions = [m for m in substance_mentions(sentence.text) if m.name not in ("saline",)]
        if not mentions:
            continue  # the common case, kept cheap
        doses = list(lx.DOSE.finditer(sentence.text))
        if not (ARM_SENTENCE.search(sentence.text) or (doses and GROUP_WORDS.search(sentence.text))):
            continue
        mentions = [m for m in mentions if _given(sentence.text, m)]
        if (not mentions or _kind(doc, sentence) in ("wish", "background")
                or (("test" in sentence.text or "load" in sentence.text) and LOAD_TEST.search(sentence.text))):
            continue
        score = (len({m.name for m in mentions}) + 2 * bool(doses) + (sentence.field != "title")
                 + any(m.form for m in mentions) + (_frequency(sentence.text)[0] is not None))
        candidates.append((score, sentence, mentions))
    if not candidates:
        return []
    ranked = sorted(candidates, key=lambda c: -c[0])  # stable: the first of equally good sentences leads
    result = _arms_from_sentence(doc, ranked[0][1])
    for _, other, _ in ranked[1:4]:  # a later sentence may give a dose or a group size the best one left out
        if not any(a["n"] is None or any(i["dose_mg"] is None and i["name"] != "placebo" for i in a["interventions"])
                   for a in result):
            break
        _fill_arms(result, _arms_from_sentence(doc, other))
    whole = " ".join(doc.fields[f] for f in doc.text_fields)
    if any(i["name"] == "saline" for a in result for i in a["interventions"]):
        for arm in result:
            arm["is_control"] = arm["is_control"] or all(i["name"] == "saline" for i in arm["interventions"])
        result = [a for a in result if a["label"] != "placebo"]
    placebo_said = _said(doc, _find(doc, PLACEBO_ARM))
    double_dummy = any(i["name"] == "placebo" for a in result for i in a["interventions"])  # "X plus placebo"
    if (placebo_said and not double_dummy and not any(a["is_control"] for a in result)
            and not DESIGN_CUES["no_placebo"].search(whole)):
        result.append(_control_arm("placebo", placebo_said[0]))
    untreated = _said(doc, _find_if(doc, UNTREATED_ARM, UNTREATED_NEEDLES)) if result else []
    if untreated and not any(a["is_control"] for a in result):
        name = "usual care" if re.search(r"care", untreated[0]["text"], re.I) else "no treatment"
        result.append(_control_arm(name, untreated[0]))
    _placebo_route(result)
    return _dose_cohorts(doc, result)


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
UNTREATED_ARM = re.compile(r"\bno[\s-]treatment\b|\buntreated\s+(?:control|group|arm)|\b(?:usual|standard)\s+care\b|"
                           r"\bwait(?:ing)?[\s-]?list\b|\bdelayed[\s-]treatment\b|\bno\s+intervention\b", re.I)
UNTREATED_NEEDLES = ("no treatment", "no-treatment", "untreated", "usual care", "standard care", "wait", "delayed",
                     "no intervention")
CONTROL_NAMES = ("placebo", "saline", "no treatment", "usual care")


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
    if size:
        group_n = lx.words_to_number(size.group("n") or size.group("n2"))
    chunks = _chunks(text)
    whole = " ".join(doc.fields[f] for f in doc.text_fields)
    doc_route, _ = _route(whole)
    sentence_frequency, frequency_match = _frequency(text)
    if sentence_frequency is None:  # "taken in the evening" said in another sentence of the methods
        sentence_frequency, frequency_match = _frequency(whole)
        frequency_match = None if sentence_frequency is None else frequency_match
    result: list[dict] = []
    background: list[dict] = []  # "women on duloxetine were randomized to add magnesium or placebo"
    for chunk_start, chunk_end in chunks:
        chunk = text[chunk_start:chunk_end]
        mentions = [m for m in substance_mentions(chunk) if _given(chunk, m)]
        if not mentions:
            continue
        chunk_n = CHUNK_N.search(chunk)
        if chunk_n and chunk_n.group("n") and re.search(r"\b(?:or|versus|vs)\b", text[chunk_start + chunk_n.end():]):
            chunk_n = None  # "Twenty rats received A or B": everyone, before the choice
        arm_n = lx.words_to_number(chunk_n.group("n") or chunk_n.group("n2")) if chunk_n else group_n
        interventions = []
        assigned = _assign_doses(chunk, mentions)
        for index, mention in enumerate(mentions):
            dose = assigned.get(index)
            dose_offset = 0
            frequency, freq_match = _frequency(chunk)
            if frequency is None:
                frequency = sentence_frequency
            route, route_match = _route(chunk)
            route = route or _route(text)[0] or (doc_route if mention.substance in ("magnesium", "malic acid") else None)
            dose_mg = daily = None
            dose_text = None
            per_kg: dict = {}
            evidence = [span(doc, sentence.field, sentence.start + chunk_start + mention.start,
                             sentence.start + chunk_start + mention.end)]
            if dose:
                amount = _dose_mg(dose.group("amount"), dose.group("unit"), mention.substance)
                per = (dose.group("per") or "").lower().replace(" ", "")
                count = None
                if (PER_TABLET.search(text, 0, chunk_start + mention.start)
                        or TABLET_COMPOSITION.search(text, 0, chunk_start + dose.start())):
                    tablets = TABLETS.search(chunk) or TABLETS.search(text) or _tablets_with_frequency(whole)
                    count = lx.words_to_number(tablets.group("n")) if tablets else None
                times = TIMES_BEFORE.search(chunk, 0, dose.start())
                if times and count is None:  # "2 x 250 mg daily": 250 mg, twice a day
                    frequency = lx.words_to_number(times.group("k"))
                    per = "" if per in ("/day", "/d", "/daily", "perday", "aday", "daily") else per
                if amount is not None and "kg" in per:  # weight-based: kept per kg, no body weight known
                    per_hour = bool(re.search(r"h|hour", per))
                    per_kg = {"infusion_mg_per_kg_per_h" if per_hour else "dose_mg_per_kg": _round(amount)}
                if amount is not None and not re.search(r"kg|h|min", per):
                    if per in ("/day", "/d", "/daily", "perday", "aday", "daily"):
                        daily = amount
                        frequency = frequency or 1.0
                        dose_mg = amount / frequency
                    else:
                        dose_mg = amount * (count or 1)
                        daily = dose_mg * frequency if frequency else None
                dose_text = dose.group(0)
                absolute = sentence.start + chunk_start + dose_offset + dose.start()
                evidence.append(span(doc, sentence.field, absolute, absolute + len(dose.group(0))))
            if freq_match is not None:
                absolute = sentence.start + chunk_start + freq_match.start()
                evidence.append(span(doc, sentence.field, absolute, absolute + len(freq_match.group(0))))
            if route_match is not None:
                absolute = sentence.start + chunk_start + route_match.start()
                evidence.append(span(doc, sentence.field, absolute, absolute + len(route_match.group(0))))
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
            if BACKGROUND_BEFORE.search(text, 0, at) and RANDOMISED_AFTER.search(text, chunk_start + mention.end):
                background.append({**intervention, "background": True})
            else:
                interventions.append(intervention)
        interventions = _merge_same_substance(interventions)
        if not interventions:
            continue
        names = [i["name"] for i in interventions]
        if len(interventions) > 1 and not (COMBINE.search(chunk) or "malic acid" in names):
            # two substances in one chunk without "plus": separate arms (e.g. "A, B")
            for intervention in interventions:
                result.append(_arm([intervention], group_n))
        else:
            result.append(_arm(interventions, arm_n))
    if background and result:  # every arm keeps taking it: an add-on trial
        result = [_arm(arm["interventions"] + background, arm["n"]) for arm in result]
    return _merge_duplicate_arms(result)


def _chunks(text: str) -> list[tuple[int, int]]:
    """Split an arms sentence into one piece per arm: at ';', 'or', 'versus', commas, but not
    inside parentheses, and a piece naming no substance stays with the piece before it."""
    depth_at = []
    depth = 0
    for char in text:
        depth += char in "([" 
        depth -= char in ")]"
        depth_at.append(depth)
    pieces, start = [], 0
    for match in ARM_SPLIT.finditer(text):
        if depth_at[match.start()] > 0:
            continue
        pieces.append((start, match.start()))
        start = match.end()
    pieces.append((start, len(text)))
    merged: list[tuple[int, int]] = []
    for piece_start, piece_end in pieces:
        if merged and not substance_mentions(text[piece_start:piece_end]):
            merged[-1] = (merged[-1][0], piece_end)
        else:
            merged.append((piece_start, piece_end))
    return merged


DOSE_KEYS = ("dose_mg", "daily_dose_mg", "frequency_per_day", "route", "dose_text", "dose_mg_per_kg",
             "infusion_mg_per_kg_per_h")


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


def _assign_doses(chunk: str, mentions: list[Mention]) -> dict[int, re.Match]:
    """Which dose belongs to which substance: "300 mg of X" to X, otherwise "X 300 mg" to the
    substance just before the dose."""
    assigned: dict[int, re.Match] = {}
    for dose in lx.DOSE.finditer(chunk):
        of = re.match(r"\s+(?:dose\s+)?of\s+(?:the\s+)?(?:oral|intravenous|i\.?v\.?|intramuscular|transdermal|topical)?\s*",
                      chunk[dose.end():], re.I)
        owner = None
        if of:
            owner = next((i for i, m in enumerate(mentions) if m.start == dose.end() + of.end()), None)
        if owner is None:  # "malic acid 200 mg": the substance right before the dose
            owner = next((i for i, m in enumerate(mentions)
                          if m.end <= dose.start() and not chunk[m.end:dose.start()].strip()), None)
        if owner is None:  # "1,200 mg malic acid": the dose written before its substance
            owner = next((i for i, m in enumerate(mentions)
                          if m.start >= dose.end() and not chunk[dose.end():m.start].strip()), None)
        if owner is None:
            before = [i for i, m in enumerate(mentions) if m.end <= dose.start()]
            owner = before[-1] if before else None
        if owner is not None and owner not in assigned:
            assigned[owner] = dose
    return assigned


def _tablets_with_frequency(text: str) -> re.Match | None:
    for match in TABLETS.finditer(text):
        if _frequency(text[match.end():match.end() + 20])[0] is not None:
            return match
    return None


def _arm(interventions: list[dict], n: float | None) -> dict:
    label = " + ".join(i["name"] for i in interventions)
    # A background drug every arm takes does not make the placebo arm a treatment arm.
    tested = [i for i in interventions if not i.get("background")]
    return {"label": label, "n": int(n) if n else None,
            "is_control": all(i["name"] in CONTROL_NAMES for i in tested),
            "interventions": interventions}


def _merge_duplicate_arms(arms_found: list[dict]) -> list[dict]:
    merged: dict[str, dict] = {}
    for arm in arms_found:
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


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


# --- duration -------------------------------------------------------------------------------------

DURATION_BEFORE = re.compile(r"(?:\bfor|\bover|\blasting|\bduring|\bof|\bat|\bafter|\bin)\s*$", re.I)
DURATION_AFTER = re.compile(r"^\s*(?:trial|study|treatment|period|intervention|supplementation|course|therapy|"
                            r"phase|program|regimen)", re.I)
NOT_DURATION_BEFORE = re.compile(r"(?:\bafter|\bat|\baged?|\bup\s+to|\bwithin|\bevery|\bfollow-up\s+of|\bbefore|"
                                 r"\b(?:more|less|longer|shorter)\s+than|\bat\s+least|\bper)\s*$", re.I)
FREQUENCY_BEFORE = re.compile(r"(?:\btimes|\bonce|\btwice|\bthrice|\bmg|\bg|\bunits?|\btablets?|\bcapsules?|\bdoses?|"
                              r"\bsprays?|\bIU|\bml|\bdrops?)\s*$", re.I)
# "after 4 weeks of treatment", "after 7 days of feeding with a deficient diet": the time a treatment
# or an exposure lasted, said of its end.
OF_TREATMENT = re.compile(r"\s+(?:of\s+)?(?:the\s+)?(?:treatment|therapy|supplementation|intervention|feeding|diet|"
                          r"administration|exposure|intake|use|magnesium)\b", re.I)
# "one month (28 days)": the finer unit in brackets is what the text counted.
EXACT_AFTER = re.compile(rf"\s*\(\s*(?P<number>{lx.NUMBER})\s*(?P<unit>days?|weeks?)\s*\)", re.I)
NOT_DURATION_AFTER = re.compile(r"^[\s-]*(?:follow-up|old|of\s+age|postoperative|after|later|before|apart|interval)", re.I)


def duration(doc: Document) -> tuple[float | None, list[dict]]:
    """How long the treatment (or exposure) lasted, in weeks, with the words that say it.

    The first duration said as one ("for 8 weeks", "a 9-week trial", "after 7 days of feeding")
    wins, else the first plain one. Not durations: ages, time points ("at 2 h", "after 4 weeks"
    with nothing of treatment after it), follow-up, "more than three months" (a definition), and
    hours (a single session or a perioperative study has no treatment length in weeks). The unit
    the text gives is kept: "one month (28 days)" is 4 weeks, not 4.3; 1 month = 4.3 weeks
    otherwise. Returns (weeks or None, evidence spans)."""
    best = None
    for sentence in sentences(doc):
        for match in lx.DURATION.finditer(sentence.text):
            n = lx.words_to_number(match.group("number"))
            if not n:
                continue
            before = sentence.text[max(0, match.start() - 25):match.start()]
            after = sentence.text[match.end():match.end() + 25]
            of_treatment = OF_TREATMENT.match(after)
            if (NOT_DURATION_BEFORE.search(before) and not of_treatment) or NOT_DURATION_AFTER.search(after):
                continue
            if match.group("number").lower() == "a" and FREQUENCY_BEFORE.search(before):
                continue  # "three times a day", "300 mg a day": a frequency, not a duration
            strong = bool(DURATION_BEFORE.search(before) or DURATION_AFTER.search(after) or "-" in match.group(0))
            unit = match.group("unit").lower().rstrip("s")
            if unit in ("h", "hour") or (unit == "year" and not strong):
                continue  # "aged 1-12 years", "a 24-hour urine": ages and sessions, not treatment lengths
            end = match.end()
            exact = EXACT_AFTER.match(sentence.text, end)
            if exact and lx.words_to_number(exact.group("number")):
                n, unit, end = lx.words_to_number(exact.group("number")), exact.group("unit").lower().rstrip("s"), exact.end()
            weeks = round(n * lx.WEEKS_PER[unit], 2)
            found = (strong, weeks, span(doc, sentence.field, sentence.start + match.start(), sentence.start + end))
            if strong:
                return weeks, [found[2]]
            best = best or found
    return (best[1], [best[2]]) if best else (None, [])


# --- outcomes -------------------------------------------------------------------------------------

PAIN_MODIFIES = re.compile(r"[\s-]+(?:paroxysms?|relief|free|killers?|medications?|clinics?|catastrophi\w*|"
                           r"behaviou?rs?|syndromes?|conditions?|attacks?|episodes?|days?|flares?)\b", re.I)
DOWN_WORD = re.compile(r"(?:reduc|decreas|lower|fell|fall|diminish|declin|drop|fewer)", re.I)
BOTH_GROUPS = re.compile(r"\b(?:both|all|each\s+of\s+the)\s+(?:two\s+|three\s+)?groups\b|\bin\s+both\b", re.I)
COMBINATION_WORDS = re.compile(r"\b(?:combination|combined|pairing|both\s+(?:drugs|treatments|agents))\b", re.I)
CLAUSE_BOUNDARY = re.compile(r";|,?\s+(?:but|whereas|while|although|however)\s+|\s+and\s+(?=(?:the\s+)?(?:other|all|no)\b)", re.I)
EXCEPT = re.compile(r"(?:except|but\s+not|apart\s+from|other\s+than)\s+(?:for\s+)?(?:the\s+)?$", re.I)


@dataclass(frozen=True)
class _Found:
    """A measure found by ``measures.generic_measures``, shaped like a regex match for ``_outcome``."""

    begin: int
    stop: int
    label: str

    def start(self) -> int:
        return self.begin

    def end(self) -> int:
        return self.stop

    def group(self, _index: int = 0) -> str:
        return self.label


def outcomes(doc: Document, arm_list: list[dict], study_design: dict | None = None) -> list[dict]:
    """The results the record reports, one per measure: direction (improved, worsened, no_change)
    against the comparator where there is one, else against baseline; significance and p-value;
    the evidence sentence.

    Read from the study's own result statements only (never an objective, background, a wish or
    the title), for records that give a treatment (arms), pool trials (reviews) or expose animals;
    a record with no arm otherwise (a comparison of levels, a survey) has no treatment result.
    Measures are the fixed vocabulary of ``lexicon.MEASURES`` first, then any measure a result
    clause says changed (``measures.generic_measures``: "migraine days", "cramp frequency")."""
    design_type = (study_design or {}).get("type")
    if design_type == "protocol":
        return []  # a protocol's or registry record's outcomes are planned, not results
    if not arm_list and design_type not in REVIEW_TYPES and (study_design or {}).get("subjects") != "animal":
        return []
    found: dict[str, dict] = {}
    for sentence in sentences(doc):
        if sentence.field == "title":
            continue
        lowered = sentence.text.lower()
        known = any(n in lowered for n in lx.MEASURE_NEEDLES)
        generic = GENERIC_NEEDLE.search(sentence.text)
        if not (known or generic) or _kind(doc, sentence) != "statement":
            continue  # (the cheap tests first: most sentences report no result)
        taken: list[tuple[int, int]] = []
        if known:
            _known_outcomes(doc, sentence, arm_list, found, taken)
        if generic:
            _generic_outcomes(doc, sentence, arm_list, found, taken)
    _blanket_null(doc, arm_list, found)
    # a measure only named (methods) with no result anywhere says nothing: leave it out
    return [o for o in found.values() if o["direction"] is not None]


# "There were no differences between the groups in any outcome": a null for every measure named.
BLANKET_NULL = re.compile(
    r"\bno\s+(?:significant\s+|statistically\s+significant\s+)?differences?\s+(?:between\s+(?:the\s+)?(?:two\s+)?groups\s+)?"
    r"(?:in|on|for)\s+(?:any|all)\s+(?:of\s+the\s+)?(?:\w+\s+)?(?:outcomes?|measures?|endpoints?|parameters?|variables?)|"
    r"\bnone\s+of\s+the\s+(?:\w+\s+)?(?:outcomes|measures|endpoints|parameters)\s+(?:differed|changed|improved)|"
    r"\b(?:all|every)\s+(?:\w+\s+)?(?:outcomes?|measures?|endpoints?)\s+(?:were\s+|was\s+)?(?:similar|unchanged|comparable)", re.I)


def _blanket_null(doc: Document, arm_list: list[dict], found: dict) -> None:
    """A blanket null ("no differences in any outcome") applies to each measure the record names
    (in its methods or aims) that has no result of its own."""
    if "outcome" not in _lower_text(doc) and "measure" not in _lower_text(doc) and "endpoint" not in _lower_text(doc):
        return
    blanket = next(((s, m) for s in sentences(doc) if s.field != "title" and _kind(doc, s) == "statement"
                    for m in [BLANKET_NULL.search(s.text)] if m), None)
    if blanket is None:
        return
    sentence, match = blanket
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


GENERIC_NEEDLE = re.compile(r"decreas|reduc|improv|increas|declin|diminish|fell|rose|drop|lower|worsen|deteriorat|"
                            r"attenuat|elevat|not\s+(?:\w+\s+)?differ|unchanged|similar|relief", re.I)
RESULT_CLAUSE = re.compile(r";|,?\s+(?:but|whereas|while|although|however)\s+", re.I)


def _generic_outcomes(doc: Document, sentence: Sentence, arm_list: list[dict], found: dict, taken: list) -> None:
    text = sentence.text
    qualified = _qualifier(text) is not None
    start = 0
    bounds = [m for m in RESULT_CLAUSE.finditer(text)] + [None]
    for boundary in bounds:
        end = boundary.start() if boundary else len(text)
        for measure in ms.generic_measures(text[start:end]):
            at, stop = start + measure.start, start + measure.end
            if any(s <= at < e or at <= s < stop for s, e in taken):
                continue
            taken.append((at, stop))
            key = ms.key_of(measure.label)
            if not key or (found.get(key) or {}).get("direction") is not None and not qualified:
                continue  # (a measure's first result is kept; the rest would be read for nothing)
            if substance_mentions(measure.label):
                continue  # "fatty acids improved": a substance is what was given, not what was measured
            outcome = _outcome(doc, sentence, _Found(at, stop, measure.label), key, measure.higher_is_better, arm_list)
            _keep(found, key, outcome)
        start = boundary.end() if boundary else len(text)


def _keep(found: dict, key: str, outcome: dict) -> None:
    """The first result with a direction for each measure and population (a subgroup's or an open
    phase's result is kept apart from the whole group's)."""
    slot = key if outcome["population"] is None else f"{key}@{outcome['population']['kind']}"
    if outcome["direction"] is not None or slot not in found:
        if slot not in found or found[slot]["direction"] is None:
            found[slot] = outcome


def _known_outcomes(doc: Document, sentence: Sentence, arm_list: list[dict], found: dict, taken: list) -> None:
    text = sentence.text
    qualifier = next((m for _, pattern in QUALIFIERS for m in [pattern.search(text)] if m), None)
    for key, pattern, higher_is_better in lx.MEASURE_PATTERNS:
        for match in pattern.finditer(text):
            if qualifier and qualifier.start() <= match.start() < qualifier.end():
                continue  # "in patients with severe fatigue": who the result is about, not what it measured
            if not qualifier and (found.get(key) or {}).get("direction") is not None:
                taken.append((match.start(), match.end()))
                continue  # (a measure's first result is kept)
            if any(s <= match.start() < e or s < match.end() <= e for s, e in taken):
                continue
            if text.count("(", 0, match.start()) > text.count(")", 0, match.start()):
                continue  # "(events per hour of total sleep time)": a unit, not a result
            if match.group(0).lower() == "pain" and PAIN_MODIFIES.match(text, match.end()):
                continue  # "frequency of pain paroxysms", "pain relief": a measure of its own
            taken.append((match.start(), match.end()))
            outcome = _outcome(doc, sentence, match, key, higher_is_better, arm_list)
            _keep(found, key, outcome)


def _nearest_direction_word(clause: str, at: int) -> re.Match | None:
    """The direction word of a clause nearest to the measure at ``at`` ("a positive effect on
    quality of life and reduction of pain": "positive effect" for quality of life)."""
    words = [m for pattern in (lx.WORSENED, lx.IMPROVED, lx.INCREASED) for m in pattern.finditer(clause)]
    return min(words, key=lambda m: abs(m.start() - at), default=None)


def _outcome(doc, sentence, match, key, higher_is_better, arm_list) -> dict:
    text = sentence.text
    before = text[max(0, match.start() - 25):match.start()]
    clause_start, clause_end = 0, len(text)
    for boundary in CLAUSE_BOUNDARY.finditer(text):
        if boundary.end() <= match.start():
            clause_start = boundary.end()
        elif boundary.start() >= match.end():
            clause_end = boundary.start()
            break
    clause = text[clause_start:clause_end]
    direction = None
    word = None
    if EXCEPT.search(before):
        direction = "no_change"
    elif (word := lx.NO_CHANGE.search(clause)):
        direction = "no_change"
    elif (word := _nearest_direction_word(clause, match.start() - clause_start)):
        if lx.WORSENED.fullmatch(word.group(0)):
            direction = "worsened"
        elif lx.IMPROVED.fullmatch(word.group(0)):
            # "a decrease in pain thresholds": less of a measure where more is better is worse
            direction = "worsened" if higher_is_better and DOWN_WORD.match(word.group(0)) else "improved"
        else:
            direction = "improved" if higher_is_better else "worsened"
    # "Both groups improved in pain; the difference between the groups was not significant": a change
    # within each group, and no difference from the control. The null must be this clause's own, or
    # the clause must speak of both groups (not "the other endpoints did not differ between groups").
    between = lx.BETWEEN_NULL.search(clause) or (BOTH_GROUPS.search(clause) and lx.BETWEEN_NULL.search(text))
    if direction in ("improved", "worsened") and between:
        direction, word, clause_start, significant_override = "no_change", between, 0, False
    else:
        significant_override = None
    p_match = None
    for candidate in lx.P_VALUE.finditer(text, match.end()):
        p_match = candidate
        break
    significant = None
    if lx.NOT_SIGNIFICANT.search(clause) or (direction == "no_change" and "signific" in clause.lower()):
        significant = False
    elif lx.SIGNIFICANT.search(clause):
        significant = True
    p_value = float(p_match.group("value")) if p_match else None
    if p_value is not None and significant is None and p_match.group("op") in "<≤=":
        significant = p_value < 0.05
    if significant_override is not None:
        significant = significant_override
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
    population_ = _qualifier(text)
    return {"measure": key, "label": match.group(0), "arm": arm, "direction": direction,
            "significant": significant, "p_value": p_value, "population": population_, "evidence": evidence}


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
    says whom it is about ("in patients with mild to moderate stress"), else None."""
    for kind, pattern in QUALIFIERS:
        match = pattern.search(text)
        if match:
            return {"kind": kind, "text": match.group(0).strip()}
    return None


# --- magnesium levels -----------------------------------------------------------------------------

def _names_magnesium(text: str) -> bool:
    return "agnes" in text or "AGNES" in text or "Mg" in text


def magnesium_levels(doc: Document) -> list[dict]:
    if not any(_names_magnesium(doc.fields[f]) for f in doc.text_fields):
        return []
    levels: dict[str, dict] = {}
    # Whether the study has a comparison group at all: then "lower in the women with fibromyalgia"
    # is a comparison with it even in a sentence that does not name the controls.
    has_controls = any(lx.CONTROLS.search(doc.fields[f]) for f in doc.text_fields)
    named_before: list[str] = []  # compartments the previous sentence named ("Both were lower")
    for sentence in sentences(doc):
        text = sentence.text
        about_magnesium = _names_magnesium(text)
        follows_up = named_before and (lx.ANAPHOR.search(text) or lx.FM_GROUP.search(text))
        if not about_magnesium and not follows_up:
            named_before = []
            continue  # the common case, kept cheap: a sentence that says nothing of magnesium
        if about_magnesium and lx.DOSE.search(text) and not lx.CONTROLS.search(text):
            named_before = []
            continue  # a dose, not a level
        judged = lx.MATCHING.sub(" ", text)  # "controls of similar age" says nothing of magnesium
        clauses = _level_clauses(judged)
        verdicts = {v for _, _, v in clauses} - {None}
        verdict = verdicts.pop() if len(verdicts) == 1 else None  # the sentence's, when it has only one
        # compared with controls: named in the sentence, or the study has healthy controls and the
        # sentence compares ("than", the patient group as subject) - never "than in rheumatoid arthritis"
        # in a study without them
        compared = (lx.CONTROLS.search(judged)
                    or (has_controls and (re.search(r"\bthan\b", text) or lx.FM_GROUP.search(text) or not about_magnesium)))
        if lx.OTHER_PATIENTS.search(judged):
            compared = None  # treated vs untreated patients: not a comparison with controls
        correlation = _correlation(text)
        named = []
        for key, pattern in lx.COMPARTMENT_PATTERNS if about_magnesium else ():
            match = pattern.search(text)
            if not match:
                continue
            if key == "serum" and "plasma" in named:
                continue  # "plasma magnesium levels": the blood levels are the plasma ones
            named.append(key)
            entry = levels.setdefault(key, {"compartment": key, "fm_vs_controls": None,
                                            "correlation_with_symptoms": None, "evidence": []})
            entry["evidence"].append(span(doc, sentence.field, sentence.start + match.start(),
                                          sentence.start + match.end()))
            own = next((v for start, end, v in clauses if start <= match.start() < end), None)
            if compared and (own or verdict):
                _set_level(entry, "fm_vs_controls", own or verdict, doc, sentence)
            if correlation:
                _set_level(entry, "correlation_with_symptoms", correlation, doc, sentence)
        if not named and follows_up:  # "Both were lower in ...", "No difference between the groups"
            for key in named_before:
                if compared and verdict:
                    _set_level(levels[key], "fm_vs_controls", verdict, doc, sentence)
                if correlation:
                    _set_level(levels[key], "correlation_with_symptoms", correlation, doc, sentence)
        elif not named and about_magnesium and correlation in ("none", "negative"):
            for entry in levels.values():  # "lower magnesium went with more symptoms"
                _set_level(entry, "correlation_with_symptoms", correlation, doc, sentence)
        named_before = named
    for entry in levels.values():
        entry["evidence"] = _dedupe(entry["evidence"])
    return list(levels.values())


QUALIFIER = re.compile(r"\s*(?:the\s+(?:difference|change|trend|effect)s?|this|it|which|that)\b", re.I)


def _level_clauses(text: str) -> list[tuple[int, int, str | None]]:
    """The clauses of a sentence with each one's verdict: "urine magnesium was lower in the patients,
    but serum values did not differ" says lower of urine and no difference of serum."""
    bounds, start = [], 0
    for boundary in CLAUSE_BOUNDARY.finditer(text):
        bounds.append((start, boundary.start()))
        start = boundary.end()
    bounds.append((start, len(text)))
    for index in range(len(bounds) - 1, 0, -1):  # "..., but the difference was not significant" qualifies
        if QUALIFIER.match(text, bounds[index][0]):  # the clause before it: one clause
            bounds[index - 1:index + 1] = [(bounds[index - 1][0], bounds[index][1])]
    return [(a, b, _level_verdict(text[a:b]) or _level_from_numbers(text[a:b])) for a, b in bounds]


def _level_verdict(text: str) -> str | None:
    if lx.NO_CHANGE.search(text):
        return "no_difference"
    if lx.LOWER.search(text):
        return "lower"
    if lx.HIGHER.search(text):
        return "higher"
    return None


def _level_from_numbers(text: str) -> str | None:
    """ "Mean RBC magnesium was 4.1 mg/dl in patients and 5.0 mg/dl in controls (p < 0.001)": the
    direction from the two numbers, if the sentence says the difference is significant."""
    pair = lx.LEVEL_PAIR.search(text)
    if not pair:
        return None
    p = lx.P_VALUE.search(text, pair.end())
    significant = (lx.SIGNIFICANT.search(text) and not lx.NOT_SIGNIFICANT.search(text)) or (
        p is not None and p.group("op") in "<≤=" and float(p.group("value")) < 0.05)
    if not significant:
        return "no_difference" if p is not None else None
    fm, controls = float(pair.group("fm")), float(pair.group("controls"))
    return "lower" if fm < controls else "higher" if fm > controls else "no_difference"


def _correlation(text: str) -> str | None:
    if not lx.SYMPTOM_WORDS.search(text):
        return None  # a correlation with C-reactive protein or age is not one with symptoms
    for pattern, value in ((lx.NO_CORRELATION, "none"), (lx.NEGATIVE_CORRELATION, "negative"),
                           (lx.POSITIVE_CORRELATION, "positive")):
        if pattern.search(text):
            return value
    return None


def _set_level(entry: dict, key: str, value: str, doc: Document, sentence: Sentence) -> None:
    """The first statement about a compartment wins; its sentence is the evidence."""
    if entry[key] is None:
        entry[key] = value
        entry["evidence"].append(sentence_span(doc, sentence))


# --- the record -----------------------------------------------------------------------------------

def _dedupe(spans: list[dict]) -> list[dict]:
    seen, unique = set(), []
    for item in spans:
        key = (item["field"], item["start"], item["end"])
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


def extract(doc: Document) -> EvidenceRecord:
    """The evidence record of one document (``claims`` empty: the evidence stage fills it); its
    shape is ``extract.record.EvidenceRecord`` (the schema's)."""
    topic = topics(doc)
    arm_list = arms(doc)
    people = population(doc, topic)
    levels = magnesium_levels(doc)
    study_design = design(doc, arm_list, people, levels)
    if study_design["type"] in REVIEW_TYPES or (study_design["type"] in ("case_control", "cross_sectional")
                                                and not any(a["is_control"] for a in arm_list)
                                                and not _said(doc, _find(doc, TRIAL_WORDS))):
        arm_list = []  # a review's or a level study's substances are not arms of its own
    if len(arm_list) == 1 and not arm_list[0]["is_control"] and arm_list[0]["n"] is None and not (
            study_design["randomized"] or study_design["type"] == "rct"):
        arm_list[0]["n"] = people["n_enrolled"]  # one group: everyone enrolled is in it
    weeks, duration_evidence = duration(doc)
    return {
        "record_id": doc.record_id,
        "source": doc.source,
        "pmid": doc.pmid,
        "doi": doc.doi,
        "title": doc.title,
        "language": doc.language,
        "topics": topic,
        "design": study_design,
        "population": people,
        "arms": arm_list,
        "duration_weeks": weeks,
        "duration_evidence": duration_evidence,
        "outcomes": outcomes(doc, arm_list, study_design),
        "magnesium_levels": levels,
        "claims": [],
        "extractor": EXTRACTOR_VERSION,
    }
