"""The evidence record as types: what ``extract.core.extract`` returns and ``evidence.judge``
completes, after ``shared/contracts/evidence-record.schema.json`` (the schema is the contract;
these types name its parts for readers and type checkers, and the tests hold them to it).

Keys beyond the schema's required ones are optional here (``total=False`` parts).
"""

from __future__ import annotations

from typing import Literal, TypedDict


class Span(TypedDict, total=False):
    """A piece of the record's text: ``text == fields[field][start:end]``; ``role`` "sentence" marks
    a whole sentence, the only kind of span a reason quotes."""

    text: str
    start: int
    end: int
    field: str
    role: Literal["sentence"]


class Design(TypedDict, total=False):
    type: str  # the schema's enum: rct, non_randomized_trial, ..., narrative_review, protocol, news, other, unknown
    randomized: bool | None
    blinding: Literal["double", "single", "open", "none"] | None
    placebo_controlled: bool | None
    crossover: bool | None
    pilot: bool | None
    subjects: Literal["animal", "in_vitro"] | None
    type_source: str | None  # text, publication_type, mesh, source
    publication_type_says: str  # when PubMed's type and the text's disagree
    evidence: list[Span]


class Population(TypedDict, total=False):
    n_enrolled: int | None
    n_analyzed: int | None
    n_controls: int | None  # healthy controls only
    sex: Literal["female", "male", "mixed"] | None
    condition: str | None
    evidence: list[Span]


class Intervention(TypedDict, total=False):
    name: str
    substance: str | None
    form: str | None
    dose_mg: float | None  # per administration, mg (salt mass as written; mmol/mEq of Mg as elemental mg)
    daily_dose_mg: float | None
    dose_mg_per_kg: float  # weight-based dose, when no body weight is given (dose_mg is then null)
    infusion_mg_per_kg_per_h: float
    dose_basis: Literal["elemental", "salt"]  # magnesium only: the element's mass or the salt's, when the text says
    frequency_per_day: float | None
    route: Literal["oral", "transdermal", "intravenous", "intramuscular", "topical", "other"] | None
    route_text: str | None  # the words of an "other" route: epidural, intrathecal
    dose_text: str | None
    background: bool  # a drug every arm takes (add-on design)
    evidence: list[Span]


class Arm(TypedDict):
    label: str
    n: int | None
    is_control: bool | None
    interventions: list[Intervention]


class OutcomePopulation(TypedDict):
    kind: Literal["subgroup", "per_protocol", "open_label"]
    text: str


class Outcome(TypedDict, total=False):
    measure: str
    label: str | None
    arm: str | None
    direction: Literal["improved", "worsened", "no_change"] | None
    significant: bool | None
    p_value: float | None
    p_value_comparator: Literal["=", "<", ">", "≤", "≥"] | None  # as the text gives it ("p < 0.05": "<")
    population: OutcomePopulation | None  # whom the result is about, when not everyone randomised
    evidence: list[Span]
    direction_by: Literal["rule", "model"]  # who decided the direction (extract/direction_model.py)
    direction_probability: float  # the model's probability of its label (model only)
    direction_model: str  # the model's version (model only)


class MagnesiumLevel(TypedDict):
    compartment: str
    fm_vs_controls: Literal["lower", "higher", "no_difference"] | None
    correlation_with_symptoms: Literal["negative", "positive", "none"] | None
    evidence: list[Span]


class ClaimJudgement(TypedDict, total=False):
    claim: str
    relation: Literal["supports", "contradicts", "mixed", "related"]
    novelty: list[str]
    priority: float | None
    reason: str
    evidence: list[Span]


class EvidenceRecord(TypedDict, total=False):
    record_id: str
    source: str
    pmid: str | None
    doi: str | None
    title: str
    language: str | None
    topics: dict[str, bool]
    design: Design
    population: Population
    arms: list[Arm]
    duration_weeks: float | None
    duration_evidence: list[Span]
    outcomes: list[Outcome]
    magnesium_levels: list[MagnesiumLevel]
    claims: list[ClaimJudgement]
    extractor: str
    reference_study: str  # set by the evidence stage on the reference study itself


# The schema's required keys, named once (tests hold the types and the schema to each other).
REQUIRED = ("record_id", "source", "title", "topics", "design", "population", "arms", "duration_weeks", "outcomes",
            "magnesium_levels", "claims")
